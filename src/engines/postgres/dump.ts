// pg_dump and pg_restore --list, and what Lifeboat needs to know around them: the server's
// version, the tables (with their OIDs) in the dump's snapshot, and the archive's table of contents.
import pg from 'pg';
import type { SchemaDocument } from '../../schema/document.js';
import { readSchemaDocument } from './schema-snapshot.js';
import { LifeboatError } from '../../errors.js';
import { run, tail } from '../../lib/process.js';
import { redact, type Secret } from '../../lib/secret.js';
import type { TableAncestry } from '../../masking/rule-tables.js';
import { pgBin } from './binaries.js';
import { tableAncestry } from './inheritance.js';
import {
  type InstalledExtension,
  installedExtensions,
  type TableShape,
  tableShapes,
  type TableWrites,
  tableWrites,
} from './table-schema.js';
import { clientConfig, libpqEnv } from './libpq.js';

export interface SnapshotTable {
  oid: number;
  schema: string;
  name: string;
}

/**
 * A REPEATABLE READ transaction whose snapshot pg_dump imports (`--snapshot`): the tables listed
 * here are exactly the dump's. Kept open until the dump ends, then released.
 */
export interface ExportedSnapshot {
  id: string;
  serverVersion: string;
  tables: SnapshotTable[];
  /** Which tables are partitions or inheritance children of which, in the same snapshot. */
  ancestry: TableAncestry[];
  /** Every table's columns, the installed extensions and the tables' write counters, in the same snapshot. */
  shapes: TableShape[];
  extensions: InstalledExtension[];
  writes: TableWrites[];
  /**
   * Every table's exact row count, by OID, counted in the exported snapshot itself (so in the
   * dump's snapshot), one table at a time on the exporting connection, while pg_dump runs.
   */
  countRows(signal?: AbortSignal): Promise<Map<number, number>>;
  /**
   * The whole schema as a snapshot document (src/schema/document.ts), in the snapshot. Read once
   * pg_dump runs, not before: pg_get_expr locks each table it deparses, and a table locked in the
   * source must hold up pg_dump (which then says so), not the export of the snapshot.
   */
  readSchema(): Promise<SchemaDocument>;
  /** Ends the snapshot's transaction and connection; never rejects, and a second call awaits the first. */
  release(): Promise<void>;
}

export async function exportSnapshot(url: Secret, dbname: string): Promise<ExportedSnapshot> {
  const client = new pg.Client(clientConfig(url, dbname, 'lifeboat-backup'));
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw new LifeboatError(
      'engine_failed',
      `unable to connect to database ${dbname}: ${redact((err as Error).message, [url])}`,
      {
        hint: 'check the server URL, the credentials and that the database exists',
        cause: err,
      },
    );
  }
  await client.query('begin isolation level repeatable read read only');
  const snap = await client.query<{ id: string; v: string }>(
    "select pg_export_snapshot() as id, current_setting('server_version') as v",
  );
  const tables = await client.query<{ oid: number; schema: string; name: string }>(
    `select c.oid::int8 as oid, n.nspname as schema, c.relname as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')
        and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'
      order by 2, 3`,
  );
  const ancestry = await tableAncestry(client);
  const shapes = await tableShapes(client);
  const extensions = await installedExtensions(client);
  const writes = await tableWrites(client);
  let released: Promise<void> | undefined;
  return {
    id: snap.rows[0]!.id,
    serverVersion: snap.rows[0]!.v,
    tables: tables.rows.map((r) => ({ oid: Number(r.oid), schema: r.schema, name: r.name })),
    ancestry,
    shapes,
    extensions,
    writes,
    async countRows(signal) {
      const counts = new Map<number, number>();
      // one process, beside pg_dump's: parallel workers would compete with the dump itself
      await client.query('set local max_parallel_workers_per_gather = 0');
      for (const t of tables.rows) {
        signal?.throwIfAborted();
        const r = await client.query<{ n: string }>(
          `select count(*) as n from only ${pg.escapeIdentifier(t.schema)}.${pg.escapeIdentifier(t.name)}`,
        );
        counts.set(Number(t.oid), Number(r.rows[0]!.n));
      }
      return counts;
    },
    readSchema() {
      return readSchemaDocument(client);
    },
    release() {
      return (released ??= (async () => {
        await client.query('rollback').catch(() => {});
        await client.end().catch(() => {});
      })());
    },
  };
}

export interface PgDumpOptions {
  url: Secret;
  dbname: string;
  dir: string;
  jobs: number;
  /** pg_dump's own gzip level; 0 writes uncompressed files. */
  compressLevel: number;
  snapshot?: string;
  /** -v: pg_dump reports each finished data item (parallel mode), for storing while it dumps. */
  verbose?: boolean;
  /** false: --no-sync, for output that is scratch (copied elsewhere, then deleted). */
  sync?: boolean;
  signal?: AbortSignal;
  onLog?: (line: string) => void;
}

export async function pgDump(o: PgDumpOptions): Promise<void> {
  const args = ['-Fd', '-j', String(o.jobs), '-Z', String(o.compressLevel), '-f', o.dir, '--no-password'];
  if (o.snapshot) args.push(`--snapshot=${o.snapshot}`);
  if (o.verbose) args.push('-v');
  if (o.sync === false) args.push('--no-sync');
  const r = await run(pgBin('pg_dump'), args, {
    env: libpqEnv(o.url, o.dbname),
    signal: o.signal,
    onStderrLine: (l) => o.onLog?.(redact(l, [o.url])),
  });
  if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted');
  if (r.code !== 0) {
    const why = r.signal ? `pg_dump was killed (${r.signal})` : `pg_dump failed: ${redact(tail(r.stderr, 3), [o.url])}`;
    throw new LifeboatError('engine_failed', why, { hint: "the run log has pg_dump's full output" });
  }
}

export interface TocEntry {
  dumpId: number;
  oid: number;
  type: string;
}

/** `pg_restore --list` of a directory archive (reads only its toc.dat). */
export async function pgRestoreList(dir: string, signal?: AbortSignal): Promise<string> {
  const r = await run(pgBin('pg_restore'), ['--list', dir], { signal });
  if (r.code !== 0) {
    throw new LifeboatError('engine_failed', `pg_restore --list failed: ${tail(r.stderr, 3)}`, {
      hint: "the archive's table of contents is unreadable: the backup is corrupt",
    });
  }
  return r.stdout;
}

/** The TABLE DATA entries of a `pg_restore --list`: dump id (the data file's name) and table OID. */
export function tableDataEntries(list: string): TocEntry[] {
  const out: TocEntry[] = [];
  for (const line of list.split('\n')) {
    const m = /^(\d+); (\d+) (\d+) TABLE DATA /.exec(line);
    if (m) out.push({ dumpId: Number(m[1]), oid: Number(m[3]), type: 'TABLE DATA' });
  }
  return out;
}

/**
 * How many indexes and constraints a `pg_restore --list` holds: what pg_restore builds after the
 * data (the post-data section), for a progress that knows how much is left after the last row.
 */
export function postDataItems(list: string): number {
  return list.split('\n').filter((l) => /^\d+; \d+ \d+ (INDEX|INDEX ATTACH|CONSTRAINT|FK CONSTRAINT) /.test(l)).length;
}

/**
 * A fingerprint of the schema: the table of contents without dump ids, OIDs, data entries and
 * comments, so two backups of an unchanged schema have the same fingerprint.
 */
export function schemaFingerprintSource(list: string): string {
  return list
    .split('\n')
    .filter((l) => /^\d+;/.test(l) && !/ TABLE DATA | SEQUENCE SET /.test(l))
    .map((l) => l.replace(/^\d+; \d+ \d+ /, ''))
    .sort()
    .join('\n');
}

export async function pgDumpVersion(): Promise<string> {
  const r = await run(pgBin('pg_dump'), ['--version']);
  return r.stdout.trim();
}
