// Where a running backup is, as `GET /api/v1/backups/:id` shows it (migration 0018): its phase
// and the figures of that phase. An ordinary backup dumps then verifies; a backup of a database
// as it was at T (src/restore/pitr-source.ts) first restores the files of a physical backup into
// a scratch instance and replays WAL up to T. The mapping from the recovery's own progress and
// the percentages are pure (table-tested); the writer stores a report when the phase or the
// whole percent changes, one write at a time, only while this worker owns the running backup.
import type { BackupProgressDoc } from '../contract/backups.js';
import type { RecoverProgress } from '../physical/recover.js';
import type { Db } from '../store/db.js';

export type BackupPhase = BackupProgressDoc['phase'];
/** What the writer is given: the document without its stamp. */
export type BackupProgress = Omit<BackupProgressDoc, 'updatedAt'>;

const clampPercent = (p: number) => Math.max(0, Math.min(100, Math.round(p * 10) / 10));

/**
 * How far WAL replay is towards the target, by commit time: from the end of the physical backup
 * (`from`) to T. Null when it cannot be told (no commit replayed yet, no target time, T not after
 * the backup's end).
 */
export function replayPercent(from: Date | null, replayedAt: Date | null, target: Date | null): number | null {
  if (from === null || replayedAt === null || target === null) return null;
  const span = target.getTime() - from.getTime();
  if (span <= 0) return null;
  return clampPercent(((replayedAt.getTime() - from.getTime()) / span) * 100);
}

/** How far pg_dump is: tables whose data it has finished, of the tables in the snapshot (100 only once done). */
export function dumpPercent(tablesDone: number, totalTables: number): number {
  if (totalTables <= 0) return 0;
  return Math.min(99, clampPercent((tablesDone / totalTables) * 100));
}

/** A recovery's progress as a backup's: undefined for what is not a phase of the backup. */
export function recoveryProgress(p: RecoverProgress): BackupProgress | undefined {
  switch (p.phase) {
    case 'checking':
      return { phase: 'restoring_files', percent: 0, bytes: 0, totalBytes: null };
    case 'restoring':
      return { phase: 'restoring_files', percent: clampPercent(p.percent), bytes: p.bytes, totalBytes: p.totalBytes };
    case 'starting':
      return {
        phase: 'replaying_wal',
        percent: null,
        replayedLsn: null,
        replayedAt: null,
        target: null,
      };
    case 'replaying': {
      const target = p.target.type === 'time' ? p.target.at : null;
      return {
        phase: 'replaying_wal',
        percent: replayPercent(p.from, p.replayedAt, target),
        replayedLsn: p.replayedLsn,
        replayedAt: p.replayedAt?.toISOString() ?? null,
        target: target?.toISOString() ?? null,
      };
    }
    case 'promoted':
      return {
        phase: 'replaying_wal',
        percent: 100,
        replayedLsn: null,
        replayedAt: p.recoveredTo.toISOString(),
        target: p.recoveredTo.toISOString(),
      };
    default: {
      const never: never = p;
      return never;
    }
  }
}

/** Whether a new report is worth a write: another phase, or another whole percent. */
export function progressChanged(before: BackupProgress | undefined, after: BackupProgress): boolean {
  if (!before || before.phase !== after.phase) return true;
  const whole = (p: number | null) => (p === null ? null : Math.floor(p));
  return whole(before.percent) !== whole(after.percent);
}

export interface ProgressWriter {
  report(p: BackupProgress): void;
  /** Resolves once the reports made so far are stored. */
  flush(): Promise<void>;
}

/** Stores reports on backup `backupId` while it is running under `workerId`; never rejects. */
export function backupProgressWriter(db: Db, backupId: string, workerId: string): ProgressWriter {
  let last: BackupProgress | undefined;
  let pending: BackupProgress | undefined;
  let writing: Promise<void> = Promise.resolve();
  const write = async () => {
    const p = pending;
    pending = undefined;
    if (!p) return;
    await db
      .updateTable('backups')
      .set({ progress: JSON.stringify({ ...p, updatedAt: new Date().toISOString() }) })
      .where('id', '=', backupId)
      .where('status', 'in', ['running', 'completed'])
      .where('worker_id', '=', workerId)
      .execute();
  };
  return {
    report(p) {
      if (!progressChanged(last, p)) return;
      last = p;
      pending = p; // the newest report wins over one still waiting for its turn
      writing = writing.then(write).catch(() => {});
    },
    flush: () => writing,
  };
}
