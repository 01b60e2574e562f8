// Taking a backup, as a runbook (STYLE.md §5):
//   mark running → export a snapshot → pg_dump in it, while storing each file as pg_dump writes
//   it (hash, compress, encrypt) and counting every table's rows in the same snapshot → check
//   the stored files against pg_dump's final ones → map data files to tables → write the
//   manifest, last → mark completed → verify what was stored → mark verified | corrupt | unverifiable
// On any failure the backup's objects are removed, the row says `failed` with the reason, and the
// run log is kept. A backup without its manifest is never listed as complete. While it runs, the
// backup carries its worker's id and a heartbeat (heartbeat.ts): a backup whose worker dies is
// failed by the reaper (reap.ts), and a worker that finds its backup reaped stops at once.
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { Catalog, DatabaseConfig } from '../catalog/types.js';
import {
  type ExportedSnapshot,
  exportSnapshot,
  pgDump,
  pgDumpVersion,
  pgRestoreList,
  schemaFingerprintSource,
  tableDataEntries,
} from '../engines/postgres/dump.js';
import { LifeboatError, messageOf } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import { redact, type Secret } from '../lib/secret.js';
import { openCatalogStorage } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';
import type { Db } from '../store/db.js';
import type { SchemaDocument } from '../schema/document.js';
import { VERSION } from '../version.js';
import { makeScratchDir } from '../worker/scratch.js';
import { fileCodec } from './codec.js';
import { KEY_FILE, newBackupKeys } from './keys.js';
import { backupPrefix, type Manifest, MANIFEST_FILE, MANIFEST_FORMAT, type TableCount } from './manifest.js';
import { startBackupHeartbeat } from './heartbeat.js';
import { backupProgressWriter, dumpPercent, type ProgressWriter } from './progress.js';
import { endedElsewhere } from './cancel.js';
import { setBackupStatus } from './set-status.js';
import { type BackupStatus, backupStatusOf } from './status.js';
import { FinishedItems, hashWhileDumping, storeWhileDumping, type StoredFile } from './store-files.js';
import { verifyBackup } from './verify-backup.js';

export interface BackupDeps {
  db: Db;
  catalog: Catalog;
  logger: Logger;
  signal?: AbortSignal;
  /** The worker running the backup, recorded on it with a heartbeat. */
  workerId?: string;
  /** Tests lower age's scrypt cost; production keeps the default. */
  scryptWorkFactor?: number;
  /**
   * Dump from this instance instead of the database's server: a scratch instance recovered to a
   * point in time (src/restore/pitr-source.ts). Same roles and database name, another port.
   */
  from?: Secret;
  /**
   * The backup is already `running` under this worker (a backup of a database as it was at T is
   * marked running when its recovery starts, src/restore/pitr-source.ts): not started again.
   */
  running?: boolean;
  /**
   * Called once the dump is stored and the backup `completed`, before it is verified: the source
   * is not read any more (a pitr backup's scratch instance is removed then, before any client
   * can see the backup verified).
   */
  afterDump?: () => Promise<void>;
  /** Lines the run log starts with (what the job did before the dump: the recovery of a pitr backup). */
  logged?: readonly string[];
}

/**
 * The default compression: pg_dump's own gzip, so that the stored directory is a stock pg_dump
 * archive that pg_restore reads as it is (unencrypted). `method: zstd` compresses on the stream
 * instead: on text-heavy data several times faster, but restoring without Lifeboat then needs
 * `backup fetch` (PostgreSQL 15's pg_restore cannot read zstd).
 */
export const DEFAULT_COMPRESSION: NonNullable<BackupPolicyCompression> = { method: 'gzip' };
type BackupPolicyCompression = NonNullable<DatabaseConfig['backup']>['compression'];

class RunLog {
  readonly lines: string[];
  constructor(
    private readonly secrets: Parameters<typeof redact>[1],
    logged: readonly string[] = [],
  ) {
    this.lines = [...logged];
  }
  add(line: string): void {
    this.lines.push(`${new Date().toISOString()} ${redact(line, this.secrets)}`);
  }
  text(): string {
    return this.lines.join('\n');
  }
}

/** The backup stopped being this worker's while it ran: cancelled by a user, or failed by the reaper. */
class WorkerLost extends Error {
  constructor() {
    super('the backup was ended while this worker ran it: cancelled, or failed by the reaper');
  }
}

export async function runBackup(deps: BackupDeps, backupId: string): Promise<BackupStatus> {
  const row = await deps.db.selectFrom('backups').selectAll().where('id', '=', backupId).executeTakeFirstOrThrow();
  const database = deps.catalog.databases[row.database];
  if (!database?.backup) {
    await markFailed(deps.db, backupId, `database ${row.database} has no backup policy in lifeboat.yaml any more`, '');
    return 'failed';
  }
  // cancelled (or failed by the reaper) before a worker took it: nothing to do
  if (!deps.running && row.status !== 'queued') return backupStatusOf(row.status);
  const catalogued = deps.catalog.servers[database.server]!;
  const server = deps.from ? { ...catalogued, url: deps.from } : catalogued;
  const workerId = deps.workerId ?? `local-${process.pid}`;
  const startedAt = new Date();
  // the snapshot is exported while the backup is marked running: pg_dump starts as soon as it exists
  const snapshotting = exportSnapshot(server.url, database.dbname);
  snapshotting.catch(() => {}); // awaited in dumpAndStore, which says why it failed
  const releaseSnapshot = () =>
    snapshotting.then(
      (s) => s.release(),
      () => {},
    );
  const storage = openCatalogStorage(deps.catalog.storage[database.backup.storage]!);
  const log = new RunLog([server.url], deps.logged);
  const prefix = backupPrefix(database.name, backupId);
  let work: string;
  try {
    [work] = await Promise.all([
      makeScratchDir('backup', backupId),
      deps.running
        ? undefined
        : setBackupStatus(deps.db, backupId, 'start', {
            set: { started_at: startedAt, worker_id: workerId, heartbeat_at: startedAt },
          }),
    ]);
  } catch (err) {
    // (a backup that could not even start is failed at once, not left to the reaper)
    await markFailed(deps.db, backupId, redact(messageOf(err), [server.url]), '', workerId).catch(() => {});
    await releaseSnapshot();
    await storage.close?.();
    throw err;
  }
  // the dump stops when the worker shuts down, or when it learns that the reaper failed the backup
  const lost = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, lost.signal]) : lost.signal;
  setMaxListeners(0, signal);
  const heartbeat = startBackupHeartbeat(deps.db, backupId, workerId, () => lost.abort(new WorkerLost()));
  const progress = backupProgressWriter(deps.db, backupId, workerId);
  try {
    log.add(`backup ${backupId} of ${database.name} (${server.name}/${database.dbname}) to ${storage.describe()}`);
    const manifest = await dumpAndStore(
      { ...deps, signal },
      database,
      storage,
      prefix,
      work,
      backupId,
      startedAt,
      log,
      snapshotting,
      progress,
    );
    const finished = await setBackupStatus(deps.db, backupId, 'finish', {
      set: {
        finished_at: new Date(manifest.finishedAt),
        bytes: manifest.totals.storedBytes,
        rows: manifest.totals.rows,
        manifest: JSON.stringify(manifest),
        log: log.text(),
      },
      guard: (b) => b.status === 'running' && b.worker_id === workerId,
    });
    if (!finished) throw new WorkerLost();
    heartbeat.stop();
    await deps.afterDump?.();
    log.add('verifying what was stored');
    progress.report({ phase: 'verifying', percent: null });
    // pg_restore --list read the very toc.dat whose checksum is in the manifest (both after
    // pg_dump had exited): the stored one is checked against it, not listed a second time
    const tocListed = manifest.files.find((f) => f.name === 'toc.dat')?.sha256;
    const verdict = await verifyBackup({ ...deps, storage }, backupId, { contents: false, tocListed });
    log.add(verdict.status === 'verified' ? 'verified' : `verification: ${verdict.status}: ${verdict.reason}`);
    await progress.flush();
    await deps.db.updateTable('backups').set({ log: log.text() }).where('id', '=', backupId).execute();
    return verdict.status;
  } catch (err) {
    heartbeat.stop();
    const reaped = lost.signal.aborted;
    const reason = reaped ? messageOf(lost.signal.reason) : redact(messageOf(err), [server.url]);
    log.add(`${reaped ? 'stopped' : 'failed'}: ${reason}`);
    deps.logger.warn({ backupId, reason }, 'backup failed');
    // what this worker wrote after the reaper cleaned up goes too: a failed backup leaves nothing
    await storage.deletePrefix(prefix).catch((e) => log.add(`could not remove partial files: ${messageOf(e)}`));
    if (!reaped) {
      await markFailed(deps.db, backupId, reason, log.text(), workerId);
      return 'failed';
    }
    return endedElsewhere(deps.db, backupId, log.text());
  } finally {
    heartbeat.stop();
    await progress.flush();
    // released as soon as the dump and the counts are done (in dumpAndStore); awaited here
    await releaseSnapshot();
    await rm(work, { recursive: true, force: true });
    await storage.close?.();
  }
}

async function dumpAndStore(
  deps: BackupDeps,
  database: DatabaseConfig,
  storage: Storage,
  prefix: string,
  work: string,
  backupId: string,
  startedAt: Date,
  log: RunLog,
  snapshotting: Promise<ExportedSnapshot>,
  progress: ProgressWriter,
): Promise<Manifest> {
  const policy = database.backup!;
  const catalogued = deps.catalog.servers[database.server]!;
  const server = deps.from ? { ...catalogued, url: deps.from } : catalogued;
  const compression = policy.compression ?? DEFAULT_COMPRESSION;

  const keys = policy.encrypt ? await newBackupKeys(policy.encrypt, deps.scryptWorkFactor) : undefined;
  if (keys?.keyFile)
    await storage.write(`${prefix}${KEY_FILE}`, Readable.from([keys.keyFile]), { signal: deps.signal });
  const codec = fileCodec({
    zstd: compression.method === 'zstd',
    zstdLevel: compression.level,
    encrypt: keys?.encrypt,
  });
  const tocCodec = fileCodec({ zstd: false, encrypt: keys?.encrypt });
  // Files kept exactly as pg_dump writes them, in a local directory: pg_dump writes straight into
  // storage and nothing is copied (the backup is complete once its manifest is written, as when
  // files are copied). Otherwise it writes to scratch, and each file is stored while it grows.
  const direct = codec.suffix === '' && tocCodec.suffix === '' && storage.localPath !== undefined;
  const dir = direct ? storage.localPath!(prefix.replace(/\/$/, '')) : join(work, 'dump');
  if (direct) {
    await mkdir(dirname(dir), { recursive: true });
    // pg_dump refuses a directory that exists: what a retried job's first attempt left goes
    await rm(dir, { recursive: true, force: true });
  }

  // asked now, answered long before the manifest needs it
  const pgDumpVersionNow = pgDumpVersion();
  pgDumpVersionNow.catch(() => {}); // awaited below
  log.add('exporting a snapshot');
  const snapshot = await snapshotting;
  let files: StoredFile[];
  let toc: string;
  let counts: Map<number, number>;
  let schemaDocument: SchemaDocument;
  try {
    log.add(
      `pg_dump -Fd -j ${policy.jobs} (${compression.method}) in snapshot ${snapshot.id}, ${direct ? 'writing straight into storage' : 'storing files as they are written'}`,
    );
    const finished = new FinishedItems();
    const totalTables = snapshot.tables.length;
    let tablesDone = 0;
    const dumped = () =>
      progress.report({
        phase: 'dumping',
        percent: dumpPercent(tablesDone, totalTables),
        tables: tablesDone,
        totalTables,
      });
    dumped();
    const dumping = pgDump({
      url: server.url,
      dbname: database.dbname,
      dir,
      jobs: policy.jobs,
      compressLevel: compression.method === 'gzip' ? (compression.level ?? 6) : 0,
      snapshot: snapshot.id,
      verbose: true,
      sync: direct, // pg_dump's fsync makes stored files durable; scratch needs none
      signal: deps.signal,
      onLog: (l) => {
        const m = /finished item (\d+) TABLE DATA/.exec(l);
        if (m) {
          finished.add(m[1]!);
          tablesDone++;
          dumped();
        } else if (/error|warning|fatal/i.test(l)) log.add(`pg_dump: ${l}`);
      },
    });
    const storing = direct
      ? hashWhileDumping({ dir, signal: deps.signal, finished, dumpEnded: dumping })
      : storeWhileDumping({
          dir,
          storage,
          prefix,
          codec,
          tocCodec,
          signal: deps.signal,
          finished,
          dumpEnded: dumping,
        });
    // counted in the same snapshot, beside pg_dump (reading the data files back costs more: most
    // are pg_dump's gzip)
    const counting = snapshot.countRows(deps.signal);
    counting.catch(() => {}); // awaited below
    // on the same connection, after the counts (pg_dump holds its locks on every table by then)
    const readingSchema = counting.then(() => snapshot.readSchema());
    readingSchema.catch(() => {}); // awaited below
    try {
      await dumping;
    } catch (err) {
      await storing.catch(() => {});
      throw err;
    }
    log.add('pg_dump finished');
    // the table of contents is complete once pg_dump has exited: listed while the last files
    // are stored and the counts come in
    [files, counts, toc, schemaDocument] = await Promise.all([
      storing,
      counting,
      pgRestoreList(dir, deps.signal),
      readingSchema,
    ]);
  } finally {
    // the snapshot is not needed any more: it ends while the manifest is written and verified
    void snapshot.release();
  }

  const fileOfOid = new Map(tableDataEntries(toc).map((e) => [e.oid, e.dumpId]));
  // rows counted in the snapshot; an uncompressed data file's own line count must agree
  const rowsInFile = new Map(
    files.filter((f) => f.rows !== undefined).map((f) => [f.name.replace(/\.dat(\.gz)?$/, ''), f.rows!]),
  );
  const tables: TableCount[] = snapshot.tables.map((t) => {
    const dumpId = fileOfOid.get(t.oid);
    const name =
      dumpId === undefined
        ? undefined
        : files.find((f) => f.name === `${dumpId}.dat` || f.name === `${dumpId}.dat.gz`)?.name;
    const rows = counts.get(t.oid) ?? 0;
    const inFile = dumpId === undefined ? undefined : rowsInFile.get(String(dumpId));
    if (inFile !== undefined && inFile !== rows) {
      throw new LifeboatError(
        'engine_failed',
        `pg_dump's data for ${t.schema}.${t.name} has ${inFile} rows, the snapshot has ${rows}`,
        { hint: 'the dump is incomplete; the backup was not kept — run it again' },
      );
    }
    return { schema: t.schema, name: t.name, rows, ...(name ? { file: name } : {}) };
  });
  const finishedAt = new Date();
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    id: backupId,
    database: database.name,
    server: server.name,
    dbname: database.dbname,
    serverVersion: snapshot.serverVersion,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    tools: { pg_dump: await pgDumpVersionNow, lifeboat: VERSION },
    jobs: policy.jobs,
    compression: {
      method: compression.method,
      ...(compression.level !== undefined ? { level: compression.level } : {}),
    },
    encryption: keys
      ? {
          format: 'age',
          mode: keys.mode,
          ...(keys.recipients ? { recipients: keys.recipients } : {}),
          ...(keys.keyFile ? { keyFile: KEY_FILE } : {}),
        }
      : null,
    files: files.map(({ rows: _rows, ...f }) => f),
    tables,
    inheritance: snapshot.ancestry
      .filter((a) => a.ancestors.length > 0 && tables.some((t) => t.schema === a.schema && t.name === a.name))
      .map((a) => ({ schema: a.schema, name: a.name, ancestors: [...a.ancestors] })),
    schema: snapshot.shapes
      .filter((s) => tables.some((t) => t.schema === s.schema && t.name === s.name))
      .map((s) => ({ schema: s.schema, name: s.name, columns: s.columns.map((c) => ({ ...c })) })),
    extensions: snapshot.extensions.map((e) => ({ ...e })),
    schemaSnapshot: schemaDocument,
    writes: snapshot.writes
      .filter((w) => tables.some((t) => t.schema === w.schema && t.name === w.name))
      .map((w) => ({ ...w })),
    totals: {
      files: files.length,
      bytes: files.reduce((a, f) => a + f.bytes, 0),
      storedBytes: files.reduce((a, f) => a + f.storedBytes, 0) + (keys?.keyFile?.length ?? 0),
      rows: tables.reduce((a, t) => a + t.rows, 0),
      tables: tables.length,
    },
    schemaFingerprint: createHash('sha256').update(schemaFingerprintSource(toc)).digest('hex'),
  };
  // the manifest is written last: its presence is what makes the backup complete
  await storage.write(`${prefix}${MANIFEST_FILE}`, Readable.from([Buffer.from(JSON.stringify(manifest, null, 2))]), {
    signal: deps.signal,
  });
  log.add(
    `stored ${manifest.totals.files} files, ${manifest.totals.storedBytes} bytes, ${manifest.totals.rows} rows in ${manifest.totals.tables} tables`,
  );
  return manifest;
}

async function markFailed(db: Db, id: string, reason: string, log: string, workerId?: string): Promise<void> {
  await setBackupStatus(db, id, 'fail', {
    set: { error: reason, finished_at: new Date(), log },
    // a backup that another worker owns now (or the reaper failed) is not this worker's to end
    guard: (b) => workerId === undefined || b.worker_id === workerId,
    audit: { actor: 'worker', action: 'backup.fail', outcome: 'failure', details: { reason } },
  });
}
