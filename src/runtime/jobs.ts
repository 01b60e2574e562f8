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
import { PITR_QUEUE, prepareBackupAsAt } from '../restore/pitr-source.js';
import { DRILL_QUEUE, requestDrill } from '../drills/request.js';
import { drillDue, scheduledDrillQueue } from '../drills/schedule.js';
import { runDrill } from '../drills/run-drill.js';
import { DR_QUEUE, runExecution } from '../dr/execute.js';
import { pruneEvidence } from '../drills/evidence-retention.js';
import type { Logger } from '../lib/logger.js';
import { monitorSlos } from '../slo/monitor.js';
import { checkDrift } from '../schema/drift.js';
import { scheduledDriftQueue } from '../schema/schedule.js';
import type { Db } from '../store/db.js';
import type { JobHandler } from '../worker/worker.js';
import { takePhysicalBackup } from '../physical/backup.js';
import { physicalServers } from '../physical/lookup.js';
import { PHYSICAL_BACKUP_QUEUE, type PhysicalJob, scheduledPhysicalQueue } from '../physical/service.js';
import type { PhysicalBackupType } from '../catalog/types.js';

/** Housekeeping on a cron (kept previous copies past keep_previous or keep_previous_count are dropped). */
export const MAINTENANCE_QUEUE = 'lifeboat.maintenance';
export const MAINTENANCE_CRON = '*/5 * * * *';
/** The recovery SLOs are judged every minute (one worker takes each firing), and after each backup and drill. */
export const SLO_QUEUE = 'lifeboat.slo';
export const SLO_CRON = '* * * * *';

export interface JobDeps {
  db: Db;
  queue: PgBoss;
  catalog: Catalog;
  logger: Logger;
  /** Writes a signed checkpoint of the audit chain after every backup (absent: no signing key). */
  checkpoints?: CheckpointWriter;
}

export function jobHandlers(deps: JobDeps): Record<string, JobHandler> {
  // after a backup or a drill: its database judged at once, never failing the job that ran it
  const judge = async (database: string | undefined, logger: Logger) => {
    if (database === undefined) return;
    await monitorSlos({ db: deps.db, catalog: deps.catalog }, new Date(), [database]).catch((err: unknown) =>
      logger.warn({ database, reason: (err as Error).message }, 'SLOs not judged'),
    );
  };
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
      await judge(row?.database, ctx.logger);
    },
  };
  handlers[PITR_QUEUE] = async (data, ctx) => {
    // a restore source: the database as it was at T, recovered, dumped and verified (no retention, no SLO)
    const { backupId } = data as { backupId: string };
    const status = await prepareBackupAsAt(
      { db: deps.db, catalog: deps.catalog, logger: ctx.logger, signal: ctx.signal, workerId: ctx.workerId },
      backupId,
    );
    if (status === 'unverifiable') await requestReverify(deps.queue, backupId);
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
    const row = await deps.db.selectFrom('drills').select('database').where('id', '=', drillId).executeTakeFirst();
    await judge(row?.database, ctx.logger);
  };
  handlers[SLO_QUEUE] = async () => {
    await monitorSlos({ db: deps.db, catalog: deps.catalog }, new Date());
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
    if (!d.drill?.schedule) continue;
    const name = d.name;
    handlers[scheduledDrillQueue(name)] = async (_data, ctx) => {
      // the schedule in force when it fires (a reload may have changed it since this was served)
      const schedule = deps.catalog.databases[name]?.drill?.schedule;
      if (!schedule || !drillDue(schedule, new Date())) return;
      try {
        await requestDrill(deps.db, deps.queue, deps.catalog, {
          database: name,
          actor: 'scheduler',
          trigger: 'schedule',
        });
      } catch (err) {
        // no verified backup yet, or the target no longer allowed: said in the log, tried at the next firing
        ctx.logger.warn({ database: name, reason: (err as Error).message }, 'scheduled drill not started');
      }
    };
  }
  for (const d of Object.values(deps.catalog.databases)) {
    if (!d.schema?.driftSchedule) continue;
    handlers[scheduledDriftQueue(d.name)] = async (_data, ctx) => {
      // the report is stored and a new drift notified by the check itself; a drift is not a job failure
      const r = await checkDrift(deps.db, deps.catalog, d, { actor: 'scheduler' });
      if (r.drift) {
        ctx.logger.warn({ database: d.name, report: r.reportId, differences: r.changes.length }, 'schema drift');
      }
    };
  }
  handlers[PHYSICAL_BACKUP_QUEUE] = async (data, ctx) => {
    const job = data as PhysicalJob;
    const out = await takePhysicalBackup(deps.db, deps.catalog, { ...job, signal: ctx.signal });
    ctx.logger.info({ server: job.server, label: out.label, verify: out.verifyStatus }, 'physical backup recorded');
  };
  for (const s of physicalServers(deps.catalog)) {
    for (const type of Object.keys(s.pgbackrest.schedule) as PhysicalBackupType[]) {
      handlers[scheduledPhysicalQueue(s.name, type)] = async (_data, ctx) => {
        const out = await takePhysicalBackup(deps.db, deps.catalog, {
          server: s.name,
          type,
          trigger: 'schedule',
          actor: 'scheduler',
          signal: ctx.signal,
        });
        ctx.logger.info(
          { server: s.name, label: out.label, verify: out.verifyStatus },
          'scheduled physical backup recorded',
        );
      };
    }
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
