// The difference between two schema documents, `a` (before) and `b` (after): each object added,
// removed or changed, with the fields of its definition that changed. Pure: drift is this diff
// with the reference as `a` and the live database as `b`; the restore wizard's schema check can
// call it with the backup as `a` and the destination as `b` (src/restore/assess/schema-diff.ts
// still compares tables and columns itself, from the manifest).
import { canonicalJson } from '../audit/canonical.js';
import type { ObjectKind, SchemaDocument } from './document.js';

export type ChangeType = 'added' | 'removed' | 'changed';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface SchemaChange {
  change: ChangeType;
  kind: ObjectKind;
  name: string;
  table?: string;
  /** For `changed`: each field of the definition that differs. */
  fields?: FieldChange[];
  /** For `added` and `removed`: the object's definition. */
  definition?: Record<string, unknown>;
}

/** Every difference, ordered by table (or name) then kind then name, so a diff reads by object. */
export function diffSchemas(a: SchemaDocument, b: SchemaDocument): SchemaChange[] {
  const out: SchemaChange[] = [];
  for (const [key, before] of Object.entries(a.objects)) {
    const after = b.objects[key];
    if (!after) {
      out.push(
        withTable(
          { change: 'removed', kind: before.kind, name: before.name, definition: before.definition },
          before.table,
        ),
      );
      continue;
    }
    const fields: FieldChange[] = [];
    const names = new Set([...Object.keys(before.definition), ...Object.keys(after.definition)]);
    for (const field of [...names].sort()) {
      const x = before.definition[field] ?? null;
      const y = after.definition[field] ?? null;
      if (canonicalJson(x) !== canonicalJson(y)) fields.push({ field, before: x, after: y });
    }
    if (fields.length > 0)
      out.push(withTable({ change: 'changed', kind: after.kind, name: after.name, fields }, after.table));
  }
  for (const [key, after] of Object.entries(b.objects)) {
    if (a.objects[key]) continue;
    out.push(
      withTable({ change: 'added', kind: after.kind, name: after.name, definition: after.definition }, after.table),
    );
  }
  return out.sort(byObject);
}

function withTable(c: SchemaChange, table: string | undefined): SchemaChange {
  return table === undefined ? c : { ...c, table };
}

/** The group a change is shown under: its table, or the object itself. */
export function groupOf(c: SchemaChange): string {
  return c.table ?? c.name;
}

function byObject(x: SchemaChange, y: SchemaChange): number {
  return (
    groupOf(x).localeCompare(groupOf(y)) ||
    Number(x.table !== undefined) - Number(y.table !== undefined) ||
    x.kind.localeCompare(y.kind) ||
    x.name.localeCompare(y.name)
  );
}
