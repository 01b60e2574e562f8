// Runs that waited too long expire: a dry run never submitted, a submitted run never approved
// (its `expires_at`, set by the wizard and by submit.ts). The reaper loop sweeps them; an
// expired run has ended, so its backup is no longer pinned against pruning (src/backup/in-use.ts).
import type { Db } from '../store/db.js';
import { isExpired } from './approval-rules.js';
import { DRY_RUN_STATUSES, type RunStatus } from './lifecycle.js';
import { transitionRun } from './run-state.js';

/** The statuses in which a run waits for a person and may therefore expire. */
export const EXPIRING_STATUSES: readonly RunStatus[] = [...DRY_RUN_STATUSES, 'pending_approval'];

/** Expires every run waiting past its `expires_at` at `now`; the ids expired. */
export async function expireRuns(db: Db, now: Date): Promise<number[]> {
  const due = await db
    .selectFrom('restore_runs')
    .select('id')
    .where('status', 'in', EXPIRING_STATUSES)
    .where('expires_at', '<=', now)
    .orderBy('id')
    .execute();
  const expired: number[] = [];
  for (const { id } of due) {
    const done = await db.transaction().execute(async (trx) => {
      // read again under the lock: a submit may have moved the run on and its expiry with it
      const run = await trx
        .selectFrom('restore_runs')
        .select(['expires_at'])
        .where('id', '=', Number(id))
        .forUpdate()
        .executeTakeFirst();
      if (!run || !isExpired({ expiresAt: run.expires_at }, now)) return null;
      return transitionRun(trx, Number(id), {
        event: 'expire',
        actor: 'lifeboat',
        onlyFrom: EXPIRING_STATUSES,
        set: { finished_at: now },
        details: { expiresAt: run.expires_at!.toISOString() },
      });
    });
    if (done) expired.push(Number(id));
  }
  return expired;
}
