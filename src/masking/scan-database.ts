// `lifeboat masking scan`: looks at a live PostgreSQL database for columns that probably hold
// personal data, by column name and by a sample of values (scan.ts classifies; this module lists
// the columns — text-like ones, and dates and timestamps for dates of birth — samples them and
// says which findings a masking rule already covers).
//
// The scan reads a production source, so it runs in one read-only transaction and pulls at most
// `sampleRows` short values per column: it never changes the database and never ships a table.
// The sampled values are classified and dropped here; a finding names a column, never a value.
import pg from 'pg';
import type { ColumnRef, MaskingConfig } from '../catalog/types.js';
import { LifeboatError, messageOf } from '../errors.js';
import { withClient } from '../engines/postgres/admin.js';
import type { Secret } from '../lib/secret.js';
import { tableAncestry } from '../engines/postgres/inheritance.js';
import { parseQualifiedName, quoteQualifiedName, tableLabel } from './leak-check.js';
import type { TableAncestry } from './rule-tables.js';
import {
  classifyBirthDates,
  classifyColumnName,
  classifyFreeText,
  classifyValues,
  type PiiKind,
  type PiiMatch,
} from './scan.js';

export type FindingSource = 'name' | 'content' | 'both';

export interface ScanFinding {
  /** As rules name it in lifeboat.yaml: `public.customers`, `"Sales Dept"."Order"`. */
  readonly table: string;
  /** The column's name, unquoted. */
  readonly column: string;
  readonly kind: PiiKind;
  /** 0…1, from the name pattern, the share of sampled values that matched, or the higher of both. */
  readonly confidence: number;
  readonly by: FindingSource;
  /** A masking rule exists for the column. */
  readonly covered: boolean;
  /** The column is listed under `masking.sensitive`. */
  readonly declaredSensitive: boolean;
}

export interface ScanOptions {
  /** Non-null values sampled per column (default 200). */
  readonly sampleRows?: number;
  /** The database's masking section, to mark covered and declared columns. */
  readonly masking?: Pick<MaskingConfig, 'rules' | 'sensitive'>;
  /** The date ages are counted to (dates of birth); now by default. */
  readonly today?: Date;
  readonly signal?: AbortSignal;
}

/** A user table's column of a text-like, date or timestamp type, as the catalog lists it. */
export interface ScannedColumn {
  readonly schema: string;
  readonly table: string;
  readonly column: string;
  /**
   * The base type's name (a domain's base type): text, varchar, bpchar, citext, json, jsonb,
   * date, timestamp, timestamptz.
   */
  readonly type: string;
}

export const DEFAULT_SAMPLE_ROWS = 200;
/** Fewer non-empty samples than this say nothing about a column (classifyValues' own default). */
const MIN_SAMPLES = 5;
/** A name match below this is a guess (`name` alone) that sampled values can overrule. */
const WEAK_NAME = 0.5;
/** Classifiers look at short values; a column of documents must not pull megabytes per row. */
const SAMPLE_CHARS = 1000;

const TEXT_TYPES = ['text', 'varchar', 'bpchar', 'citext', 'json', 'jsonb'];
/** Sampled for dates of birth only. */
const DATE_TYPES = ['date', 'timestamp', 'timestamptz'];
/** The one SQLSTATE that means the role may not read what the scan reads (insufficient_privilege). */
const INSUFFICIENT_PRIVILEGE = '42501';
/**
 * SQLSTATE classes of a server or connection that failed under the scan, rather than of a query
 * it got wrong: 08 connection exception, 53 insufficient resources, 57 operator intervention
 * (shutdown, statement timeout), 58 system error.
 */
const SERVER_FAILURE = /^(?:08|53|57|58)/;

/**
 * Scans `dbname` on the server at `url`: lists every text-like column of the user tables,
 * classifies it by name and by up to `sampleRows` non-null values, and marks each finding
 * covered (a rule masks it) and declared (listed as sensitive). Findings are in catalog order.
 */
export async function scanDatabase(url: Secret, dbname: string, opts: ScanOptions = {}): Promise<ScanFinding[]> {
  const sampleRows = opts.sampleRows ?? DEFAULT_SAMPLE_ROWS;
  return withClient(url, dbname, async (c) => {
    // one snapshot for the whole scan, and a guarantee that a scan of production writes nothing
    await c.query('begin transaction isolation level repeatable read read only');
    try {
      // dates are sampled as ISO text, and a timestamptz in UTC, whatever the server's defaults
      await c.query(`set local datestyle = 'ISO, YMD'`);
      await c.query(`set local timezone = 'UTC'`);
      const columns = await listScannedColumns(c);
      const today = opts.today ?? new Date();
      const matches: Array<{ column: ScannedColumn; match: PiiMatch & { by: FindingSource } }> = [];
      for (const column of columns) {
        opts.signal?.throwIfAborted();
        const samples = await sampleColumn(c, column, sampleRows);
        const match = judgeColumn(classifyColumnName(column.column), samples, {
          dates: DATE_TYPES.includes(column.type),
          today,
        });
        if (match) matches.push({ column, match });
      }
      const coverage = coverageOf(columns, opts.masking ?? { rules: [], sensitive: [] }, await tableAncestry(c));
      return matches.map(({ column, match }) => ({
        table: tableLabel(column.schema, column.table),
        column: column.column,
        kind: match.kind,
        confidence: match.confidence,
        by: match.by,
        covered: coverage.covered.has(columnKey(column)),
        declaredSensitive: coverage.sensitive.has(columnKey(column)),
      }));
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw scanError(dbname, err);
    } finally {
      await c.query('rollback').catch(() => {});
    }
  });
}

/**
 * What a failure of the scan is reported as. Only a permission error (SQLSTATE 42501) is
 * answered with the privileges hint, and a failing server or connection as an engine failure;
 * anything else — a bug in Lifeboat, an error in its own query — is thrown as it is, so that
 * the error model reports it as `internal` with a correlation id instead of sending the operator
 * off to check grants that are fine.
 */
export function scanError(dbname: string, err: unknown): unknown {
  const sqlstate = sqlStateOf(err);
  if (sqlstate === INSUFFICIENT_PRIVILEGE) {
    return new LifeboatError('engine_failed', `unable to scan database ${dbname}: ${messageOf(err)}`, {
      hint: "the server URL's role needs CONNECT on the database and SELECT on every table",
      cause: err,
    });
  }
  if (sqlstate !== undefined && SERVER_FAILURE.test(sqlstate)) {
    return new LifeboatError('engine_failed', `unable to scan database ${dbname}: ${messageOf(err)}`, {
      hint: `the server failed during the scan (SQLSTATE ${sqlstate}); try again when it is back`,
      cause: err,
    });
  }
  return err;
}

/** The SQLSTATE of an error PostgreSQL sent (node-postgres' DatabaseError carries it as `code`). */
function sqlStateOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** User tables' text-like, date and timestamp columns, in schema, table and column order. */
export async function listScannedColumns(c: pg.ClientBase): Promise<ScannedColumn[]> {
  // Partitioned tables are scanned through their parent only (a partition would repeat its
  // parent's findings); tables an extension owns (postgis' spatial_ref_sys…) are not user data.
  const r = await c.query<ScannedColumn>(
    `select n.nspname as schema, c.relname as table, a.attname as column, coalesce(bt.typname, t.typname) as type
       from pg_catalog.pg_attribute a
       join pg_catalog.pg_class c on c.oid = a.attrelid
       join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       join pg_catalog.pg_type t on t.oid = a.atttypid
       left join pg_catalog.pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
      where c.relkind in ('r', 'p')
        and not c.relispartition
        and a.attnum > 0
        and not a.attisdropped
        and n.nspname not in ('pg_catalog', 'information_schema')
        and n.nspname !~ '^pg_(toast|temp_)'
        and coalesce(bt.typname, t.typname) = any($1)
        and not exists (select 1 from pg_catalog.pg_depend d
                         where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
      order by n.nspname, c.relname, a.attnum`,
    [[...TEXT_TYPES, ...DATE_TYPES]],
  );
  return r.rows;
}

/**
 * Up to `limit` values of a column, as text (a JSON string as its content, unquoted; a date or
 * timestamp in ISO format, as the transaction's DateStyle prints it).
 */
export async function sampleColumn(c: pg.ClientBase, column: ScannedColumn, limit: number): Promise<string[]> {
  const col = pg.escapeIdentifier(column.column);
  const value = column.type === 'json' || column.type === 'jsonb' ? `(${col}::jsonb #>> '{}')` : `${col}::text`;
  // The filter is on the value as sampled, not on the column: a JSON `null` is a non-null column
  // value whose `#>> '{}'` is SQL NULL, and a column of them must sample nothing, not NULLs.
  // TABLESAMPLE SYSTEM picks whole pages and often none of a small table's: the first rows will do
  const r = await c.query<{ v: string }>(
    `select left(${value}, ${SAMPLE_CHARS}) as v from ${quoteQualifiedName({ schema: column.schema, name: column.table })}
      where ${value} is not null limit $1`,
    [limit],
  );
  return r.rows.map((row) => row.v);
}

/**
 * One column's verdict from its name and its sampled values. When both point at the same kind
 * the finding is `both`; when they disagree the values win, since they are what the column holds;
 * a weak name guess (`name` alone) is dropped when enough values were sampled to say otherwise.
 * A date or timestamp column's name and values can only say "date of birth"; a text column's say one
 * kind when most values are of it (an email column), else dates of birth written as text, else
 * free text when a fair share carry personal data inside (notes, comments, JSON documents).
 */
export function judgeColumn(
  name: PiiMatch | undefined,
  samples: readonly string[],
  opts: { dates?: boolean; today?: Date } = {},
): (PiiMatch & { by: FindingSource }) | undefined {
  // a date column's name says something only about dates of birth: email_verified_at is a time
  const byName = opts.dates && name?.kind !== 'birth_date' ? undefined : name;
  const today = opts.today ?? new Date();
  const counted = { minSamples: MIN_SAMPLES };
  const byContent = opts.dates
    ? classifyBirthDates(samples, today, counted)
    : (classifyValues(samples, counted) ??
      classifyBirthDates(samples, today, counted) ??
      classifyFreeText(samples, counted));
  if (byName && byContent) {
    return byName.kind === byContent.kind
      ? { kind: byName.kind, confidence: Math.max(byName.confidence, byContent.confidence), by: 'both' }
      : { ...byContent, by: 'content' };
  }
  if (byContent) return { ...byContent, by: 'content' };
  if (!byName) return undefined;
  const sampled = samples.filter((s) => s.trim().length > 0).length;
  if (byName.confidence < WEAK_NAME && sampled >= MIN_SAMPLES) return undefined;
  return { ...byName, by: 'name' };
}

export { tableLabel } from './leak-check.js';

const columnKey = (c: { schema: string; table: string; column: string }) => `${c.schema}\0${c.table}\0${c.column}`;

/**
 * Which of the scanned columns a rule covers and which are declared sensitive. A rule's table is
 * read as SQL reads it (`customers`, `public.customers`, `"Sales Dept"."Order"`); an unqualified
 * name matches the one table of that name, or the one in `public` when several schemas have it.
 * Rules naming a table the database does not have match nothing (the restore reports those).
 * A rule on an inheritance parent also covers the column in the tables below it (`ancestry`).
 */
export function coverageOf(
  columns: readonly ScannedColumn[],
  masking: Pick<MaskingConfig, 'rules' | 'sensitive'>,
  ancestry: readonly TableAncestry[] = [],
): { covered: Set<string>; sensitive: Set<string> } {
  const tables = [...new Map(columns.map((c) => [`${c.schema}\0${c.table}`, c])).values()];
  const keysOf = (refs: readonly ColumnRef[]) => {
    const out = new Set<string>();
    for (const ref of refs) {
      const q = parseQualifiedName(ref.table);
      const named = tables.filter((t) => t.table === q.name && (q.schema === undefined || t.schema === q.schema));
      const pick = named.length > 1 && q.schema === undefined ? named.filter((t) => t.schema === 'public') : named;
      if (pick.length === 1) out.add(columnKey({ schema: pick[0]!.schema, table: pick[0]!.table, column: ref.column }));
    }
    return out;
  };
  const covered = keysOf(masking.rules);
  // a rule on an inheritance parent masks its children's rows too (rule-tables.ts); partitions
  // are not scanned on their own, their partitioned table is
  const ancestorsOf = new Map(ancestry.map((a) => [`${a.schema}\0${a.name}`, a.ancestors]));
  for (const c of columns) {
    const above = ancestorsOf.get(`${c.schema}\0${c.table}`) ?? [];
    if (above.some((a) => covered.has(columnKey({ schema: a.schema, table: a.name, column: c.column })))) {
      covered.add(columnKey(c));
    }
  }
  return { covered, sensitive: keysOf(masking.sensitive) };
}
