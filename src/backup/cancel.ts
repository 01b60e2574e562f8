// Cancelling a backup that is not written yet (queued, or running on a worker). The status is
// changed here, through the one writer of a backup's status, with its audit event; the worker
// running it learns of it at its next heartbeat (heartbeat.ts: the backup is no longer `running`
// under it), stops pg_dump — or the recovery of a backup as it was at T, whose scratch instance
// it then removes — and deletes what it had written. A queued one is never started. A written
// backup is not cancelled: retention (or nothing) removes it.
import { LifeboatError } from '../errors.js';
import type { Db } from '../store/db.js';
import { setBackupStatus } from './set-status.js';
import { type BackupStatus, backupStatusOf } from './status.js';

export async function cancelBackup(db: Db, id: string, actor: string, requestId: string | null): Promise<void> {
  let found: string | undefined;
  const to = await setBackupStatus(db, id, 'cancel', {
    set: { error: `cancelled by ${actor}`, finished_at: new Date(), progress: null },
    guard: (b) => {
      found = b.status;
      return b.status === 'queued' || b.status === 'running';
    },
    audit: { actor, action: 'backup.cancel', requestId },
  });
  if (to === undefined) {
    throw new LifeboatError(
      'invalid_transition',
      `backup ${id} is ${found ?? 'gone'}: only a queued or running backup can be cancelled`,
      {
        hint:
          found === 'cancelled' || found === 'failed'
            ? 'nothing to stop: it was not written'
            : 'a written backup stays until retention removes it (`lifeboat backup prune --dry-run` shows when)',
      },
    );
  }
}

/**
 * The worker's side, once its heartbeat found the backup ended elsewhere (cancelled, or failed by
 * the reaper): a cancelled backup keeps what its worker did in its log. Resolves with the status.
 */
export async function endedElsewhere(db: Db, id: string, log: string): Promise<BackupStatus> {
  await db
    .updateTable('backups')
    .set({ log })
    .where('id', '=', id)
    .where('status', '=', 'cancelled')
    .execute()
    .catch(() => {});
  const row = await db.selectFrom('backups').select('status').where('id', '=', id).executeTakeFirst();
  return row ? backupStatusOf(row.status) : 'failed';
}
