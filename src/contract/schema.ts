// Schema snapshot, diff and drift documents of the API, shared by the server, the CLI and the UI.
import { z } from 'zod';
import { OBJECT_KINDS, SchemaDocument } from '../schema/document.js';
import { backupId, catalogName, freeText, line } from './fields.js';

export { SchemaDocument };

export const SnapshotIdParams = z.object({ id: z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be a snapshot id') });

/**
 * One side of a diff: a live database, a stored snapshot, a backup, a snapshot document sent along,
 * or a reference SQL script sent along (applied to a throwaway cluster on the Lifeboat host).
 */
export const SchemaSide = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('live'), database: catalogName('database') }),
  z.object({ kind: z.literal('snapshot'), id: SnapshotIdParams.shape.id }),
  z.object({ kind: z.literal('backup'), id: backupId }),
  z.object({
    kind: z.literal('document'),
    label: line(300).describe('what the document is, for the output (a file name)'),
    document: SchemaDocument,
  }),
  z.object({
    kind: z.literal('sql'),
    label: line(300).describe('what the script is, for the output and errors (its file name)'),
    sql: z.string().max(9_000_000).describe('SQL that creates the schema, applied to an empty scratch database'),
  }),
]);
export type SchemaSide = z.infer<typeof SchemaSide>;

export const SnapshotSummary = z.object({
  id: z.string(),
  database: z.string(),
  takenAt: z.string(),
  takenBy: z.string(),
  fingerprint: z.string().describe('sha256 of the canonical JSON of the objects'),
  objects: z.number().int(),
  accepted: z
    .object({ at: z.string(), by: z.string(), comment: z.string().nullable() })
    .nullable()
    .describe('made the drift reference by `schema accept`'),
});
export type SnapshotSummary = z.infer<typeof SnapshotSummary>;

export const SnapshotDoc = SnapshotSummary.extend({ document: SchemaDocument });
export type SnapshotDoc = z.infer<typeof SnapshotDoc>;

export const SnapshotList = z.object({ database: z.string(), snapshots: z.array(SnapshotSummary) });
export type SnapshotList = z.infer<typeof SnapshotList>;

export const SchemaChange = z.object({
  change: z.enum(['added', 'removed', 'changed']).describe('from side a to side b'),
  kind: z.enum(OBJECT_KINDS),
  name: z.string(),
  table: z.string().optional(),
  fields: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })).optional(),
  definition: z.record(z.string(), z.unknown()).optional(),
});

export const SideInfo = z.object({ label: z.string(), fingerprint: z.string() });

export const DiffRequest = z.object({
  a: SchemaSide,
  b: SchemaSide,
  sql: z
    .boolean()
    .default(false)
    .describe('also the SQL that turns a into b (each side a live database, a backup or a SQL script)'),
});

export const DiffResult = z.object({
  a: SideInfo,
  b: SideInfo,
  equal: z.boolean(),
  changes: z.array(SchemaChange),
  sql: z.string().optional().describe('statements that turn a into b (migra); destructive ones included'),
});
export type DiffResult = z.infer<typeof DiffResult>;

export const DriftResult = z.object({
  database: z.string(),
  reportId: z.string(),
  checkedAt: z.string(),
  reference: SideInfo,
  live: SideInfo,
  drift: z.boolean(),
  changes: z.array(SchemaChange).describe('from the reference (a) to the live database (b)'),
  sql: z
    .string()
    .optional()
    .describe(
      'with a reference SQL file and a drift: the statements that turn the live schema back into the reference (migra)',
    ),
});
export type DriftResult = z.infer<typeof DriftResult>;

export const AcceptRequest = z.object({ comment: freeText(2000).optional() });
