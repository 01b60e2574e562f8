// What a database's catalog says about its tables, read the same way when a backup is taken (in
// the dump's snapshot, recorded in the manifest) and when a restore is assessed (in the
// destination, now): each table's columns, the installed extensions, the write counters of the
// statistics collector, and each table's size and row estimate. Comparing the two is how a
// restore's preview shows schema differences and its checks what changed since the backup.
import type pg from 'pg';

export interface ColumnShape {
  readonly name: string;
  /** As format_type prints it: `character varying(200)`, `bigint`, `timestamp with time zone`. */
  readonly type: string;
  readonly notNull: boolean;
}

export interface TableShape {
  readonly schema: string;
  readonly name: string;
  /** In column order (attnum). */
  readonly columns: readonly ColumnShape[];
}

export interface InstalledExtension {
  readonly name: string;
  readonly version: string;
}

export interface TableWrites {
  readonly schema: string;
  readonly name: string;
  /** n_tup_ins + n_tup_upd + n_tup_del since the statistics were last reset. */
  readonly writes: number;
}

const USER_SCHEMAS = `n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp_)'`;

/** Every plain or partitioned user table with its live columns, ordered by schema and name. */
export async function tableShapes(c: pg.ClientBase): Promise<TableShape[]> {
  const r = await c.query<{ schema: string; name: string; columns: ColumnShape[] }>(
    `select n.nspname as schema, c.relname as name,
            coalesce(json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                                'notNull', a.attnotnull) order by a.attnum)
                     filter (where a.attnum is not null), '[]') as columns
       from pg_catalog.pg_class c
       join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where c.relkind in ('r', 'p') and ${USER_SCHEMAS}
      group by n.nspname, c.relname
      order by n.nspname, c.relname`,
  );
  return r.rows;
}

export async function installedExtensions(c: pg.ClientBase): Promise<InstalledExtension[]> {
  const r = await c.query<InstalledExtension>(
    'select extname as name, extversion as version from pg_catalog.pg_extension order by 1',
  );
  return r.rows;
}

/** The extensions whose control files the server has (what CREATE EXTENSION can install). */
export async function availableExtensions(c: pg.ClientBase): Promise<string[]> {
  const r = await c.query<{ name: string }>('select name from pg_catalog.pg_available_extensions order by 1');
  return r.rows.map((x) => x.name);
}

/** Every user table's write counters (the statistics collector's, not transactional). */
export async function tableWrites(c: pg.ClientBase): Promise<TableWrites[]> {
  const r = await c.query<{ schema: string; name: string; writes: string }>(
    `select schemaname as schema, relname as name, (n_tup_ins + n_tup_upd + n_tup_del)::text as writes
       from pg_catalog.pg_stat_user_tables order by 1, 2`,
  );
  return r.rows.map((x) => ({ schema: x.schema, name: x.name, writes: Number(x.writes) }));
}

export interface TableSize {
  readonly schema: string;
  readonly name: string;
  /** pg_class.reltuples: -1 when the table was never vacuumed or analyzed. */
  readonly reltuples: number;
  /** pg_relation_size of the main fork, in bytes. */
  readonly bytes: number;
}

/** Every plain user table's planner estimate and size: what decides whether counting it is cheap. */
export async function tableSizes(c: pg.ClientBase): Promise<TableSize[]> {
  const r = await c.query<{ schema: string; name: string; reltuples: number; bytes: string }>(
    `select n.nspname as schema, c.relname as name, c.reltuples::float8 as reltuples,
            pg_catalog.pg_relation_size(c.oid)::text as bytes
       from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and ${USER_SCHEMAS}
      order by 1, 2`,
  );
  return r.rows.map((x) => ({
    schema: x.schema,
    name: x.name,
    reltuples: Number(x.reltuples),
    bytes: Number(x.bytes),
  }));
}

/**
 * The server's major version from `server_version_num` (150008 → 15) or `server_version`
 * ("15.8 (Debian …)" → 15). Before 10 a major version was two numbers: 9.6 is 906 either way.
 */
export function majorVersion(version: string | number): number | undefined {
  if (typeof version === 'number') return version >= 100000 ? Math.floor(version / 10000) : Math.floor(version / 100);
  const m = /^(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!m) return undefined;
  const major = Number(m[1]);
  return major >= 10 ? major : major * 100 + Number(m[2] ?? 0);
}
