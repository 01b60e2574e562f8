// The schema snapshot document: a database's schema as a map from `<kind> <qualified name>` to
// the object's definition, normalised so that equal schemas give equal documents whatever order
// their objects were created in, and its fingerprint (sha256 of the canonical JSON of the
// objects). Snapshots of live databases, of backups (recorded in the manifest) and stored ones
// in the catalog are all this document, so any two can be compared without a database.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../audit/canonical.js';

export const SNAPSHOT_FORMAT = 1;

export const OBJECT_KINDS = [
  'schema',
  'extension',
  'table',
  'column',
  'constraint',
  'index',
  'trigger',
  'policy',
  'view',
  'materialized_view',
  'sequence',
  'function',
  'procedure',
  'aggregate',
  'enum',
  'domain',
] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export const SchemaObject = z.object({
  kind: z.enum(OBJECT_KINDS),
  /** Qualified and quoted as PostgreSQL's quote_ident does: public.customers, "Sales Dept"."Order". */
  name: z.string(),
  /** For objects of a table (columns, constraints, indexes, triggers, policies): the table. */
  table: z.string().optional(),
  /** What the server prints for it; keys whose value is null or false are left out. */
  definition: z.record(z.string(), z.unknown()),
});
export type SchemaObject = z.infer<typeof SchemaObject>;

export const SchemaDocument = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  /** server_version_num of the server it was read from (definitions are printed by that version). */
  serverVersion: z.number().int(),
  objects: z.record(z.string(), SchemaObject),
});
export type SchemaDocument = z.infer<typeof SchemaDocument>;

/**
 * The document with its maps' keys in the order PostgreSQL's jsonb keeps them (shorter first, then
 * bytewise). A backup's manifest is stored both as a file and as jsonb in the catalog, and the two
 * are compared byte for byte when the backup is verified: the document must survive the round trip.
 */
export function inJsonbOrder(doc: SchemaDocument): SchemaDocument {
  const objects: Record<string, SchemaObject> = {};
  for (const key of jsonbKeys(doc.objects)) {
    const o = doc.objects[key]!;
    const definition: Record<string, unknown> = {};
    for (const k of jsonbKeys(o.definition)) definition[k] = o.definition[k];
    objects[key] = { ...o, definition };
  }
  return { ...doc, objects };
}

function jsonbKeys(record: Record<string, unknown>): string[] {
  return Object.keys(record).sort((a, b) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length - y.length || Buffer.compare(x, y);
  });
}

/** sha256 of the canonical JSON of the objects: equal schemas, equal fingerprints. */
export function schemaFingerprint(doc: SchemaDocument): string {
  return createHash('sha256').update(canonicalJson(doc.objects)).digest('hex');
}

/**
 * The document without the objects an `ignore` pattern matches (`*` matches any characters):
 * a pattern naming a table also drops its columns, constraints, indexes, triggers and policies.
 * Patterns are compared with names as the document spells them (public.flyway_schema_history).
 */
export function withoutIgnored(doc: SchemaDocument, ignore: readonly string[]): SchemaDocument {
  if (ignore.length === 0) return doc;
  const res = ignore.map(globToRegExp);
  const hit = (name: string | undefined) => name !== undefined && res.some((re) => re.test(name));
  const objects: Record<string, SchemaObject> = {};
  for (const [key, o] of Object.entries(doc.objects)) if (!hit(o.name) && !hit(o.table)) objects[key] = o;
  return { ...doc, objects };
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}
