// Table scope: which tables of a backup a run restores, resolved from what the user typed
// (`customers`, `public.orders`, `"Sales Dept"."Order"`), and which of them masking rules cover.
// Pure.
import type { TableCount } from '../backup/manifest.js';
import type { MaskingRule } from '../catalog/types.js';
import { LifeboatError } from '../errors.js';
import { parseQualifiedName } from '../masking/leak-check.js';
import { rulesByTable, type TableAncestry } from '../masking/rule-tables.js';

export function resolveScope(requested: readonly string[], tables: readonly TableCount[]): TableCount[] {
  const out: TableCount[] = [];
  for (const ref of requested) {
    const q = parseQualifiedName(ref);
    const matches = tables.filter((t) => t.name === q.name && (q.schema === undefined ? true : t.schema === q.schema));
    const pick = matches.length > 1 && q.schema === undefined ? matches.filter((t) => t.schema === 'public') : matches;
    if (pick.length !== 1) {
      throw new LifeboatError(
        'invalid_request',
        pick.length ? `table ${ref} is ambiguous` : `the backup has no table ${ref}`,
        {
          hint: `tables in the backup: ${tables.map((t) => `${t.schema}.${t.name}`).join(', ')}`,
        },
      );
    }
    if (!out.includes(pick[0]!)) out.push(pick[0]!);
  }
  return out;
}

/**
 * The tables of `scope` that a masking rule covers, by naming them or a table they descend from
 * (a partition's partitioned table, an inheritance parent), as the backup recorded it. Undefined
 * when rules exist but the backup predates those records: whether a partition in the scope is
 * covered through its parent cannot be told, and the caller must not assume it is not.
 */
export function maskedInScope(
  rules: readonly MaskingRule[],
  scope: readonly TableCount[],
  manifest: { readonly inheritance?: readonly TableAncestry[] | undefined },
): TableCount[] | undefined {
  if (rules.length === 0) return [];
  if (manifest.inheritance === undefined) return undefined;
  return [...rulesByTable(rules, scope, manifest.inheritance).applied.keys()];
}
