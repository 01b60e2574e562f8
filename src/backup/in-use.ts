// Backups that a pending or running restore still needs: retention never deletes them.
import type { Db } from '../store/db.js';

export async function backupsInUse(_db: Db): Promise<ReadonlySet<string>> {
  // restore runs reference their backup once the restore engine exists (see restore/)
  return new Set();
}
