// One restore per destination at a time, across all workers: a row per locked destination,
// taken with an insert that only one transaction can win, freed when the run ends (or by the
// reaper when its worker is lost).
import type { Db } from '../store/db.js';

export const destinationKey = (server: string, dbname: string) => `${server}/${dbname}`;

/**
 * Takes the lock; returns the run that holds it when another one does. `taken: false` when the
 * run already held it (a second job of the same run, racing the first): that job must not free
 * a lock it did not take.
 */
export async function lockDestination(
  db: Db,
  destination: string,
  runId: number,
): Promise<{ ok: true; taken: boolean } | { ok: false; heldBy: number }> {
  const r = await db
    .insertInto('destination_locks')
    .values({ destination, run_id: runId })
    .onConflict((oc) => oc.column('destination').doNothing())
    .returning('run_id')
    .executeTakeFirst();
  if (r) return { ok: true, taken: true };
  const holder = await db
    .selectFrom('destination_locks')
    .select('run_id')
    .where('destination', '=', destination)
    .executeTakeFirst();
  if (!holder) return lockDestination(db, destination, runId); // freed in between: try again
  if (Number(holder.run_id) === runId) return { ok: true, taken: false };
  return { ok: false, heldBy: Number(holder.run_id) };
}

export async function releaseDestination(db: Db, destination: string, runId: number): Promise<void> {
  await db.deleteFrom('destination_locks').where('destination', '=', destination).where('run_id', '=', runId).execute();
}
