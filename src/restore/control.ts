// Acting on runs from outside the worker: cancel, undo, and the reaper of runs whose worker was
// lost. (Kept previous copies are dropped by kept-copies.ts.)
import { sql } from 'kysely';
import { recordAudit } from '../audit/record.js';
import type { Catalog } from '../catalog/types.js';
import { dropDatabase, setAllowConnections, swapIntoPlace, withAdmin } from '../engines/postgres/admin.js';
import { LifeboatError, messageOf } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import type { Db } from '../store/db.js';
import { type RunStatus } from './lifecycle.js';
import { transitionRun } from './run-state.js';
import { destinationKey, lockDestination, releaseDestination } from './lock.js';
import { undoneName } from './names.js';

export async function loadRun(db: Db, id: number) {
  const run = await db.selectFrom('restore_runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!run)
    throw new LifeboatError('not_found', `no restore run ${id}`, { hint: 'list runs with `lifeboat restore list`' });
  return run;
}

/**
 * Cancels a run. Before it runs, the run simply ends `cancelled` (its job finds it so and does
 * nothing). While it runs, the request is recorded; the worker's heartbeat sees it within a
 * second, aborts the running step (pg_restore is killed), cleans up and ends the run.
 */
export async function cancelRun(db: Db, id: number, actor: string, requestId: string | null): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const run = await trx.selectFrom('restore_runs').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!run) throw new LifeboatError('not_found', `no restore run ${id}`);
    const status = run.status as RunStatus;
    if (status !== 'running') {
      await transitionRun(trx, id, {
        event: 'cancel',
        actor,
        set: { finished_at: new Date(), cancel_requested_by: actor },
        requestId,
      });
      return;
    }
    // a running run is ended by its worker (which records restore.cancel); this records the request
    await trx
      .updateTable('restore_runs')
      .set({ cancel_requested_at: new Date(), cancel_requested_by: actor })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, {
      actor,
      action: 'restore.cancel_requested',
      subjectType: 'run',
      subjectId: String(id),
      details: { from: status },
      requestId,
    });
  });
}

export interface UndoResult {
  destination: string;
  /** The kept copy that is the destination again. */
  restored: string;
  /** Where the database that was in place (the run's restored copy) was moved aside. */
  movedAside: string;
}

/**
 * Swaps the kept previous copy back into place; the database it replaces is moved aside as
 * `<db>__lb_undone_<run>` (kept until the run's keep_previous time, never dropped on the spot).
 * Only the latest swap of a destination can be undone: undoing an older one would put back a
 * copy from before the newer runs and silently move their work aside.
 */
export async function undoRun(
  deps: { db: Db; catalog: Catalog },
  id: number,
  actor: string,
  requestId: string | null,
): Promise<UndoResult> {
  const run = await loadRun(deps.db, id);
  if (run.status !== 'completed' || run.tables?.length) {
    throw new LifeboatError(
      'invalid_transition',
      `run ${id} is ${run.status}${run.tables?.length ? ' (table-scoped)' : ''}: only a completed full restore can be undone`,
      {
        hint: 'undo applies to the last step of a completed run',
      },
    );
  }
  if (run.undone_at)
    throw new LifeboatError('conflict', `run ${id} was already undone at ${run.undone_at.toISOString()}`);
  if (!run.previous_dbname || run.previous_dropped_at) {
    throw new LifeboatError('conflict', `run ${id} has no previous copy to go back to`, {
      hint: run.previous_dropped_at
        ? 'the kept copy was dropped (keep_previous or keep_previous_count)'
        : 'the destination did not exist before this run',
    });
  }
  const server = deps.catalog.servers[run.destination_server];
  if (!server)
    throw new LifeboatError('config_invalid', `server ${run.destination_server} is no longer in lifeboat.yaml`);
  const destination = destinationKey(run.destination_server, run.destination_dbname);
  const lock = await lockDestination(deps.db, destination, id);
  if (!lock.ok)
    throw new LifeboatError('destination_locked', `${destination} is being restored by run ${lock.heldBy}`, {
      hint: 'wait for it to finish, then undo',
    });
  try {
    // checked under the destination's lock, so no run can complete into it meanwhile
    await assertLatestSwap(deps.db, run);
    const previous = run.previous_dbname;
    const undone = undoneName(run.destination_dbname, id);
    await withAdmin(server.url, async (c) => {
      await setAllowConnections(c, previous, true);
      await swapIntoPlace(c, { destination: run.destination_dbname, staging: previous, previous: undone });
    });
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('restore_runs')
        .set({ undone_at: new Date(), previous_dbname: undone })
        .where('id', '=', id)
        .execute();
      await recordAudit(trx, {
        actor,
        action: 'restore.undo',
        subjectType: 'run',
        subjectId: String(id),
        details: { destination, restored: previous, movedAside: undone },
        requestId,
      });
    });
    return { destination, restored: previous, movedAside: undone };
  } finally {
    await releaseDestination(deps.db, destination, id);
  }
}

/** Refuses to undo a run when a newer run has since written the same destination (and was not undone). */
async function assertLatestSwap(db: Db, run: Awaited<ReturnType<typeof loadRun>>): Promise<void> {
  const newer = await db
    .selectFrom('restore_runs')
    .select(['id', 'status', 'tables', 'finished_at', 'previous_dbname', 'previous_dropped_at'])
    .where('destination_server', '=', run.destination_server)
    .where('destination_dbname', '=', run.destination_dbname)
    .where('id', '<>', run.id)
    .where('status', 'in', ['completed', 'partial'])
    .where('undone_at', 'is', null)
    .where('finished_at', '>', run.finished_at!)
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!newer) return;
  const destination = destinationKey(run.destination_server, run.destination_dbname);
  throw new LifeboatError(
    'conflict',
    `run ${run.id} is not the latest restore into ${destination}: run ${newer.id} ${newer.status} into it at ${newer.finished_at!.toISOString()}, and undoing run ${run.id} would move that work aside`,
    {
      hint:
        newer.status !== 'completed' || newer.tables?.length || !newer.previous_dbname || newer.previous_dropped_at
          ? `run ${newer.id} cannot be undone itself (see \`lifeboat restore show ${newer.id}\`); restore ${destination} again instead`
          : `undo run ${newer.id} first (\`lifeboat restore undo ${newer.id}\`)`,
      details: { newerRun: Number(newer.id) },
    },
  );
}

type ReapDeps = { db: Db; catalog: Catalog; logger: Logger };
type RunRow = Awaited<ReturnType<typeof loadRun>>;

/**
 * Runs whose worker stopped heartbeating are failed with "worker lost": their staging database
 * is dropped (ending whatever is still connected to it) and their destination lock freed. The
 * destination itself was never touched: only the swap touches it, and a swap is one transaction.
 */
export async function reapLostRuns(deps: ReapDeps, staleAfterMs: number): Promise<number[]> {
  const staleBefore = () => new Date(Date.now() - staleAfterMs);
  const candidates = await deps.db
    .selectFrom('restore_runs')
    .selectAll()
    .where('status', '=', 'running')
    .where('heartbeat_at', '<', staleBefore())
    .execute();
  const reaped: number[] = [];
  for (const r of candidates) {
    const error = `worker lost: no heartbeat from ${r.worker_id ?? 'its worker'} since ${r.heartbeat_at?.toISOString()}`;
    // (still lost when claimed: another reaper was not first, the worker did not come back)
    if (await failLostRun(deps, r, error, { staleBefore })) reaped.push(r.id);
  }
  return reaped;
}

/**
 * Fails at once the running runs of a worker known to be gone (a restarted `lifeboat start`'s own
 * previous process, src/runtime/reclaim.ts), with `error`; returns their ids.
 */
export async function failRunsOfWorker(deps: ReapDeps, workerId: string, error: string): Promise<number[]> {
  const runs = await deps.db
    .selectFrom('restore_runs')
    .selectAll()
    .where('status', '=', 'running')
    .where('worker_id', '=', workerId)
    .execute();
  const failed: number[] = [];
  for (const r of runs) {
    if (await failLostRun(deps, r, error, { workerId })) failed.push(r.id);
  }
  return failed;
}

async function failLostRun(
  deps: ReapDeps,
  r: RunRow,
  error: string,
  stillLost: { staleBefore: () => Date } | { workerId: string },
): Promise<boolean> {
  // clean up first, so that once the run reads `failed` nothing of it is left
  const server = deps.catalog.servers[r.destination_server];
  if (server && r.staging_dbname) {
    await withAdmin(server.url, (c) => dropDatabase(c, r.staging_dbname!)).catch((err) =>
      deps.logger.warn({ runId: r.id, err: messageOf(err) }, 'could not drop the staging database of a lost run'),
    );
  }
  return deps.db.transaction().execute(async (trx) => {
    const claimed = await transitionRun(trx, r.id, {
      event: 'fail',
      actor: 'reaper',
      onlyFrom: ['running'],
      // still lost once locked: another reaper was not first, and the worker did not come back
      when: (row) =>
        'workerId' in stillLost
          ? row.worker_id === stillLost.workerId
          : row.heartbeat_at !== null && row.heartbeat_at < stillLost.staleBefore(),
      set: {
        error,
        error_step: r.phase,
        finished_at: new Date(),
        log: sql`log || ${`${new Date().toISOString()} worker lost; the reaper ended the run\n`}`,
      },
      details: { reason: error.startsWith('worker lost') ? 'worker lost' : error, step: r.phase },
    });
    if (!claimed) return false;
    await trx.deleteFrom('destination_locks').where('run_id', '=', r.id).execute();
    return true;
  });
}
