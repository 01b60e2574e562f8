// The worker's side of queueing (src/restore/admission.ts has the rule): starting a queued run
// only when its team's `max_concurrent_restores` allows it, and a run that cannot start yet
// staying queued, saying what it waits for, its job sent again to look once more.
//
// Two workers must never both start past a team's limit: each decides under the team's
// advisory lock, held by the transaction that also writes the `start` (through transitionRun),
// so the second reads the first's run as running. Reading the team's runs without that lock
// would let both see the same free place.
import { sql } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Catalog } from '../catalog/types.js';
import type { Db } from '../store/db.js';
import { admit } from './admission.js';
import { type RunTransition, type RunTransitionResult, transitionRun } from './run-state.js';

/** The advisory lock class of team admission (the first key of the two-key form; the team's hash is the second). */
export const ADMISSION_LOCK_CLASS = 0x4c42_5451; // "LBTQ"

/** How soon a run that waits looks again: its job is sent again this many seconds ahead. */
export const WAIT_RECHECK_SECONDS = 2;

export type StartAdmitted =
  /** `started` is null when the run was no longer queued (cancelled, taken): nothing was written. */
  { started: RunTransitionResult | null } | { waiting: string };

/**
 * Applies `start` (a transition to running) to the queued run if its team's limit and the runs
 * queued before it allow, all under the team's admission lock; else says what it waits for.
 */
export async function startIfAdmitted(
  deps: { db: Db; catalog: Catalog },
  run: { id: number; owner_team: string },
  start: RunTransition,
): Promise<StartAdmitted> {
  const limit = deps.catalog.teams[run.owner_team]?.maxConcurrentRestores;
  if (limit === undefined) return { started: await transitionRun(deps.db, run.id, start) };
  return deps.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${ADMISSION_LOCK_CLASS}::int4, hashtext(${run.owner_team}))`.execute(trx);
    const mine = await trx.selectFrom('restore_runs').select('status').where('id', '=', run.id).executeTakeFirst();
    if (mine?.status !== 'queued') return { started: null };
    const running = await trx
      .selectFrom('restore_runs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('owner_team', '=', run.owner_team)
      .where('status', '=', 'running')
      .executeTakeFirstOrThrow();
    // queue order: when each joined the queue (before 0008, when it was created), then the id
    const ahead = await trx
      .selectFrom('restore_runs')
      .select('id')
      .where('owner_team', '=', run.owner_team)
      .where('status', '=', 'queued')
      .where(
        sql<boolean>`(coalesce(queued_at, created_at), id) <
                     (select coalesce(queued_at, created_at), id from restore_runs where id = ${run.id})`,
      )
      .orderBy(sql`coalesce(queued_at, created_at)`)
      .orderBy('id')
      .execute();
    const admission = admit({
      team: run.owner_team,
      limit,
      running: Number(running.n),
      ahead: ahead.map((r) => Number(r.id)),
    });
    if (!admission.start) return { waiting: admission.waiting };
    return { started: await transitionRun(trx, run.id, start) };
  });
}

/**
 * The run stays queued: its phase and progress say what it waits for (`restore show`, the API),
 * and its job is sent again to look in WAIT_RECHECK_SECONDS.
 */
export async function keepWaiting(
  deps: { db: Db; queue: PgBoss },
  runId: number,
  queue: string,
  waiting: { waiting: string; waitingFor?: number },
): Promise<void> {
  const r = await deps.db
    .updateTable('restore_runs')
    .set({ phase: 'queued', progress: JSON.stringify(waiting) })
    .where('id', '=', runId)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  // cancelled (or taken) meanwhile: nothing to come back for
  if (Number(r.numUpdatedRows) === 0) return;
  await deps.queue.send(queue, { runId }, { startAfter: WAIT_RECHECK_SECONDS, retryLimit: 0, expireInHours: 23 });
}
