// The job handlers a worker runs, by queue name. Each capability contributes its handlers here.
import type PgBoss from 'pg-boss';
import type { CheckpointWriter } from '../audit/anchor.js';
import { pruneBackups } from '../backup/prune.js';
import { runBackup } from '../backup/run-backup.js';
import {
  BACKUP_QUEUE,
  BACKUP_VERIFY_QUEUE,
  requestBackup,
  requestReverify,
  scheduledBackupQueue,
} from '../backup/service.js';
import { verifyBackup } from '../backup/verify-backup.js';
import { LifeboatError } from '../errors.js';
import type { Catalog } from '../catalog/types.js';
import { dropKeptCopies } from '../restore/kept-copies.js';
import { RESTORE_QUEUE, runRestore } from '../restore/run-restore.js';
import { DRILL_QUEUE, requestDrill } from '../drills/request.js';
import { drillDue, scheduledDrillQueue } from '../drills/schedule.js';
import { runDrill } from '../drills/run-drill.js';
import { DR_QUEUE, runExecution } from '../dr/execute.js';
import { pruneEvidence } from '../drills/evidence-retention.js';
import type { Logger } from '../lib/logger.js';
import type { Db } from '../store/db.js';
import type { JobHandler } from '../worker/worker.js';

/** Housekeeping on a cron (kept previous copies past keep_previous or keep_previous_count are dropped). */
export const MAINTENANCE_QUEUE = 'lifeboat.maintenance';
export const MAINTENANCE_CRON = '*/5 * * * *';

export interface JobDeps {
  db: Db;
  queue: PgBoss;
  catalog: Catalog;
  logger: Logger;
  /** Writes a signed checkpoint of the audit chain after every backup (absent: no signing key). */
  checkpoints?: CheckpointWriter;
}

export function jobHandlers(deps: JobDeps): Record<string, JobHandler> {
  const handlers: Record<string, JobHandler> = {
    [BACKUP_QUEUE]: async (data, ctx) => {
      const { backupId } = data as { backupId: string };
      const status = await runBackup(
        { db: deps.db, catalog: deps.catalog, logger: ctx.logger, signal: ctx.signal, workerId: ctx.workerId },
        backupId,
      );
      if (status === 'unverifiable') await requestReverify(deps.queue, backupId);
      // the audit chain is anchored in the backup storage with every backup
      await deps.checkpoints?.write('backup');
      const row = await deps.db
        .selectFrom('backups')
        .select(['trigger', 'database'])
        .where('id', '=', backupId)
        .executeTakeFirst();
      // retention runs after each scheduled backup
      if (row?.trigger === 'schedule') {
        await pruneBackups(
          { db: deps.db, catalog: deps.catalog },
          { database: row.database, dryRun: false, actor: 'scheduler' },
        );
      }
    },
  };
  handlers[BACKUP_VERIFY_QUEUE] = async (data, ctx) => {
    const { backupId } = data as { backupId: string };
    const row = await deps.db
      .selectFrom('backups')
      .select('status')
      .where('id', '=', backupId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (row?.status !== 'unverifiable') return; // verified (or found corrupt, or pruned) meanwhile
    const verdict = await verifyBackup({ db: deps.db, catalog: deps.catalog, signal: ctx.signal }, backupId);
    // failing the job is what makes pg-boss try it again later
    if (verdict.status === 'unverifiable') {
      throw new LifeboatError('storage_failed', `backup ${backupId} is still unverifiable: ${verdict.reason}`);
    }
  };
  handlers[RESTORE_QUEUE] = async (data, ctx) => {
    const { runId } = data as { runId: number };
    await runRestore({ ...deps, logger: ctx.logger }, runId, { signal: ctx.signal, workerId: ctx.workerId });
  };
  handlers[DRILL_QUEUE] = async (data, ctx) => {
    const { drillId } = data as { drillId: number };
    await runDrill({ ...deps, logger: ctx.logger }, drillId, { signal: ctx.signal, workerId: ctx.workerId });
  };
  handlers[DR_QUEUE] = async (data, ctx) => {
    const { incidentId } = data as { incidentId: number };
    await runExecution({ ...deps, logger: ctx.logger }, incidentId, { signal: ctx.signal, workerId: ctx.workerId });
  };
  handlers[MAINTENANCE_QUEUE] = async () => {
    await dropKeptCopies(deps);
    await pruneEvidence(deps);
  };
  for (const d of Object.values(deps.catalog.databases)) {
    const schedule = d.drill?.schedule;
    if (!schedule) continue;
    handlers[scheduledDrillQueue(d.name)] = async (_data, ctx) => {
      if (!drillDue(schedule, new Date())) return;
      try {
        await requestDrill(deps.db, deps.queue, deps.catalog, {
          database: d.name,
          actor: 'scheduler',
          trigger: 'schedule',
        });
      } catch (err) {
        // no verified backup yet, or the target no longer allowed: said in the log, tried at the next firing
        ctx.logger.warn({ database: d.name, reason: (err as Error).message }, 'scheduled drill not started');
      }
    };
  }
  for (const d of Object.values(deps.catalog.databases)) {
    if (!d.backup?.schedule) continue;
    handlers[scheduledBackupQueue(d.name)] = async () => {
      await requestBackup(deps.db, deps.queue, deps.catalog, {
        database: d.name,
        actor: 'scheduler',
        trigger: 'schedule',
      });
    };
  }
  return handlers;
}
