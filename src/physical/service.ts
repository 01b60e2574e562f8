// Physical backups as the API and the scheduler ask for them: a job on the physical backup queue
// (the worker runs pgBackRest), and pg-boss cron schedules per server and backup type.
import type PgBoss from 'pg-boss';
import { recordAudit } from '../audit/record.js';
import type { Catalog, PhysicalBackupType } from '../catalog/types.js';
import type { PhysicalBackupDoc } from '../contract/physical.js';
import type { Db } from '../store/db.js';
import type { PhysicalBackupTable } from '../store/schema.js';
import type { Selectable } from 'kysely';
import { enqueueIn, ensureQueue } from '../worker/queue.js';
import { getServerOf, physicalServers } from './lookup.js';

export const PHYSICAL_BACKUP_QUEUE = 'backup.physical';
/** pg-boss keeps one schedule per queue name: one queue per server and backup type. */
export const scheduledPhysicalQueue = (server: string, type: PhysicalBackupType) =>
  `physical.scheduled.${server}.${type}`;

export interface PhysicalJob {
  server: string;
  type: PhysicalBackupType;
  actor: string;
  trigger: 'manual' | 'schedule';
}

/** Queues a backup of a server's stanza; the job and its audit event commit together. */
export async function requestPhysicalBackup(
  db: Db,
  queue: PgBoss,
  catalog: Catalog,
  req: PhysicalJob & { requestId?: string | null },
): Promise<{ jobId: string }> {
  const server = getServerOf(catalog, req.server);
  await ensureQueue(queue, PHYSICAL_BACKUP_QUEUE);
  let jobId = '';
  await db.transaction().execute(async (trx) => {
    const job: PhysicalJob = { server: server.name, type: req.type, actor: req.actor, trigger: req.trigger };
    jobId = (await enqueueIn(trx, queue, PHYSICAL_BACKUP_QUEUE, job, { retryLimit: 0, expireInHours: 23 })) ?? '';
    await recordAudit(trx, {
      actor: req.actor,
      action: 'backup.physical.request',
      subjectType: 'server',
      subjectId: server.name,
      details: { stanza: server.pgbackrest.stanza, type: req.type, trigger: req.trigger },
      requestId: req.requestId ?? null,
    });
  });
  return { jobId };
}

/** The cron schedules lifeboat.yaml asks for: queue name → cron. */
export function wantedPhysicalSchedules(catalog: Catalog): Array<[string, string]> {
  return physicalServers(catalog).flatMap((s) =>
    Object.entries(s.pgbackrest.schedule).flatMap(([type, cron]) =>
      cron ? [[scheduledPhysicalQueue(s.name, type as PhysicalBackupType), cron] as [string, string]] : [],
    ),
  );
}

export function physicalBackupDoc(r: Selectable<PhysicalBackupTable>): PhysicalBackupDoc {
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  return {
    server: r.server,
    stanza: r.stanza,
    label: r.label,
    type: r.type as PhysicalBackupType,
    prior: r.prior,
    startedAt: iso(r.started_at)!,
    stoppedAt: iso(r.stopped_at)!,
    startLsn: r.start_lsn,
    stopLsn: r.stop_lsn,
    walStart: r.wal_start,
    walStop: r.wal_stop,
    size: r.size,
    repoSize: r.repo_size,
    systemId: r.system_id,
    pgVersion: r.pg_version,
    trigger: r.trigger,
    requestedBy: r.requested_by,
    verifyStatus: r.verify_status,
    verifyError: r.verify_error,
    verifiedAt: iso(r.verified_at),
    expiredAt: iso(r.expired_at),
  };
}
