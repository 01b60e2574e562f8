// Pruning: apply each database's retention policy (retention.ts decides, purely) and delete what
// no rule keeps. Every deletion is audited; the catalog row stays, marked deleted, for history.
import { recordAudit } from '../audit/record.js';
import type { Catalog } from '../catalog/types.js';
import { getDatabase } from '../catalog/lookup.js';
import type { PruneResult } from '../contract/backups.js';
import { openCatalogStorage } from '../storage/index.js';
import type { Db } from '../store/db.js';
import { backupPrefix } from './manifest.js';
import { planRetention } from './retention.js';
import { backupStatusOf } from './status.js';
import { backupsInUse } from './in-use.js';

export async function pruneBackups(
  deps: { db: Db; catalog: Catalog },
  opts: { database?: string; dryRun: boolean; actor: string; requestId?: string | null; now?: Date },
): Promise<PruneResult> {
  const databases = opts.database
    ? [getDatabase(deps.catalog, opts.database)]
    : Object.values(deps.catalog.databases).filter((d) => d.backup);
  const inUse = await backupsInUse(deps.db);
  const result: PruneResult = { dryRun: opts.dryRun, databases: [] };
  for (const database of databases) {
    if (!database.backup) continue;
    const rows = await deps.db
      .selectFrom('backups')
      .select(['id', 'status', 'started_at', 'finished_at', 'created_at', 'storage'])
      .where('database', '=', database.name)
      .where('deleted_at', 'is', null)
      .execute();
    const plan = planRetention(
      rows.map((r) => ({
        id: r.id,
        // (retention keeps queued backups like running ones, unverifiable ones like completed ones)
        status: backupStatusOf(r.status),
        startedAt: r.started_at ?? r.created_at,
        finishedAt: r.finished_at,
      })),
      database.backup.retention,
      { now: opts.now ?? new Date(), inUse },
    );
    result.databases.push({ database: database.name, keep: plan.keep, remove: plan.remove });
    if (opts.dryRun) continue;
    for (const victim of plan.remove) {
      const row = rows.find((r) => r.id === victim.id)!;
      const cfg = deps.catalog.storage[row.storage];
      if (cfg) {
        const storage = openCatalogStorage(cfg);
        try {
          await storage.deletePrefix(backupPrefix(database.name, victim.id));
        } finally {
          await storage.close?.();
        }
      }
      await deps.db.transaction().execute(async (trx) => {
        await trx.updateTable('backups').set({ deleted_at: new Date() }).where('id', '=', victim.id).execute();
        await recordAudit(trx, {
          actor: opts.actor,
          action: 'backup.delete',
          subjectType: 'backup',
          subjectId: victim.id,
          details: { database: database.name, why: victim.why },
          requestId: opts.requestId ?? null,
        });
      });
    }
  }
  return result;
}
