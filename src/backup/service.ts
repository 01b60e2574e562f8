// Backups as the API and the scheduler ask for them: a request writes the backup row, its job
// and its audit event in one transaction (STYLE.md §8); the worker then runs the runbook.
import { randomBytes } from 'node:crypto';
import type PgBoss from 'pg-boss';
import { recordAudit } from '../audit/record.js';
import type { Catalog } from '../catalog/types.js';
import { getDatabase } from '../catalog/lookup.js';
import { LifeboatError } from '../errors.js';
import type { Db } from '../store/db.js';
import { enqueueIn, ensureQueue } from '../worker/queue.js';
import { newBackupId } from './status.js';
import { wantedDrillSchedules } from '../drills/schedule.js';
import { DRIFT_QUEUE_PREFIX, wantedDriftSchedules } from '../schema/schedule.js';
import { wantedPhysicalSchedules } from '../physical/service.js';

export const BACKUP_QUEUE = 'backup.run';
/**
 * Verifications that could not read the storage, tried again: pg-boss retries the job while the
 * backup stays `unverifiable` (the handler fails), after 1, 2, 4 … minutes, about 4 hours in all.
 */
export const BACKUP_VERIFY_QUEUE = 'backup.verify';
export const REVERIFY_RETRY: Readonly<PgBoss.SendOptions> = {
  startAfter: 60,
  retryLimit: 8,
  retryDelay: 60,
  retryBackoff: true,
  expireInHours: 12,
};
/** pg-boss keeps one schedule per queue name, so each database has its own scheduled queue. */
export const scheduledBackupQueue = (database: string) => `backup.scheduled.${database}`;

export interface BackupRequest {
  database: string;
  actor: string;
  trigger: 'manual' | 'schedule';
  requestId?: string | null;
}

export async function requestBackup(
  db: Db,
  queue: PgBoss,
  catalog: Catalog,
  req: BackupRequest,
): Promise<{ id: string }> {
  const database = getDatabase(catalog, req.database);
  if (!database.backup) {
    throw new LifeboatError('invalid_request', `database ${database.name} has no backup policy`, {
      hint: `add a backup: section (storage, schedule, retention) to databases.${database.name} in lifeboat.yaml`,
    });
  }
  const id = newBackupId(new Date(), randomBytes(2).toString('hex'));
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('backups')
      .values({
        id,
        database: database.name,
        server: database.server,
        storage: database.backup!.storage,
        status: 'queued',
        trigger: req.trigger,
        requested_by: req.actor,
      })
      .execute();
    await enqueueIn(trx, queue, BACKUP_QUEUE, { backupId: id }, { retryLimit: 0, expireInHours: 12 });
    await recordAudit(trx, {
      actor: req.actor,
      action: 'backup.run',
      subjectType: 'backup',
      subjectId: id,
      details: { database: database.name, trigger: req.trigger },
      requestId: req.requestId ?? null,
    });
  });
  return { id };
}

/** Queues another verification of a backup whose verification could not read the storage. */
export async function requestReverify(queue: PgBoss, backupId: string): Promise<void> {
  await ensureQueue(queue, BACKUP_VERIFY_QUEUE);
  await queue.send(BACKUP_VERIFY_QUEUE, { backupId }, { ...REVERIFY_RETRY, singletonKey: `verify:${backupId}` });
}

/**
 * Makes pg-boss's cron schedules match lifeboat.yaml: one per database with a `backup.schedule`,
 * one per database with a `drill.schedule` (src/drills/schedule.ts), one per database with a
 * `schema.drift_schedule` (src/schema/schedule.ts), and one per server and type of a
 * `pgbackrest.schedule` (src/physical/service.ts).
 */
export async function syncBackupSchedules(queue: PgBoss, catalog: Catalog): Promise<void> {
  const wanted = new Map([
    ...Object.values(catalog.databases)
      .filter((d) => d.backup?.schedule)
      .map((d) => [scheduledBackupQueue(d.name), d.backup!.schedule!] as const),
    ...wantedDrillSchedules(catalog),
    ...wantedDriftSchedules(catalog),
    ...wantedPhysicalSchedules(catalog),
  ]);
  for (const s of await queue.getSchedules()) {
    const ours = ['backup.scheduled.', 'drill.scheduled.', 'physical.scheduled.', DRIFT_QUEUE_PREFIX].some((p) =>
      s.name.startsWith(p),
    );
    if (ours && !wanted.has(s.name)) await queue.unschedule(s.name);
  }
  for (const [name, cron] of wanted) {
    if (!(await queue.getQueue(name))) await queue.createQueue(name).catch(() => {});
    await queue.schedule(name, cron, {}, { tz: 'UTC', retryLimit: 0 });
  }
}
