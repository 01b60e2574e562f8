// Backups that a pending or running restore still needs: retention never deletes them.
import type { Db } from '../store/db.js';

const ACTIVE = [
  'draft',
  'scoped',
  'checked',
  'previewed',
  'pending_approval',
  'approved',
  'scheduled',
  'queued',
  'running',
];

export async function backupsInUse(db: Db): Promise<ReadonlySet<string>> {
  const rows = await db
    .selectFrom('restore_runs')
    .select('backup_id')
    .where('status', 'in', ACTIVE)
    .where('backup_id', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.backup_id!));
}
