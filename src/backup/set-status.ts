// The one writer of a backup's status (STYLE.md §20): lock the row, decide the next status with
// the pure lifecycle (status.ts), update it guarded by the status it was read with, and record
// the audit event — in one transaction. Every change of `backups.status` goes through here: the
// worker running a backup, a verification, a restore or a fetch that found a file damaged, and
// the reaper of backups whose worker was lost.
import type { Updateable } from 'kysely';
import { recordAudit, type AuditInput } from '../audit/record.js';
import { LifeboatError } from '../errors.js';
import { recordBackupEvent } from '../notify/backup-events.js';
import type { Db } from '../store/db.js';
import type { BackupTable } from '../store/schema.js';
import { type BackupEvent, type BackupStatus, backupStatusOf, CHECKED_STATUSES, nextBackupStatus } from './status.js';

type BackupColumns = Omit<Updateable<BackupTable>, 'status' | 'id'>;

export interface BackupChange {
  /** Other columns written with the status (or a function of the new status and the old). */
  set?: BackupColumns | ((to: BackupStatus, from: BackupStatus) => BackupColumns);
  /** The audit event of the change (subject: the backup). */
  audit?: Omit<AuditInput, 'subjectType' | 'subjectId'>;
  /**
   * Checked on the locked row before anything is decided: false leaves the backup as it is and
   * resolves undefined (a reaper whose backup's worker came back, a worker that no longer owns it).
   */
  guard?: BackupGuard;
}

export type BackupGuard = (row: {
  status: BackupStatus;
  worker_id: string | null;
  heartbeat_at: Date | null;
}) => boolean;

/** Applies `event` to backup `id`; resolves with its new status (undefined when `guard` said no). */
export async function setBackupStatus(
  db: Db,
  id: string,
  event: BackupEvent,
  change: BackupChange = {},
): Promise<BackupStatus | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('backups')
      .select(['status', 'worker_id', 'heartbeat_at'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) {
      throw new LifeboatError('not_found', `no backup ${id}`, { hint: 'list backups with `lifeboat backup list`' });
    }
    const from = backupStatusOf(row.status);
    if (change.guard && !change.guard({ ...row, status: from })) return undefined;
    const to = nextBackupStatus(from, event);
    await trx
      .updateTable('backups')
      .set({ ...(typeof change.set === 'function' ? change.set(to, from) : change.set), status: to })
      .where('id', '=', id)
      .where('status', '=', from)
      .execute();
    if (change.audit) {
      await recordAudit(trx, {
        ...change.audit,
        subjectType: 'backup',
        subjectId: id,
        details: { ...change.audit.details, from, to },
      });
    }
    // a failed or corrupt backup notifies, written with the change (src/notify/)
    await recordBackupEvent(trx, id, { from, to, actor: change.audit?.actor ?? 'lifeboat' });
    return to;
  });
}

/**
 * A restore or a fetch read a file that does not match its checksum: the backup is marked
 * `corrupt` with the reason, so that it is never offered again (nor kept as the newest verified
 * backup), and the finding is audited with what found it.
 */
export async function markCorrupt(
  db: Db,
  corruption: { backupId: string; reason: string },
  foundBy: { actor: string; by: string; requestId?: string | null },
): Promise<void> {
  await setBackupStatus(db, corruption.backupId, 'verify_failed', {
    set: { verified_at: new Date(), verify_error: corruption.reason },
    // (a backup still being written, or failed, has no verdict to change)
    guard: (b) => CHECKED_STATUSES.has(b.status),
    audit: {
      actor: foundBy.actor,
      action: 'backup.corrupt',
      outcome: 'failure',
      details: { reason: corruption.reason, foundBy: foundBy.by },
      requestId: foundBy.requestId ?? null,
    },
  });
}
