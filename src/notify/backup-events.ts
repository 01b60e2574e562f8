// Which backup status changes notify: a backup that failed, and one found corrupt (by a
// verification, a restore or a fetch). Called by the one writer of a backup's status
// (src/backup/set-status.ts) inside its transaction. The owning team is resolved when the event
// is routed, from the configuration in force then.
import type { Transaction } from 'kysely';
import type { BackupStatus } from '../backup/status.js';
import type { Database } from '../store/schema.js';
import { type BackupFacts, recordEvent } from './events.js';

export function backupNotifyType(from: BackupStatus, to: BackupStatus): 'backup.failed' | 'backup.corrupt' | undefined {
  if (from === to) return undefined;
  if (to === 'failed') return 'backup.failed';
  if (to === 'corrupt') return 'backup.corrupt';
  return undefined;
}

export async function recordBackupEvent(
  trx: Transaction<Database>,
  id: string,
  change: { from: BackupStatus; to: BackupStatus; actor: string },
): Promise<void> {
  const type = backupNotifyType(change.from, change.to);
  if (type === undefined) return;
  const b = await trx
    .selectFrom('backups')
    .select(['database', 'server', 'error', 'verify_error'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const data: BackupFacts = {
    backup: id,
    database: b.database,
    server: b.server,
    status: change.to,
    reason: (type === 'backup.failed' ? b.error : b.verify_error) ?? null,
    actor: change.actor,
  };
  await recordEvent(trx, { type, data, subjectType: 'backup', subjectId: id });
}
