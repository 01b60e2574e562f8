// A running backup's heartbeat: its worker stamps `heartbeat_at` every second, as a restore run's
// tracker does (src/restore/progress.ts), so that a reaper can tell a live backup from one whose
// worker died (src/backup/reap.ts). The stamp is guarded by ownership: once the backup is no
// longer `running` under this worker (the reaper failed it), the worker is told to stop, so that
// it never goes on writing files of a backup that has been declared failed and cleaned up.
import type { Db } from '../store/db.js';

export interface BackupHeartbeat {
  stop(): void;
}

export function startBackupHeartbeat(
  db: Db,
  backupId: string,
  workerId: string,
  onLost: () => void,
  everyMs = 1000,
): BackupHeartbeat {
  let lost = false;
  let stopped = false;
  let beating: Promise<void> = Promise.resolve();
  const beat = async () => {
    if (stopped) return;
    const r = await db
      .updateTable('backups')
      .set({ heartbeat_at: new Date() })
      .where('id', '=', backupId)
      .where('status', '=', 'running')
      .where('worker_id', '=', workerId)
      .executeTakeFirst();
    // (a beat that was under way when the backup finished finds it no longer running: not a loss)
    if (Number(r.numUpdatedRows) === 0 && !lost && !stopped) {
      lost = true;
      onLost();
    }
  };
  const timer = setInterval(() => {
    // one beat at a time; a store that does not answer is tried again at the next tick
    beating = beating.then(beat).catch(() => {});
  }, everyMs);
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
