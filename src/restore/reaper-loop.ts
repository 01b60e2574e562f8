// Every worker runs the reaper periodically: a restore run or a backup is "lost" when its worker
// has not heartbeated for `staleAfterMs`. Several workers reaping at once is safe: each claim is a
// guarded update (still running, still lost), so exactly one reaper fails a lost run or backup.
// It also expires runs that waited for a person past their expiry (expiry.ts), fails drills whose
// worker was lost and drops the scratch databases they (or cancelled drills) left (drills/control.ts),
// and fails incidents whose execution's worker was lost, removing the new instances they left (dr/reap.ts).
import { reapLostBackups } from '../backup/reap.js';
import type { Catalog } from '../catalog/types.js';
import { dropAbandonedScratch, reapLostDrills } from '../drills/control.js';
import { reapLostIncidents, removeAbandonedInstances } from '../dr/reap.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import type { Db } from '../store/db.js';
import { reapLostRuns } from './control.js';
import { expireRuns } from './expiry.js';

export function startReaper(deps: { db: Db; catalog: Catalog; logger: Logger }, staleAfterMs: number): () => void {
  const tick = async () => {
    try {
      const runs = await reapLostRuns(deps, staleAfterMs);
      if (runs.length) deps.logger.warn({ runs }, 'failed runs whose worker was lost');
      const expired = await expireRuns(deps.db, new Date());
      if (expired.length) deps.logger.info({ runs: expired }, 'expired runs that waited past their expiry');
      const backups = await reapLostBackups(deps, staleAfterMs);
      if (backups.length) deps.logger.warn({ backups }, 'failed backups whose worker was lost');
      const drills = await reapLostDrills(deps, staleAfterMs);
      if (drills.length) deps.logger.warn({ drills }, 'failed drills whose worker was lost');
      const dropped = await dropAbandonedScratch(deps, staleAfterMs);
      if (dropped.length)
        deps.logger.info({ drills: dropped }, 'dropped the scratch databases of lost or cancelled drills');
      const incidents = await reapLostIncidents(deps, staleAfterMs);
      if (incidents.length) deps.logger.warn({ incidents }, 'failed incidents whose worker was lost');
      const removed = await removeAbandonedInstances(deps);
      if (removed.length)
        deps.logger.info({ incidents: removed }, 'removed the new instances lost incident executions left');
    } catch (err) {
      deps.logger.warn({ err: messageOf(err) }, 'reaper failed');
    }
  };
  const timer = setInterval(() => void tick(), Math.max(500, Math.floor(staleAfterMs / 3)));
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
