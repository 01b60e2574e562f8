// How the schema a restore writes differs from the destination's now: tables the restore adds or
// removes, and per table the columns added, removed or changed (type, nullability). The backup's
// side is the manifest's `schema` (recorded at backup time); a backup taken before Lifeboat
// recorded it is compared by table names only, and says so. Pure.
import type { Manifest, TableCount } from '../../backup/manifest.js';
import type { ColumnShape } from '../../engines/postgres/table-schema.js';
import type { DestinationState } from './facts.js';

export type SchemaDiffStatus = 'compared' | 'tables_only' | 'destination_absent' | 'destination_unknown';

export interface ColumnChange {
  readonly table: string;
  readonly column: string;
  /** Relative to the destination: `added` is in the backup only, `removed` in the destination only. */
  readonly change: 'added' | 'removed' | 'changed';
  /** The column as the backup has it (`bigint not null`), absent when it has none. */
  readonly backup?: string;
  /** The column as the destination has it now, absent when it has none. */
  readonly destination?: string;
}

export interface SchemaDiff {
  readonly status: SchemaDiffStatus;
  readonly note: string;
  /** Tables of the restore that the destination lacks (the restore creates them). */
  readonly tablesAdded: readonly string[];
  /** Tables of the destination that the backup lacks (a whole-database restore drops them). */
  readonly tablesRemoved: readonly string[];
  readonly columns: readonly ColumnChange[];
}

export const NOT_RECORDED =
  'schema of this backup not recorded (taken before Lifeboat recorded it): only table names are compared';

export const label = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;
const shown = (c: ColumnShape) => `${c.type}${c.notNull ? ' not null' : ''}`;

export function schemaDiff(
  manifest: Pick<Manifest, 'tables' | 'schema'>,
  scope: readonly TableCount[] | null,
  destination: DestinationState,
): SchemaDiff {
  const empty = { tablesAdded: [], tablesRemoved: [], columns: [] };
  if (!destination.reachable)
    return { status: 'destination_unknown', note: 'the destination could not be reached', ...empty };
  const restored = scope ?? manifest.tables;
  if (!destination.exists) {
    return {
      status: 'destination_absent',
      note: 'the destination database does not exist: the restore creates it',
      ...empty,
      tablesAdded: restored.map(label),
    };
  }
  const there = new Map(destination.tables.map((t) => [label(t), t]));
  const names = new Set(restored.map(label));
  const tablesAdded = restored.map(label).filter((n) => !there.has(n));
  // a table-scoped restore touches only its tables: the others are neither compared nor dropped
  const tablesRemoved = scope === null ? [...there.keys()].filter((n) => !names.has(n)) : [];
  if (manifest.schema === undefined)
    return { status: 'tables_only', note: NOT_RECORDED, tablesAdded, tablesRemoved, columns: [] };
  const columns: ColumnChange[] = [];
  for (const t of manifest.schema) {
    const table = label(t);
    const dest = there.get(table);
    if (!names.has(table) || dest === undefined) continue;
    for (const c of t.columns) {
      const d = dest.columns.find((x) => x.name === c.name);
      if (d === undefined) columns.push({ table, column: c.name, change: 'added', backup: shown(c) });
      else if (d.type !== c.type || d.notNull !== c.notNull)
        columns.push({ table, column: c.name, change: 'changed', backup: shown(c), destination: shown(d) });
    }
    for (const d of dest.columns) {
      if (!t.columns.some((c) => c.name === d.name))
        columns.push({ table, column: d.name, change: 'removed', destination: shown(d) });
    }
  }
  const differs = tablesAdded.length + tablesRemoved.length + columns.length > 0;
  return {
    status: 'compared',
    note: differs ? summary({ tablesAdded, tablesRemoved, columns }) : 'the same tables and columns',
    tablesAdded,
    tablesRemoved,
    columns,
  };
}

/** One line: what differs, e.g. `table public.audit removed; public.customers.phone: text → character varying(20)`. */
export function summary(d: Pick<SchemaDiff, 'tablesAdded' | 'tablesRemoved' | 'columns'>): string {
  const parts = [
    ...d.tablesAdded.map((t) => `table ${t} added`),
    ...d.tablesRemoved.map((t) => `table ${t} removed`),
    ...d.columns.map((c) =>
      c.change === 'changed'
        ? `${c.table}.${c.column}: ${c.destination} → ${c.backup}`
        : `column ${c.table}.${c.column} ${c.change} (${c.backup ?? c.destination})`,
    ),
  ];
  return parts.join('; ');
}
