// What a restore's safety checks and preview are decided on, gathered in one pass: the control
// plane's own records (other runs on the destination, the newest usable backup, past restores'
// durations), the files a run will read (post-restore scripts), and the destination server as it
// is now (version, extensions, sessions, tables, columns, rows, write counters). Everything here
// is I/O; checks.ts and preview.ts decide on the plain data it returns.
//
// An unreachable destination never throws: it is a fact like the others (`reachable: false`),
// which becomes a blocking check and a preview whose destination rows are unknown.
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type pg from 'pg';
import type { Manifest, TableCount } from '../../backup/manifest.js';
import { PITR_TRIGGER, RESTORABLE_BACKUP_STATUSES } from '../../backup/status.js';
import type { Catalog, DatabaseConfig, ServerConfig, Tier } from '../../catalog/types.js';
import { databaseExists, withAdmin, withClient } from '../../engines/postgres/admin.js';
import {
  availableExtensions,
  type TableShape,
  tableShapes,
  tableSizes,
  type TableWrites,
  tableWrites,
} from '../../engines/postgres/table-schema.js';
import { readSchemaDocument } from '../../engines/postgres/schema-snapshot.js';
import { messageOf } from '../../errors.js';
import type { SchemaDocument } from '../../schema/document.js';
import { redact } from '../../lib/secret.js';
import type { Db } from '../../store/db.js';
import { type CataloguedDatabase, cataloguedDatabases } from '../destination-rule.js';
import { destinationKey } from '../lock.js';
import { crossScopeForeignKeys } from '../steps/restore-tables.js';

export interface AssessInput {
  /** The control-plane store: other runs, past durations, backups. */
  db: Db;
  catalog: Catalog;
  database: DatabaseConfig;
  destination: { server: ServerConfig; dbname: string };
  backup: { id: string; status: string; finishedAt: Date; verifyError: string | null; manifest: Manifest };
  /** The resolved scope; null: the whole database. */
  tables: readonly { schema: string; name: string }[] | null;
  /** The run being assessed: not counted as another run on the destination. */
  runId?: number;
  /** The clock (the RPO is judged against it); defaults to now. */
  now?: Date;
}

/** A table of the destination database, with its rows counted exactly or estimated. */
export interface DestinationTable extends TableShape {
  /** null: not known (an estimate of a table never analyzed). */
  readonly rows: number | null;
  readonly estimated: boolean;
}

export interface ReachableDestination {
  readonly reachable: true;
  /** server_version_num, e.g. 150008. */
  readonly serverVersionNum: number;
  readonly availableExtensions: readonly string[];
  /** Whether the destination database exists (a restore creates it otherwise). */
  readonly exists: boolean;
  /** Client sessions connected to the destination database (other than this one), by user. */
  readonly sessions: readonly { readonly user: string; readonly count: number }[];
  readonly tables: readonly DestinationTable[];
  /** Its tables' write counters now, and when its statistics were last reset (null: never). */
  readonly writes: readonly TableWrites[];
  readonly statsResetAt: Date | null;
  /** With a table scope: foreign keys between a table of the scope and one outside it. */
  readonly foreignKeysOutside: readonly string[];
  /**
   * Its schema document (src/schema/document.ts), read when the backup recorded its own, for the
   * whole schema comparison; absent otherwise, or when it could not be read.
   */
  readonly schemaDocument?: SchemaDocument;
}

export type DestinationState = ReachableDestination | { readonly reachable: false; readonly reason: string };

/** A completed restore onto the same destination server, for the duration estimate. */
export interface PastRestore {
  readonly runId: number;
  readonly durationMs: number;
  /** The uncompressed size of its backup's files (manifest totals.bytes). */
  readonly bytes: number;
  /** Whether it restored the whole database (a table-scoped one is not compared with it). */
  readonly wholeDatabase: boolean;
}

export interface AssessFacts {
  readonly now: Date;
  readonly database: DatabaseConfig;
  readonly destination: { readonly server: string; readonly dbname: string; readonly tier: Tier };
  readonly catalogued: readonly CataloguedDatabase[];
  readonly backup: AssessInput['backup'];
  /** The newest backup a restore would pick by itself (verified or completed), for the RPO. */
  readonly newestUsableBackup: { readonly id: string; readonly finishedAt: Date } | null;
  /** The tables restored, as the backup records them; null: the whole database. */
  readonly scope: readonly TableCount[] | null;
  /** masking.key: absent, present but empty, or usable. */
  readonly maskingKey: 'absent' | 'empty' | 'present';
  /** Each SQL post-restore script and why it cannot be read (null: it can). */
  readonly postRestoreScripts: readonly { readonly path: string; readonly problem: string | null }[];
  /** Other runs that will write the destination, or hold its lock. */
  readonly otherRuns: readonly { readonly id: number; readonly status: string; readonly holdsLock: boolean }[];
  readonly destinationState: DestinationState;
  readonly history: readonly PastRestore[];
}

/** Runs that are going to write their destination (dry runs never do; ended runs no more). */
const ACTIVE_RUN_STATUSES = ['pending_approval', 'approved', 'scheduled', 'queued', 'running'] as const;

/** A table is counted exactly when its estimate is under this many rows… */
export const EXACT_COUNT_MAX_ROWS = 100_000;
/** …or its main fork under this many bytes (an estimate is -1 until the table is first analyzed). */
export const EXACT_COUNT_MAX_BYTES = 16 * 1024 * 1024;
/** How long the destination may take to answer before it counts as unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;

export async function gatherFacts(input: AssessInput): Promise<AssessFacts> {
  const { database, backup } = input;
  const server = input.destination.server;
  const scope = input.tables === null ? null : input.tables.map((t) => inBackup(backup.manifest, t));
  const [newestUsableBackup, postRestoreScripts, otherRuns, destinationState, history] = await Promise.all([
    newestUsable(input.db, database.name),
    readableScripts(database),
    activeRunsOn(input.db, server.name, input.destination.dbname, input.runId),
    destinationNow(
      server,
      input.destination.dbname,
      scope,
      backup.manifest.tables,
      backup.manifest.schemaSnapshot !== undefined,
    ),
    pastRestores(input.db, server.name, input.runId),
  ]);
  return {
    now: input.now ?? new Date(),
    database,
    destination: { server: server.name, dbname: input.destination.dbname, tier: server.tier },
    catalogued: cataloguedDatabases(input.catalog),
    backup,
    newestUsableBackup,
    scope,
    maskingKey: maskingKeyState(database),
    postRestoreScripts,
    otherRuns,
    destinationState,
    history,
  };
}

function inBackup(manifest: Manifest, t: { schema: string; name: string }): TableCount {
  // the scope was resolved against this very manifest; a table it lacks has no rows to restore
  return manifest.tables.find((m) => m.schema === t.schema && m.name === t.name) ?? { ...t, rows: 0 };
}

function maskingKeyState(database: DatabaseConfig): AssessFacts['maskingKey'] {
  const key = database.masking.key;
  if (key === undefined) return 'absent';
  return key.reveal().length === 0 ? 'empty' : 'present';
}

async function newestUsable(db: Db, database: string): Promise<AssessFacts['newestUsableBackup']> {
  const row = await db
    .selectFrom('backups')
    .select(['id', 'finished_at'])
    .where('database', '=', database)
    .where('deleted_at', 'is', null)
    .where('status', 'in', RESTORABLE_BACKUP_STATUSES)
    .where('trigger', '<>', PITR_TRIGGER)
    .where('finished_at', 'is not', null)
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { id: row.id, finishedAt: row.finished_at! } : null;
}

async function readableScripts(database: DatabaseConfig): Promise<AssessFacts['postRestoreScripts']> {
  const scripts = database.postRestore.flatMap((s) => (s.kind === 'sql' ? [s.path] : []));
  return Promise.all(
    scripts.map(async (path) => {
      try {
        await readFile(path);
        return { path, problem: null };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const problem =
          code === 'ENOENT'
            ? 'does not exist'
            : code === 'EACCES'
              ? 'cannot be read (permission denied)'
              : code === 'EISDIR'
                ? 'is a directory'
                : `cannot be read (${code ?? 'unreadable'})`;
        return { path, problem };
      }
    }),
  );
}

async function activeRunsOn(
  db: Db,
  server: string,
  dbname: string,
  runId: number | undefined,
): Promise<AssessFacts['otherRuns']> {
  const [runs, lock] = await Promise.all([
    db
      .selectFrom('restore_runs')
      .select(['id', 'status'])
      .where('destination_server', '=', server)
      .where('destination_dbname', '=', dbname)
      .where('status', 'in', ACTIVE_RUN_STATUSES)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('destination_locks')
      .innerJoin('restore_runs', 'restore_runs.id', 'destination_locks.run_id')
      .select(['destination_locks.run_id', 'restore_runs.status'])
      .where('destination_locks.destination', '=', destinationKey(server, dbname))
      .executeTakeFirst(),
  ]);
  const out = runs
    .map((r) => ({ id: Number(r.id), status: r.status, holdsLock: lock !== undefined && Number(lock.run_id) === r.id }))
    .filter((r) => r.id !== runId);
  if (lock && Number(lock.run_id) !== runId && !out.some((r) => r.holdsLock)) {
    out.push({ id: Number(lock.run_id), status: lock.status, holdsLock: true });
  }
  return out.sort((a, b) => a.id - b.id);
}

async function pastRestores(db: Db, server: string, runId: number | undefined): Promise<PastRestore[]> {
  const rows = await db
    .selectFrom('restore_runs as r')
    .innerJoin('backups as b', 'b.id', 'r.backup_id')
    .select([
      'r.id',
      'r.tables',
      sql<number>`extract(epoch from (r.finished_at - r.started_at)) * 1000`.as('ms'),
      sql<number | null>`(b.manifest -> 'totals' ->> 'bytes')::float8`.as('bytes'),
    ])
    .where('r.destination_server', '=', server)
    .where('r.status', '=', 'completed')
    .where('r.started_at', 'is not', null)
    .where('r.finished_at', 'is not', null)
    .orderBy('r.finished_at', 'desc')
    .limit(50)
    .execute();
  return rows
    .filter((r) => r.id !== runId && r.bytes !== null)
    .map((r) => ({
      runId: Number(r.id),
      durationMs: Number(r.ms),
      bytes: Number(r.bytes),
      wholeDatabase: r.tables === null,
    }));
}

/** The destination as it is now; never throws for a server that cannot be reached. */
async function destinationNow(
  server: ServerConfig,
  dbname: string,
  scope: readonly TableCount[] | null,
  restoredTables: readonly TableCount[],
  withDocument: boolean,
): Promise<DestinationState> {
  try {
    const onServer = await withAdmin(
      server.url,
      async (c) => {
        const v = await c.query<{ v: string }>("select current_setting('server_version_num') as v");
        return {
          serverVersionNum: Number(v.rows[0]!.v),
          availableExtensions: await availableExtensions(c),
          exists: await databaseExists(c, dbname),
        };
      },
      { connectTimeoutMs: CONNECT_TIMEOUT_MS },
    );
    if (!onServer.exists) {
      return {
        reachable: true,
        ...onServer,
        sessions: [],
        tables: [],
        writes: [],
        statsResetAt: null,
        foreignKeysOutside: [],
      };
    }
    // one connection to the destination database reads everything (and is left out of the sessions)
    const inDatabase = await withClient(
      server.url,
      dbname,
      async (c) => ({
        sessions: await sessionsOn(c),
        tables: await countedTables(c, new Set((scope ?? restoredTables).map((t) => `${t.schema}.${t.name}`))),
        writes: await tableWrites(c),
        statsResetAt: await statsResetAt(c),
        foreignKeysOutside: scope === null ? [] : await crossScopeForeignKeys(c, scope),
        // the comparison falls back to tables and columns if the document cannot be read
        ...(withDocument
          ? await readSchemaDocument(c).then(
              (schemaDocument) => ({ schemaDocument }),
              () => ({}),
            )
          : {}),
      }),
      { connectTimeoutMs: CONNECT_TIMEOUT_MS },
    );
    return { reachable: true, ...onServer, ...inDatabase };
  } catch (err) {
    // the driver's messages may echo a connection string: never the URL in a check
    return { reachable: false, reason: redact(messageOf(err), [server.url]) };
  }
}

async function sessionsOn(c: pg.ClientBase): Promise<ReachableDestination['sessions']> {
  const r = await c.query<{ user: string | null; n: number }>(
    `select usename as user, count(*)::int as n from pg_catalog.pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'
      group by usename order by usename`,
  );
  return r.rows.map((x) => ({ user: x.user ?? '(unknown)', count: x.n }));
}

async function statsResetAt(c: pg.ClientBase): Promise<Date | null> {
  const r = await c.query<{ at: Date | null }>(
    'select stats_reset as at from pg_catalog.pg_stat_database where datname = current_database()',
  );
  return r.rows[0]?.at ?? null;
}

/**
 * Each table's columns and rows: `count(*)` where that is cheap (a small estimate or a small
 * table), the planner's estimate otherwise — and for a count that takes too long. Only the
 * tables the restore writes (`counted`, as `schema.name`) are counted: the others are shown by
 * name in the schema differences, never by rows.
 */
async function countedTables(c: pg.ClientBase, counted: ReadonlySet<string>): Promise<DestinationTable[]> {
  const [shapes, sizes] = await Promise.all([tableShapes(c), tableSizes(c)]);
  await c.query("set statement_timeout = '10s'");
  const out: DestinationTable[] = [];
  for (const shape of shapes) {
    const size = sizes.find((s) => s.schema === shape.schema && s.name === shape.name);
    // a partitioned table holds no rows itself: its partitions are listed (and counted) on their own
    if (size === undefined) continue;
    const estimate = size.reltuples < 0 ? null : Math.round(size.reltuples);
    const cheap =
      counted.has(`${shape.schema}.${shape.name}`) &&
      ((estimate !== null && estimate < EXACT_COUNT_MAX_ROWS) || size.bytes < EXACT_COUNT_MAX_BYTES);
    let rows: number | null = estimate;
    let estimated = true;
    if (cheap) {
      try {
        const r = await c.query<{ n: string }>(
          `select count(*) as n from only ${quoteIdent(shape.schema)}.${quoteIdent(shape.name)}`,
        );
        rows = Number(r.rows[0]!.n);
        estimated = false;
      } catch {
        // (a lock or the timeout: the estimate stands, flagged as one)
      }
    }
    out.push({ ...shape, rows, estimated });
  }
  await c.query('reset statement_timeout');
  return out;
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
