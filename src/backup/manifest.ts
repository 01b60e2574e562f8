// The backup manifest: what a backup holds, written beside its files (last, so a backup without
// a manifest is incomplete by definition) and mirrored in the catalog. It carries no key: the
// encryption section says how files were encrypted, never with what.
import { z } from 'zod';
import { SchemaDocument } from '../schema/document.js';

export const MANIFEST_FORMAT = 'lifeboat-backup/1';
export const MANIFEST_FILE = 'manifest.json';

export const BackupFile = z.object({
  /** The file as pg_dump wrote it (the name inside a stock pg_dump directory). */
  name: z.string(),
  /** The object in storage, relative to the backup's prefix. */
  stored: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().length(64),
  storedBytes: z.number().int().nonnegative(),
  storedSha256: z.string().length(64),
});
export type BackupFile = z.infer<typeof BackupFile>;

export const TableCount = z.object({
  schema: z.string(),
  name: z.string(),
  rows: z.number().int().nonnegative(),
  /** The data file holding the table's rows (absent for an empty-schema table with no data entry). */
  file: z.string().optional(),
});
export type TableCount = z.infer<typeof TableCount>;

export const TableRef = z.object({ schema: z.string(), name: z.string() });

/** A table of the backup that is a partition or an inheritance child, and what it descends from. */
export const TableInheritance = TableRef.extend({
  /** The partitioned tables and inheritance parents above it, nearest first. */
  ancestors: z.array(TableRef).min(1),
});
export type TableInheritance = z.infer<typeof TableInheritance>;

/** A column as the dump's snapshot had it (src/engines/postgres/table-schema.ts). */
export const ColumnShape = z.object({ name: z.string(), type: z.string(), notNull: z.boolean() });

/** A table with its columns, in column order. */
export const TableShape = TableRef.extend({ columns: z.array(ColumnShape) });
export type TableShape = z.infer<typeof TableShape>;

export const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  id: z.string(),
  database: z.string(),
  server: z.string(),
  dbname: z.string(),
  serverVersion: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  tools: z.object({ pg_dump: z.string(), lifeboat: z.string() }),
  jobs: z.number().int(),
  /** How the stored data files are compressed: `gzip` by pg_dump itself, `zstd` by Lifeboat on the stream. */
  compression: z.object({ method: z.enum(['gzip', 'zstd', 'none']), level: z.number().int().optional() }),
  encryption: z
    .object({
      format: z.literal('age'),
      mode: z.enum(['passphrase', 'recipients']),
      recipients: z.array(z.string()).optional(),
      /** With a passphrase: the per-backup age identity, itself encrypted with the passphrase. */
      keyFile: z.string().optional(),
    })
    .nullable(),
  files: z.array(BackupFile),
  tables: z.array(TableCount),
  /**
   * Every table of `tables` that is a partition (at any level) or an inheritance child, taken in
   * the dump's snapshot: a masking rule on a parent applies to them (src/masking/rule-tables.ts).
   * Absent in backups taken before Lifeboat recorded it, which is not the same as `[]` (none).
   */
  inheritance: z.array(TableInheritance).optional(),
  /**
   * Every table's columns (name, type, not null), taken in the dump's snapshot: what a restore's
   * preview compares with the destination's. Absent in backups taken before Lifeboat recorded it.
   */
  schema: z.array(TableShape).optional(),
  /**
   * The whole schema as a snapshot document (src/schema/document.ts), read in the dump's snapshot:
   * what `lifeboat schema diff <backup> …` compares. Absent in backups taken before it was recorded.
   */
  schemaSnapshot: SchemaDocument.optional(),
  /** The extensions installed in the database, in the dump's snapshot. Absent: not recorded. */
  extensions: z.array(z.object({ name: z.string(), version: z.string() })).optional(),
  /**
   * Each table's write counters (n_tup_ins + n_tup_upd + n_tup_del of pg_stat_user_tables) when
   * the snapshot was exported: compared with the source's counters later, they tell whether the
   * source was written after the backup (src/restore/assess/checks.ts). Absent: not recorded.
   */
  writes: z.array(TableRef.extend({ writes: z.number().nonnegative() })).optional(),
  totals: z.object({
    files: z.number(),
    bytes: z.number(),
    storedBytes: z.number(),
    rows: z.number(),
    tables: z.number(),
  }),
  schemaFingerprint: z.string(),
});
export type Manifest = z.infer<typeof Manifest>;

/** Where a backup's objects live in its storage. */
export function backupPrefix(database: string, id: string): string {
  return `${database}/${id}/`;
}
