// Executing a restore run, as the runbook reads (STYLE.md §5):
//   lock the destination → fetch the archive's table of contents → restore into a staging
//   database (schema; table data streamed from storage, checksums verified as it flows; indexes
//   and constraints) → post-restore scripts → verify row counts and checks → swap into place
//   → release
// The swap is the only step that touches the destination, and it is done last, in one
// transaction, so a run that fails, is cancelled or loses its worker at any earlier moment
// leaves the destination exactly as it was. (A table-scoped run replaces rows in one
// transaction instead: the same guarantee, by rollback.)
import { setMaxListeners } from 'node:events';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Transaction } from 'kysely';
import type PgBoss from 'pg-boss';
import { type BackupReader, CorruptBackupError } from '../backup/read-backup.js';
import { markCorrupt } from '../backup/set-status.js';
import type { Catalog, DatabaseConfig, ServerConfig } from '../catalog/types.js';
import { databaseExists, dropDatabase, swapIntoPlace, withAdmin, withClient } from '../engines/postgres/admin.js';
import { LifeboatError, messageOf } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import { redact } from '../lib/secret.js';
import type { Db } from '../store/db.js';
import type { Database } from '../store/schema.js';
import { planStillApproved } from './approve.js';
import { assertDestinationAllowed, cataloguedDatabases, type DestinationQuery } from './destination-rule.js';
import { dropKeptCopies } from './kept-copies.js';
import { transitionRun } from './run-state.js';
import { destinationKey, lockDestination, releaseDestination } from './lock.js';
import { previousName, stagingName } from './names.js';
import { RunTracker, runSink } from './progress.js';
import { keepWaiting, startIfAdmitted } from './team-admission.js';
import { resolveScope } from './scope.js';
import { makeScratchDir } from '../worker/scratch.js';
import { fetchArchive } from './steps/fetch-archive.js';
import { openSource, restoreCopy } from './steps/restore-copy.js';
import { crossScopeForeignKeys, restoreTables } from './steps/restore-tables.js';
import { verifyStaging } from './steps/verify-restore.js';

export const RESTORE_QUEUE = 'restore.run';

export interface RestoreDeps {
  db: Db;
  queue: PgBoss;
  catalog: Catalog;
  logger: Logger;
}

/** `lost`: the run stopped being this worker's (the reaper failed it) before it wrote the destination. */
export type RunOutcome = 'completed' | 'failed' | 'cancelled' | 'waiting' | 'skipped' | 'lost';

class Cancelled extends Error {
  constructor(readonly by: string | null) {
    super('cancelled');
  }
}

/** The run row says the run is no longer this worker's: it must not write the destination, nor the run's status. */
class NotOwned extends Error {
  constructor(
    readonly status: string,
    readonly owner: string | null,
  ) {
    super(`the run is ${status}${owner ? ` and belongs to worker ${owner}` : ''}, no longer this worker's`);
  }
}

export async function runRestore(
  deps: RestoreDeps,
  runId: number,
  ctx: { signal: AbortSignal; workerId: string },
): Promise<RunOutcome> {
  let run = await deps.db.selectFrom('restore_runs').selectAll().where('id', '=', runId).executeTakeFirst();
  if (run?.status === 'scheduled') {
    // its start time has come (unless it was cancelled meanwhile)
    await transitionRun(deps.db, runId, { event: 'enqueue', actor: 'scheduler', onlyFrom: ['scheduled'] });
    run = await deps.db.selectFrom('restore_runs').selectAll().where('id', '=', runId).executeTakeFirst();
  }
  if (!run || run.status !== 'queued') return 'skipped'; // cancelled (or taken) before it started
  // the plan approved must still be the plan: else its approvals are void and it waits for new ones
  if (!(await planStillApproved(deps, run))) return 'skipped';
  const destination = destinationKey(run.destination_server, run.destination_dbname);

  // step: lock the destination; if another run holds it, come back later (stay queued)
  let lock: Awaited<ReturnType<typeof lockDestination>>;
  try {
    lock = await lockDestination(deps.db, destination, runId);
  } catch (err) {
    return failBeforeStart(deps, runId, err);
  }
  if (!lock.ok) {
    const waiting = `run ${lock.heldBy} is restoring into ${destination}`;
    await keepWaiting(deps, runId, RESTORE_QUEUE, { waiting, waitingFor: lock.heldBy });
    return 'waiting';
  }

  const database = deps.catalog.databases[run.database];
  const server = deps.catalog.servers[run.destination_server];
  if (!database || !server) {
    await releaseDestination(deps.db, destination, runId);
    const missing = database ? `server ${run.destination_server}` : `database ${run.database}`;
    return failBeforeStart(
      deps,
      runId,
      new LifeboatError('config_invalid', `${missing} is no longer in lifeboat.yaml`, {
        hint: 'put it back in lifeboat.yaml and request the restore again',
      }),
    );
  }
  const tracker = new RunTracker(runSink(deps.db, runId), [
    server.url,
    ...Object.values(deps.catalog.servers).map((s) => s.url),
  ]);
  const startedAt = new Date();
  // step: a place among the team's concurrent restores (max_concurrent_restores), in queue order
  const admitted = await startIfAdmitted(deps, run, {
    event: 'start',
    actor: 'worker',
    onlyFrom: ['queued'],
    set: { started_at: startedAt, worker_id: ctx.workerId, heartbeat_at: new Date(), phase: 'lock' },
    details: { worker: ctx.workerId },
  });
  // (a lock this job found already held by its own run belongs to that run's other job)
  if ('waiting' in admitted) {
    if (lock.taken) await releaseDestination(deps.db, destination, runId);
    await keepWaiting(deps, runId, RESTORE_QUEUE, { waiting: admitted.waiting });
    return 'waiting';
  }
  if (!admitted.started) {
    if (lock.taken) await releaseDestination(deps.db, destination, runId);
    return 'skipped';
  }

  const abort = new AbortController();
  setMaxListeners(0, abort.signal); // one listener per file stream, many at once
  const onShutdown = () => abort.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onShutdown);
  const staging = stagingName(run.destination_dbname, runId);
  // asked again right before the destination is written: the catalog may have changed meanwhile
  const destinationQuery = (): DestinationQuery => ({
    database: run.database,
    server: run.destination_server,
    dbname: run.destination_dbname,
    tier: server.tier,
    catalogued: cataloguedDatabases(deps.catalog),
  });
  const owned = {
    db: deps.db,
    runId,
    workerId: ctx.workerId,
    check: () => assertDestinationAllowed(destinationQuery()),
  };
  // everything from here on that can fail (the scratch directory, the destination rule) ends the run failed
  let work: string | undefined;
  let stagingCreated = false;
  let source: { reader: BackupReader; close: () => Promise<void> } | undefined;
  try {
    tracker.start(() => abort.abort(new Cancelled(null)));
    // refused before anything connects to the destination (a table scope reads it first)
    assertDestinationAllowed(destinationQuery());
    work = await makeScratchDir('restore', runId);
    tracker.log(`restore of ${run.database} backup ${run.backup_id} into ${destination}`);
    tracker.phaseStart('fetch');
    source = await openSource(deps, run.backup_id!, database);
    const { reader } = source;
    const manifest = reader.manifest;
    const archive = join(work, 'archive');
    tracker.p.tablesTotal = manifest.tables.length;
    tracker.p.rowsTotal = manifest.totals.rows;
    tracker.p.bytesTotal = manifest.totals.bytes;

    // (masked on its way to every destination but production, a rollback)
    const mask = database.masking.rules.length > 0 && server.tier !== 'production';
    if (run.tables?.length) {
      const scope = resolveScope(run.tables, manifest.tables);
      // table data is not fetched: the scope's streams from storage as pg_restore reads it
      const tableFiles = new Set(manifest.tables.map((t) => t.file).filter(Boolean));
      await fetchArchive(
        reader,
        archive,
        manifest.files.filter((f) => !tableFiles.has(f.name)),
        tracker,
        abort.signal,
      );
      tracker.p.tablesTotal = scope.length;
      tracker.p.rowsTotal = scope.reduce((a, t) => a + t.rows, 0);
      const warnings = await withClient(server.url, run.destination_dbname, (c) => crossScopeForeignKeys(c, scope));
      for (const w of warnings) tracker.log(`warning: ${w}`);
      await deps.db
        .updateTable('restore_runs')
        .set({ warnings: JSON.stringify(warnings.map((message) => ({ code: 'fk_outside_scope', message }))) })
        .where('id', '=', runId)
        .execute();
      tracker.phaseStart('restore');
      // checked, not held: the rows are replaced in one long transaction of their own, during
      // which the heartbeat must go on (holding the run row would stop it)
      await whileOwned(owned, async () => {});
      await restoreTables({
        url: server.url,
        dbname: run.destination_dbname,
        dir: archive,
        work,
        reader,
        database,
        mask,
        scope,
        tracker,
        signal: abort.signal,
      });
    } else {
      // step: fetch the archive's table of contents → create the staging database → restore
      // (masked on its way to every destination but production, a rollback) → post-restore
      await restoreCopy({
        url: server.url,
        dbname: staging,
        source: reader,
        work,
        database,
        mask,
        tracker,
        signal: abort.signal,
        onCreated: async () => {
          stagingCreated = true;
          await deps.db.updateTable('restore_runs').set({ staging_dbname: staging }).where('id', '=', runId).execute();
        },
      });

      tracker.phaseStart('verify');
      await verifyStaging(server.url, staging, manifest.tables, database.verify, tracker, {
        // nothing but pg_restore has written to the staging database unless a post-restore step ran
        onlyRestored: database.postRestore.length === 0,
      });

      if (abort.signal.aborted) throw abort.signal.reason;
      tracker.phaseStart('swap');
      await swapStep(owned, run.destination_dbname, staging, server, database, tracker);
      stagingCreated = false;
      await dropKeptCopies(deps, {
        destination: { server: run.destination_server, dbname: run.destination_dbname },
        justKept: runId,
        actor: 'worker',
        log: (line) => tracker.log(line),
      }).catch((err) => tracker.log(`could not drop kept copies beyond keep_previous_count: ${messageOf(err)}`));
    }

    tracker.phaseStart('done');
    await tracker.stop();
    const completed = await transitionRun(deps.db, runId, {
      event: 'complete',
      actor: 'worker',
      owner: ctx.workerId,
      onlyFrom: ['running'],
      set: { finished_at: new Date() },
      details: { durationMs: Date.now() - startedAt.getTime() },
    });
    if (!completed) {
      // swapped, then reaped before it could say so: the destination holds this run's copy
      deps.logger.error({ runId }, 'restore run swapped, but was ended by another before it could complete');
      return 'lost';
    }
    return 'completed';
  } catch (err) {
    if (err instanceof NotOwned) {
      // the reaper (or whoever ended the run) owns its status now: only clean up what is ours
      tracker.log(`not swapping: ${err.message}; the destination was not touched`);
      if (stagingCreated) await withAdmin(server.url, (c) => dropDatabase(c, staging)).catch(() => {});
      await tracker.stop();
      deps.logger.warn({ runId, status: err.status, owner: err.owner }, 'restore run lost before its swap');
      return 'lost';
    }
    const cancelled = err instanceof Cancelled || (abort.signal.aborted && abort.signal.reason instanceof Cancelled);
    const step = tracker.phase;
    const reason = cancelled ? 'cancelled' : redact(messageOf(err), [server.url]);
    tracker.log(cancelled ? `cancelled during ${step}` : `failed in ${step}: ${reason}`);
    if (stagingCreated) {
      if (database.keepFailed) tracker.log(`keeping the staging database ${staging} (keep_failed)`);
      else {
        await withAdmin(server.url, (c) => dropDatabase(c, staging)).catch((e) =>
          tracker.log(`could not drop ${staging}: ${messageOf(e)}`),
        );
        tracker.log(`dropped the staging database ${staging}; the destination was not touched`);
      }
    }
    if (!cancelled && err instanceof CorruptBackupError) {
      // the backup is damaged, not just this run: it is never offered for a restore again
      await markCorrupt(deps.db, err, { actor: 'worker', by: `restore run ${runId}` }).catch((e) =>
        tracker.log(`could not mark backup ${err.backupId} corrupt: ${messageOf(e)}`),
      );
      tracker.log(`marked backup ${err.backupId} corrupt`);
    }
    await tracker.stop();
    await transitionRun(deps.db, runId, {
      event: cancelled ? 'cancel' : 'fail',
      actor: 'worker',
      owner: ctx.workerId,
      onlyFrom: ['running'],
      set: cancelled ? { finished_at: new Date() } : { finished_at: new Date(), error: reason, error_step: step },
      details: cancelled ? { step } : { step, reason },
    });
    deps.logger.warn({ runId, step, reason }, cancelled ? 'restore cancelled' : 'restore failed');
    return cancelled ? 'cancelled' : 'failed';
  } finally {
    await source?.close();
    ctx.signal.removeEventListener('abort', onShutdown);
    await releaseDestination(deps.db, destination, runId);
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  }
}

interface Ownership {
  db: Db;
  runId: number;
  workerId: string;
  /** Throws when the destination may not be written (destination-rule.ts). */
  check: () => void;
}

/**
 * Runs `write` only while the run is still this worker's: the run row is locked (select … for
 * update) until `write` returns, so the reaper cannot fail the run in between, and a run that
 * was reaped, taken by another worker or asked to cancel never writes its destination.
 */
async function whileOwned<T>(o: Ownership, write: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return o.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('restore_runs')
      .select(['status', 'worker_id', 'cancel_requested_at', 'cancel_requested_by'])
      .where('id', '=', o.runId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (row.status !== 'running' || row.worker_id !== o.workerId) throw new NotOwned(row.status, row.worker_id);
    if (row.cancel_requested_at !== null) throw new Cancelled(row.cancel_requested_by);
    o.check();
    return write(trx);
  });
}

async function swapStep(
  owned: Ownership,
  dbname: string,
  staging: string,
  server: ServerConfig,
  database: DatabaseConfig,
  tracker: RunTracker,
): Promise<void> {
  // the run row stays locked through the swap; its new state commits with it
  const r = await whileOwned(owned, async (trx) => {
    const swapped = await withAdmin(server.url, async (c) => {
      // the kept copy's name must be free: a database of that name is never overwritten
      let previous = previousName(dbname, owned.runId);
      for (let attempt = 2; await databaseExists(c, previous); attempt++)
        previous = previousName(dbname, owned.runId, attempt);
      return { previous, ...(await swapIntoPlace(c, { destination: dbname, staging, previous })) };
    });
    await trx
      .updateTable('restore_runs')
      .set({
        staging_dbname: null,
        previous_dbname: swapped.replaced ? swapped.previous : null,
        // into production (a rollback) the replaced copy is kept until a DBA drops it
        previous_expires_at:
          swapped.replaced && server.tier !== 'production' ? new Date(Date.now() + database.keepPrevious.ms) : null,
      })
      .where('id', '=', owned.runId)
      .execute();
    return swapped;
  });
  tracker.log(
    r.replaced
      ? `swapped: ${dbname} is the restored copy, the previous one is kept as ${r.previous} (ended ${r.sessionsEnded} sessions)`
      : `created ${dbname} from the restored copy`,
  );
}

/** Ends a run that failed before it started running (it is still queued): failed, with why. */
async function failBeforeStart(deps: RestoreDeps, runId: number, err: unknown): Promise<RunOutcome> {
  const reason = messageOf(err);
  await transitionRun(deps.db, runId, {
    event: 'fail',
    actor: 'worker',
    onlyFrom: ['queued'],
    set: {
      finished_at: new Date(),
      error: reason,
      error_step: 'lock',
      log: sql`log || ${`${new Date().toISOString()} failed before it started: ${reason}\n`}`,
    },
    details: { step: 'lock', reason },
  });
  deps.logger.warn({ runId, reason }, 'restore failed before it started');
  return 'failed';
}
