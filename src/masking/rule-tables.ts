// Which masking rules apply to which of a backup's tables. pg_dump writes a partitioned table's
// rows per partition, and an inheritance child's rows apart from its parent's, while a query on
// the parent returns them all: so a rule naming a parent applies to every table below it, at any
// depth (a partition of a partition, an inheritance grandchild). Applying it to children too is
// the safe reading for plain inheritance as well: whoever wrote the rule saw the column's values
// in `select … from parent`, children's rows included. For one column, a rule naming the table
// itself wins over an inherited one, and a nearer ancestor's over a farther one's (among equally
// near parents of a table that inherits from several, the first rule in the config). Pure.
import type { MaskingRule } from '../catalog/types.js';
import { parseQualifiedName } from './leak-check.js';

export interface TableRef {
  readonly schema: string;
  readonly name: string;
}

/** A table and the tables it descends from, nearest first (empty for a table without parent). */
export interface TableAncestry extends TableRef {
  readonly ancestors: readonly TableRef[];
}

export interface AppliedRule {
  readonly rule: MaskingRule;
  /** The ancestor the rule names, when it is inherited (absent when it names the table itself). */
  readonly via?: TableRef;
}

export interface RulesByTable<T extends TableRef> {
  /** Every table some rule applies to, in the order of the first rule that applies to it. */
  readonly applied: ReadonlyMap<T, readonly AppliedRule[]>;
  /** Rules whose table is neither one of `tables` nor an ancestor or a known table of `ancestry`. */
  readonly unmatched: readonly MaskingRule[];
}

const key = (t: TableRef) => `${t.schema}\0${t.name}`;

/** The table a rule names, as SQL reads it; unqualified means `public`. */
export function ruleTable(rule: Pick<MaskingRule, 'table'>): TableRef {
  const q = parseQualifiedName(rule.table);
  return { schema: q.schema ?? 'public', name: q.name };
}

/**
 * Resolves `rules` against `tables` (those whose rows are restored, e.g. a manifest's), with the
 * inheritance `ancestry` (a table missing from it has no ancestors). A rule on a partitioned
 * table without partitions names a known table and applies to nothing.
 */
export function rulesByTable<T extends TableRef>(
  rules: readonly MaskingRule[],
  tables: readonly T[],
  ancestry: readonly TableAncestry[],
): RulesByTable<T> {
  const ancestorsOf = new Map(ancestry.map((a) => [key(a), a.ancestors]));
  const known = new Set([...tables.map(key), ...ancestry.map(key), ...ancestry.flatMap((a) => a.ancestors.map(key))]);
  const named = rules.map(ruleTable);
  const unmatched = rules.filter((_, i) => !known.has(key(named[i]!)));
  const perTable: Array<{ table: T; first: number; applied: AppliedRule[] }> = [];
  for (const table of tables) {
    const chain = [key(table), ...(ancestorsOf.get(key(table)) ?? []).map(key)];
    // per column: the rule from the nearest table of the chain, the first in config order on a tie
    const best = new Map<string, { index: number; distance: number }>();
    rules.forEach((rule, index) => {
      const distance = chain.indexOf(key(named[index]!));
      if (distance < 0) return;
      const held = best.get(rule.column);
      if (held === undefined || distance < held.distance) best.set(rule.column, { index, distance });
    });
    if (best.size === 0) continue;
    const chosen = [...best.values()].sort((a, b) => a.index - b.index);
    perTable.push({
      table,
      first: chosen[0]!.index,
      applied: chosen.map(({ index, distance }) =>
        distance === 0 ? { rule: rules[index]! } : { rule: rules[index]!, via: named[index]! },
      ),
    });
  }
  perTable.sort((a, b) => a.first - b.first);
  return { applied: new Map(perTable.map((p) => [p.table, p.applied])), unmatched };
}
