// Backups that a pending or running restore still needs: retention never deletes them.
import { isTerminal, RUN_STATUSES } from '../restore/lifecycle.js';
import type { Db } from '../store/db.js';

// every run that has not ended may still restore its backup
const ACTIVE = RUN_STATUSES.filter((s) => !isTerminal(s));

export async function backupsInUse(db: Db): Promise<ReadonlySet<string>> {
  const rows = await db
    .selectFrom('restore_runs')
    .select('backup_id')
    .where('status', 'in', ACTIVE)
    .where('backup_id', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.backup_id!));
}
