// "The database as it was at time T" (PRODUCT.md capability 3-5, issue 18 items 2-3): for a
// database whose server has physical backups (a `pgbackrest:` section), a restore source `at: T`
// is a physical point in time, not the newest logical backup before T. It is made into an
// ordinary logical backup so that the rest of the restore engine — scope, checks, preview (rows
// per table from the manifest), masking in the COPY stream, approvals, staging and atomic swap —
// is the same as for any backup. Preparing it takes minutes on a real database, so it is a
// worker job, never an HTTP request:
//   request (POST /api/v1/backups/as-at): refuse a T outside the recovery window, before anything
//     is written → a backup row `queued` (trigger `pitr`, `point_in_time` T), its audit and its
//     job, in one transaction (a backup of the same database and T that exists is answered instead)
//   worker (PITR_QUEUE): mark it running (heartbeat: a lost worker's backup is reaped) → recover
//     a scratch instance to T (pgBackRest, new port; progress: files restored, WAL replayed)
//     → pg_dump it with the backup runbook (progress: tables dumped; manifest, exact row counts,
//     checksums, verification) → remove the scratch instance, always (a killed worker's is
//     stopped and removed by the next worker to start on the machine, src/worker/scratch.ts).
// The client follows the backup's progress and then requests the restore with its id; the
// intermediate backup is produced when the source is chosen (not at execution): the scope, the
// checks and the preview are worked out from a real manifest of the state at T, and the
// approvers approve what will actually be restored. Its `finished_at` is when it was dumped, not
// T: logical "newest backup" choices (restore sources, DR plans, SLOs, drills) skip `pitr` backups.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { type Selectable, sql } from 'kysely';
import type PgBoss from 'pg-boss';
import { recordAudit } from '../audit/record.js';
import { startBackupHeartbeat } from '../backup/heartbeat.js';
import { backupProgressWriter, recoveryProgress } from '../backup/progress.js';
import { endedElsewhere } from '../backup/cancel.js';
import { runBackup } from '../backup/run-backup.js';
import { setBackupStatus } from '../backup/set-status.js';
import { type BackupStatus, backupStatusOf, newBackupId, PITR_TRIGGER } from '../backup/status.js';
import type { Catalog, DatabaseConfig } from '../catalog/types.js';
import { LifeboatError, messageOf } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import { redact } from '../lib/secret.js';
import { readStanzaInfo } from '../physical/backup.js';
import { getRepo } from '../physical/lookup.js';
import { isPhysical, type PhysicalServer } from '../physical/pgbackrest.js';
import { readRecoveryWindow, recoverToNewInstance, type RecoveredInstance, refuseTarget } from '../physical/recover.js';
import type { Db } from '../store/db.js';
import type { BackupTable } from '../store/schema.js';
import { enqueueIn } from '../worker/queue.js';

/** The worker job that prepares a backup of a database as it was at T: `{ backupId }`. */
export const PITR_QUEUE = 'backup.pitr';

/** The database's server, when it has physical backups (then `at` is a physical point in time). */
export function physicalServerOf(catalog: Catalog, database: DatabaseConfig): PhysicalServer | undefined {
  const server = catalog.servers[database.server];
  return server && isPhysical(server) ? server : undefined;
}

/** Refuses T outside [oldest backup end, newest archived WAL], before anything is written. */
export async function assertInRecoveryWindow(catalog: Catalog, server: PhysicalServer, at: Date): Promise<void> {
  const storage = getRepo(catalog, server);
  const info = await readStanzaInfo(server, storage);
  const refusal = refuseTarget({ type: 'time', at }, await readRecoveryWindow(server, storage, info));
  if (refusal) {
    throw new LifeboatError(
      'invalid_request',
      `unable to restore from server ${server.name} (stanza ${server.pgbackrest.stanza}) as at ${at.toISOString()}: ${refusal.message}`,
      { hint: refusal.hint },
    );
  }
}

/** Statuses of a backup as at T that a new request for the same T reuses (one still to come, or a good one). */
const REUSABLE: readonly BackupStatus[] = ['queued', 'running', 'completed', 'verified'];

/** The backup of `database` as it was at `at` that exists (being prepared, or good), if any. */
export async function findBackupAsAt(
  db: Db,
  database: string,
  at: Date,
  statuses: readonly BackupStatus[] = REUSABLE,
): Promise<Selectable<BackupTable> | undefined> {
  return db
    .selectFrom('backups')
    .selectAll()
    .where('database', '=', database)
    .where('trigger', '=', PITR_TRIGGER)
    .where('point_in_time', '=', at)
    .where('status', 'in', statuses)
    .where('deleted_at', 'is', null)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The server a backup as at T is recovered from, or why `database` cannot have one. */
export function assertAsAtPossible(catalog: Catalog, database: DatabaseConfig, at: Date): PhysicalServer {
  const server = physicalServerOf(catalog, database);
  if (!server) {
    throw new LifeboatError(
      'invalid_request',
      `server ${database.server} of ${database.name} has no physical backups`,
      {
        hint: `add a pgbackrest: section to servers.${database.server}, or restore a logical backup by id`,
        // (the CLI's --at then chooses the newest logical backup taken at or before T)
        details: { physical: false },
      },
    );
  }
  if (!database.backup) {
    throw new LifeboatError(
      'invalid_request',
      `unable to restore ${database.name} as at ${at.toISOString()}: it has no backup policy to store the state at that time in`,
      { hint: `add a backup: section (storage) to databases.${database.name} in lifeboat.yaml` },
    );
  }
  return server;
}

export interface AsAtDeps {
  db: Db;
  queue: PgBoss;
  catalog: Catalog;
}

/**
 * Asks a worker to prepare the backup of `database` as it was at `at`: refused (nothing written)
 * when the database has no physical backups or no backup policy, or T is outside the recovery
 * window; the backup of the same T that is being prepared or is good is answered instead of a
 * new one (`created: false`).
 */
export async function requestBackupAsAt(
  deps: AsAtDeps,
  database: DatabaseConfig,
  at: Date,
  actor: string,
  requestId: string | null,
): Promise<{ id: string; created: boolean }> {
  const server = assertAsAtPossible(deps.catalog, database, at);
  const existing = await findBackupAsAt(deps.db, database.name, at);
  if (existing) return { id: existing.id, created: false };
  await assertInRecoveryWindow(deps.catalog, server, at);

  const id = newBackupId(new Date(), randomBytes(2).toString('hex'));
  return deps.db.transaction().execute(async (trx) => {
    // two requests for the same T at once (two developers, a double click) prepare it once: the
    // second waits for the first's transaction and then finds its backup
    await sql`select pg_advisory_xact_lock(hashtext(${`lifeboat-as-at:${database.name}:${at.toISOString()}`}))`.execute(
      trx,
    );
    const raced = await findBackupAsAt(trx, database.name, at);
    if (raced) return { id: raced.id, created: false };
    await trx
      .insertInto('backups')
      .values({
        id,
        database: database.name,
        server: database.server,
        storage: database.backup!.storage,
        status: 'queued',
        trigger: PITR_TRIGGER,
        requested_by: actor,
        point_in_time: at,
      })
      .execute();
    await enqueueIn(trx, deps.queue, PITR_QUEUE, { backupId: id }, { retryLimit: 0, expireInHours: 12 });
    await recordAudit(trx, {
      actor,
      action: 'backup.run',
      subjectType: 'backup',
      subjectId: id,
      details: {
        database: database.name,
        trigger: PITR_TRIGGER,
        at: at.toISOString(),
        server: server.name,
        stanza: server.pgbackrest.stanza,
      },
      requestId,
    });
    return { id, created: true };
  });
}

export interface PrepareDeps {
  db: Db;
  catalog: Catalog;
  logger: Logger;
  signal?: AbortSignal;
  workerId?: string;
  /** Where scratch instances are made (default: the temp directory). */
  scratchDir?: string;
}

/**
 * The worker job: recovers a scratch instance to the backup's point in time, dumps it into the
 * backup with the backup runbook, and removes the instance whatever happens. Resolves with the
 * backup's status (a failure is on the backup row, with its reason and log).
 */
export async function prepareBackupAsAt(deps: PrepareDeps, backupId: string): Promise<BackupStatus> {
  const row = await deps.db.selectFrom('backups').selectAll().where('id', '=', backupId).executeTakeFirst();
  if (!row) return 'failed';
  if (row.status !== 'queued') return backupStatusOf(row.status); // done or reaped meanwhile
  const workerId = deps.workerId ?? `local-${process.pid}`;
  const log: string[] = [];
  const note = (line: string) => log.push(`${new Date().toISOString()} ${line}`);
  const fail = async (reason: string) => {
    note(`failed: ${reason}`);
    await setBackupStatus(deps.db, backupId, 'fail', {
      set: { error: reason, finished_at: new Date(), log: log.join('\n') },
      // (one the reaper failed meanwhile is not this worker's to end)
      guard: (b) => b.status === 'queued' || (b.status === 'running' && b.worker_id === workerId),
      audit: { actor: 'worker', action: 'backup.fail', outcome: 'failure', details: { reason } },
    }).catch(() => {});
    return 'failed' as const;
  };
  const database = deps.catalog.databases[row.database];
  const server = database ? physicalServerOf(deps.catalog, database) : undefined;
  if (!database?.backup || !server || !row.point_in_time) {
    return fail(`database ${row.database} has no physical backups or no backup policy in lifeboat.yaml any more`);
  }
  const at = row.point_in_time;
  const startedAt = new Date();
  const started = await setBackupStatus(deps.db, backupId, 'start', {
    set: { started_at: startedAt, worker_id: workerId, heartbeat_at: startedAt },
    guard: (b) => b.status === 'queued',
  });
  if (!started) return backupStatusOf(row.status);

  // the recovery stops when the worker shuts down, or when it learns that the backup was cancelled
  // or failed by the reaper
  const lost = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, lost.signal]) : lost.signal;
  setMaxListeners(0, signal);
  const heartbeat = startBackupHeartbeat(deps.db, backupId, workerId, () =>
    lost.abort(new Error('the backup was ended while this worker recovered it: cancelled, or failed by the reaper')),
  );
  const progress = backupProgressWriter(deps.db, backupId, workerId);
  note(
    `recovering server ${server.name} (stanza ${server.pgbackrest.stanza}) to ${at.toISOString()} in a scratch instance`,
  );
  let instance: RecoveredInstance;
  try {
    instance = await recoverToNewInstance({
      server,
      storage: getRepo(deps.catalog, server),
      target: { type: 'time', at },
      scratch: true,
      ...(deps.scratchDir ? { parentDir: deps.scratchDir } : {}),
      signal,
      onProgress: (p) => {
        const b = recoveryProgress(p);
        if (b) progress.report(b);
      },
    });
  } catch (err) {
    heartbeat.stop();
    await progress.flush();
    if (lost.signal.aborted) {
      // ended elsewhere (the instance is removed by recoverToNewInstance when it stops)
      note(`stopped: ${messageOf(lost.signal.reason)}`);
      return endedElsewhere(deps.db, backupId, log.join('\n'));
    }
    return fail(redact(messageOf(err), [server.url]));
  }
  heartbeat.stop();
  await progress.flush();
  note(
    `recovered from backup set ${instance.backupLabel ?? '?'} to ${instance.recoveredTo.toISOString()} on port ${instance.port}; dumping it`,
  );
  const removeInstance = (i: RecoveredInstance) =>
    i
      .remove()
      .catch((err: unknown) =>
        deps.logger.warn({ backupId, dataDir: i.dataDir, err: messageOf(err) }, 'scratch instance not removed'),
      );
  try {
    return await runBackup(
      {
        db: deps.db,
        catalog: deps.catalog,
        logger: deps.logger,
        from: instance.url,
        running: true,
        workerId,
        logged: log,
        afterDump: () => removeInstance(instance),
        ...(deps.signal ? { signal: deps.signal } : {}),
      },
      backupId,
    );
  } finally {
    // the scratch instance holds a full copy of the server: never left behind (removed once
    // dumped, before the verification; here whatever happened)
    await removeInstance(instance);
  }
}
