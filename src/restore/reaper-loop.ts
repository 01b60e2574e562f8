// Every worker runs the reaper periodically: a run is "lost" when its worker has not heartbeated
// for `staleAfterMs`. Several workers reaping at once is safe (rows are claimed with SKIP LOCKED).
import type { Catalog } from '../catalog/types.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import type { Db } from '../store/db.js';
import { reapLostRuns } from './control.js';

export function startReaper(deps: { db: Db; catalog: Catalog; logger: Logger }, staleAfterMs: number): () => void {
  const tick = () =>
    reapLostRuns(deps, staleAfterMs).then(
      (ids) => ids.length && deps.logger.warn({ runs: ids }, 'failed runs whose worker was lost'),
      (err) => deps.logger.warn({ err: messageOf(err) }, 'reaper failed'),
    );
  const timer = setInterval(tick, Math.max(500, Math.floor(staleAfterMs / 3)));
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
