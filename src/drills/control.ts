// Acting on drills from outside their worker: `lifeboat drill cancel`, and the reaper of drills
// whose worker was lost (run by every worker's reaper loop, src/restore/reaper-loop.ts).
//   - A queued drill is cancelled at once: its job finds it so and does nothing. A running one is
//     cancelled too, and its scratch database marked to be dropped (`drop_scratch`); its worker's
//     heartbeat sees the status within a second, stops, drops the scratch database and clears
//     the mark.
//   - A running drill whose worker has not heartbeated for `staleAfterMs` is failed ("worker
//     lost", notified as drill.failed) and its scratch database marked to be dropped. The claim is
//     guarded (still running, still lost), so a worker that was only slow keeps its drill; one
//     that comes back learns it from its heartbeat and stops.
//   - A marked scratch database whose drill no worker heartbeats for any more is dropped by the
//     reaper (never kept, whatever keep_on_failure says: nobody asked to inspect it).
import { sql } from 'kysely';
import type { Catalog } from '../catalog/types.js';
import { dropDatabase, withAdmin } from '../engines/postgres/admin.js';
import { LifeboatError, messageOf } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import { redact } from '../lib/secret.js';
import type { Db } from '../store/db.js';
import { transitionDrill } from './drill-state.js';

type Deps = { db: Db; catalog: Catalog; logger: Logger };

export async function cancelDrill(db: Db, id: number, actor: string, requestId: string | null): Promise<void> {
  const r = await transitionDrill(db, id, {
    event: 'cancel',
    actor,
    onlyFrom: ['queued', 'running'],
    set: { finished_at: new Date(), error: `cancelled by ${actor}` },
    requestId,
    also: async (trx, _audit, from) => {
      if (from === 'running')
        await trx.updateTable('drills').set({ drop_scratch: true }).where('id', '=', id).execute();
    },
  });
  if (!r) {
    const row = await db.selectFrom('drills').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    throw new LifeboatError(
      'conflict',
      `drill ${id} is ${row.status}: only a queued or running drill can be cancelled`,
      {
        hint: `see it with \`lifeboat drill show ${id}\``,
      },
    );
  }
}

/** Fails the running drills whose worker has not heartbeated for `staleAfterMs`; returns their ids. */
export async function reapLostDrills(deps: Deps, staleAfterMs: number): Promise<number[]> {
  const staleBefore = new Date(Date.now() - staleAfterMs);
  const lastSign = sql<Date>`coalesce(heartbeat_at, started_at, created_at)`;
  const candidates = await deps.db
    .selectFrom('drills')
    .select(['id', 'worker_id', 'heartbeat_at', 'started_at'])
    .where('status', '=', 'running')
    .where(lastSign, '<', staleBefore)
    .execute();
  const reaped: number[] = [];
  for (const d of candidates) {
    const since = d.heartbeat_at ?? d.started_at;
    const error = `worker lost: no heartbeat from ${d.worker_id ?? 'its worker'} since ${since ? new Date(since).toISOString() : 'its start'}`;
    const r = await transitionDrill(deps.db, Number(d.id), {
      event: 'fail',
      actor: 'reaper',
      onlyFrom: ['running'],
      staleBefore,
      set: { finished_at: new Date(), error, error_step: 'worker', kept_dbname: null, drop_scratch: true },
      details: { step: 'worker', reason: error },
    });
    if (r) reaped.push(Number(d.id));
  }
  return reaped;
}

/** Drops the marked scratch databases no worker heartbeats for any more; returns their drills' ids. */
export async function dropAbandonedScratch(deps: Deps, staleAfterMs: number): Promise<number[]> {
  const staleBefore = new Date(Date.now() - staleAfterMs);
  const rows = await deps.db
    .selectFrom('drills')
    .select(['id', 'target_server', 'scratch_dbname'])
    .where('drop_scratch', '=', true)
    .where('status', 'not in', ['queued', 'running'])
    .where(sql<Date>`coalesce(heartbeat_at, finished_at, created_at)`, '<', staleBefore)
    .execute();
  const dropped: number[] = [];
  for (const d of rows) {
    const server = deps.catalog.servers[d.target_server];
    try {
      if (!server) throw new Error(`the server ${d.target_server} is no longer in lifeboat.yaml`);
      await withAdmin(server.url, (c) => dropDatabase(c, d.scratch_dbname));
      await deps.db
        .updateTable('drills')
        .set({
          drop_scratch: false,
          log: sql`log || ${`reaper: dropped the scratch database ${d.scratch_dbname} on ${d.target_server}\n`}`,
        })
        .where('id', '=', d.id)
        .execute();
      dropped.push(Number(d.id));
    } catch (err) {
      // tried again at the next pass
      deps.logger.warn(
        { drill: Number(d.id), reason: redact(messageOf(err), server ? [server.url] : []) },
        'could not drop a drill scratch database',
      );
    }
  }
  return dropped;
}
