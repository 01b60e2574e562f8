// Evidence packs are kept apart from the backups they prove, and longer: 13 months by default, so
// that last year's audit still finds the drill of the same month. Housekeeping (the maintenance
// job) removes older packs from storage and says so on the drill; the drill row itself, its
// verdict and checks, stays in the catalog.
import { sql } from 'kysely';
import type { Catalog } from '../catalog/types.js';
import { openCatalogStorage } from '../storage/index.js';
import type { Db } from '../store/db.js';

export const EVIDENCE_KEEP_MONTHS = 13;

/** Whether a pack of a drill finished at `finishedAt` is past its retention at `now` (pure). */
export function evidenceExpired(finishedAt: Date, now: Date, months = EVIDENCE_KEEP_MONTHS): boolean {
  const until = new Date(finishedAt);
  until.setUTCMonth(until.getUTCMonth() + months);
  return now >= until;
}

/** Deletes the packs past retention; returns the ids of the drills whose pack was removed. */
export async function pruneEvidence(deps: { db: Db; catalog: Catalog }, now = new Date()): Promise<number[]> {
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - EVIDENCE_KEEP_MONTHS);
  const rows = await deps.db
    .selectFrom('drills')
    .select(['id', 'finished_at', 'evidence'])
    .where('evidence', 'is not', null)
    .where('finished_at', '<=', cutoff)
    .execute();
  const removed: number[] = [];
  for (const r of rows) {
    const ev = r.evidence as { storage?: string | null; prefix?: string } | null;
    if (!r.finished_at || !evidenceExpired(r.finished_at, now) || !ev?.prefix) continue;
    const config = ev.storage ? deps.catalog.storage[ev.storage] : undefined;
    if (!config) continue; // the storage left the config: nothing to delete from here
    const storage = openCatalogStorage(config);
    try {
      await storage.deletePrefix(ev.prefix);
    } finally {
      await storage.close?.();
    }
    await deps.db
      .updateTable('drills')
      .set({
        evidence: null,
        log: sql`log || ${`${now.toISOString()} evidence pack removed after ${EVIDENCE_KEEP_MONTHS} months\n`}`,
      })
      .where('id', '=', r.id)
      .execute();
    removed.push(Number(r.id));
  }
  return removed;
}
