// How the schema a restore writes differs from the destination's now: tables the restore adds or
// removes, per table the columns added, removed or changed (type, nullability), and every other
// object that differs — indexes, constraints, triggers, policies, functions, views, sequences,
// enums, a column's default — from src/schema/diff.ts diffSchemas, between the schema snapshot the
// backup recorded and the destination's live one (facts.ts), limited to the restore's scope and
// without the objects the database's schema.ignore leaves out. The backup's tables and columns
// are the manifest's `schema`; a backup taken before Lifeboat recorded its snapshot is compared
// by tables and columns only, and one taken before it recorded its columns by table names only,
// and each says so. Pure.
import type { Manifest, TableCount } from '../../backup/manifest.js';
import type { ColumnShape } from '../../engines/postgres/table-schema.js';
import { diffSchemas } from '../../schema/diff.js';
import { type ObjectKind, type SchemaDocument, withoutIgnored } from '../../schema/document.js';
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
  /**
   * Every other object that differs (absent when none, or when the backup recorded no snapshot).
   * Objects of a table added or removed go with the table, and are not listed.
   */
  readonly objects?: readonly ObjectChange[];
}

export interface ObjectChange {
  /** Relative to the destination: `added` is in the backup only (the restore creates it). */
  readonly change: 'added' | 'removed' | 'changed';
  readonly kind: ObjectKind;
  /** As PostgreSQL quotes it: public.customers_email_idx, "Sales Dept"."Order"."Order_pkey". */
  readonly name: string;
  readonly table?: string;
  /** For `changed`: the fields of its definition that differ. */
  readonly fields?: readonly string[];
}

export const NOT_RECORDED =
  'schema of this backup not recorded (taken before Lifeboat recorded it): only table names are compared';
export const NO_DESTINATION_DOCUMENT =
  "the destination's schema could not be read in full: only tables and columns are compared";
export const NO_SNAPSHOT =
  'this backup recorded no schema snapshot (taken before Lifeboat recorded one): only tables and columns are compared';

export const label = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;
const shown = (c: ColumnShape) => `${c.type}${c.notNull ? ' not null' : ''}`;

export function schemaDiff(
  manifest: Pick<Manifest, 'tables' | 'schema' | 'schemaSnapshot'>,
  scope: readonly TableCount[] | null,
  destination: DestinationState,
  ignore: readonly string[] = [],
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
  const objects =
    manifest.schemaSnapshot && destination.schemaDocument
      ? objectChanges(manifest.schemaSnapshot, destination.schemaDocument, scope, ignore)
      : undefined;
  const differs = tablesAdded.length + tablesRemoved.length + columns.length + (objects?.length ?? 0) > 0;
  const same = objects
    ? 'the same schema'
    : `the same tables and columns (${manifest.schemaSnapshot ? NO_DESTINATION_DOCUMENT : NO_SNAPSHOT})`;
  return {
    status: 'compared',
    note: differs ? summary({ tablesAdded, tablesRemoved, columns, objects }) : same,
    tablesAdded,
    tablesRemoved,
    columns,
    ...(objects?.length ? { objects } : {}),
  };
}

/** quote_ident's quoting for ordinary names (a keyword used as a name is not quoted here). */
const quoteIdent = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);

/** The objects other than tables and their columns that differ, from diffSchemas. */
function objectChanges(
  backup: SchemaDocument,
  destination: SchemaDocument,
  scope: readonly TableCount[] | null,
  ignore: readonly string[],
): ObjectChange[] {
  // a table-scoped restore touches its tables' objects only
  const inScope = scope === null ? null : new Set(scope.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`));
  const limit = (doc: SchemaDocument): SchemaDocument => {
    const d = withoutIgnored(doc, ignore);
    if (inScope === null) return d;
    const objects = Object.fromEntries(
      Object.entries(d.objects).filter(
        ([, o]) => (o.table ?? (o.kind === 'table' ? o.name : undefined)) && inScope.has(o.table ?? o.name),
      ),
    );
    return { ...d, objects };
  };
  const changes = diffSchemas(limit(destination), limit(backup));
  const whole = new Set(changes.filter((c) => c.kind === 'table' && c.change !== 'changed').map((c) => c.name));
  const ownedByWhole = (owner: unknown) =>
    typeof owner === 'string' && [...whole].some((t) => owner.startsWith(`${t}.`));
  return changes
    .filter((c) => {
      if (c.kind === 'table') return c.change === 'changed';
      if (c.table !== undefined && whole.has(c.table)) return false;
      if (c.kind === 'sequence' && ownedByWhole(c.definition?.ownedBy)) return false;
      // columns added, removed or changed in type or nullability are the columns list's
      if (c.kind === 'column')
        return c.change === 'changed' && c.fields!.some((f) => !['type', 'notNull'].includes(f.field));
      return true;
    })
    .map((c) => ({
      change: c.change,
      kind: c.kind,
      name: c.name,
      ...(c.table === undefined ? {} : { table: c.table }),
      ...(c.fields ? { fields: c.fields.map((f) => f.field) } : {}),
    }));
}

/** One line: what differs, e.g. `table public.audit removed; public.customers.phone: text → character varying(20)`. */
export function summary(d: Pick<SchemaDiff, 'tablesAdded' | 'tablesRemoved' | 'columns' | 'objects'>): string {
  const parts = [
    ...d.tablesAdded.map((t) => `table ${t} added`),
    ...d.tablesRemoved.map((t) => `table ${t} removed`),
    ...d.columns.map((c) =>
      c.change === 'changed'
        ? `${c.table}.${c.column}: ${c.destination} → ${c.backup}`
        : `column ${c.table}.${c.column} ${c.change} (${c.backup ?? c.destination})`,
    ),
    ...(d.objects ?? []).map(
      (o) => `${o.kind.replace('_', ' ')} ${o.name} ${o.change}${o.fields ? ` (${o.fields.join(', ')})` : ''}`,
    ),
  ];
  return parts.join('; ');
}
