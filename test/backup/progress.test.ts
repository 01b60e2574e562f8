// A backup's progress (src/backup/progress.ts) and its line in the CLI (src/cli/backup-view.ts):
// pure rules, in tables.
import { describe, expect, it } from 'vitest';
import {
  type BackupProgress,
  dumpPercent,
  progressChanged,
  recoveryProgress,
  replayPercent,
} from '../../src/backup/progress.js';
import { progressLine, progressText } from '../../src/cli/backup-view.js';
import type { BackupProgressDoc } from '../../src/contract/backups.js';
import type { RecoverProgress } from '../../src/physical/recover.js';

const d = (iso: string) => new Date(iso);
const T = d('2026-12-05T10:00:00.000Z');
const FROM = d('2026-12-05T09:00:00.000Z');

describe('replayPercent: by commit time, from the end of the physical backup to T', () => {
  it.each([
    ['at the backup end', FROM, 0],
    ['half way', d('2026-12-05T09:30:00.000Z'), 50],
    ['a third', d('2026-12-05T09:20:00.000Z'), 33.3],
    ['at T', T, 100],
    ['a commit before the backup end (clamped)', d('2026-12-05T08:00:00.000Z'), 0],
    ['a commit after T (clamped)', d('2026-12-05T11:00:00.000Z'), 100],
  ])('%s', (_what, replayedAt, percent) => {
    expect(replayPercent(FROM, replayedAt, T)).toBe(percent);
  });
  it.each([
    ['no backup end known', null, T, T],
    ['no commit replayed yet', FROM, null, T],
    ['no target time (latest)', FROM, T, null],
    ['T at the backup end', T, T, T],
  ])('unknown: %s', (_what, from, replayedAt, target) => {
    expect(replayPercent(from, replayedAt, target)).toBeNull();
  });
});

describe('dumpPercent: tables finished of the snapshot, 100 only once the dump is done', () => {
  it.each([
    [0, 4, 0],
    [1, 4, 25],
    [3, 4, 75],
    [4, 4, 99],
    [5, 4, 99],
    [1, 3, 33.3],
    [0, 0, 0],
  ])('%i of %i → %d', (done, total, percent) => {
    expect(dumpPercent(done, total)).toBe(percent);
  });
});

describe('recoveryProgress: a recovery as a backup phase', () => {
  const target = { type: 'time', at: T } as const;
  const cases: Array<[RecoverProgress, BackupProgress]> = [
    [{ phase: 'checking' }, { phase: 'restoring_files', percent: 0, bytes: 0, totalBytes: null }],
    [
      { phase: 'restoring', label: 'L', bytes: 420, totalBytes: 1000, percent: 42.04 },
      { phase: 'restoring_files', percent: 42, bytes: 420, totalBytes: 1000 },
    ],
    [
      { phase: 'starting', port: 5999 },
      { phase: 'replaying_wal', percent: null, replayedLsn: null, replayedAt: null, target: null },
    ],
    [
      { phase: 'replaying', replayedLsn: '0/3000060', replayedAt: d('2026-12-05T09:45:00.000Z'), target, from: FROM },
      {
        phase: 'replaying_wal',
        percent: 75,
        replayedLsn: '0/3000060',
        replayedAt: '2026-12-05T09:45:00.000Z',
        target: T.toISOString(),
      },
    ],
    [
      { phase: 'replaying', replayedLsn: null, replayedAt: null, target: { type: 'latest' }, from: null },
      { phase: 'replaying_wal', percent: null, replayedLsn: null, replayedAt: null, target: null },
    ],
    [
      { phase: 'promoted', recoveredTo: T },
      {
        phase: 'replaying_wal',
        percent: 100,
        replayedLsn: null,
        replayedAt: T.toISOString(),
        target: T.toISOString(),
      },
    ],
  ];
  it.each(cases)('%o', (p, expected) => {
    expect(recoveryProgress(p)).toEqual(expected);
  });
});

describe('progressChanged: a write per phase change or whole percent', () => {
  const r = (phase: BackupProgress['phase'], percent: number | null): BackupProgress => ({ phase, percent });
  it.each([
    ['the first report', undefined, r('restoring_files', 0), true],
    ['the same whole percent', r('restoring_files', 41.2), r('restoring_files', 41.9), false],
    ['the next whole percent', r('restoring_files', 41.9), r('restoring_files', 42), true],
    ['another phase', r('restoring_files', 100), r('replaying_wal', null), true],
    ['still unknown', r('replaying_wal', null), r('replaying_wal', null), false],
    ['known now', r('replaying_wal', null), r('replaying_wal', 3), true],
  ] as const)('%s → %s', (_what, before, after, changed) => {
    expect(progressChanged(before, after)).toBe(changed);
  });
});

describe('the CLI line of a running backup', () => {
  const doc = (p: Omit<BackupProgressDoc, 'updatedAt'>): BackupProgressDoc => ({ ...p, updatedAt: T.toISOString() });
  it.each([
    [
      doc({ phase: 'restoring_files', percent: 42.7, bytes: 420 * 1024 * 1024, totalBytes: 1000 * 1024 * 1024 }),
      /^restoring files 42% \(420(\.0)? MiB of 1000(\.0)? MiB\)$/,
    ],
    [doc({ phase: 'restoring_files', percent: 0, bytes: 0, totalBytes: null }), /^restoring files 0%$/],
    [
      doc({
        phase: 'replaying_wal',
        percent: 75,
        replayedLsn: '0/3000060',
        replayedAt: '2026-12-05T09:45:00.000Z',
        target: T.toISOString(),
      }),
      /^replaying WAL 75% \(at 0\/3000060, last commit 2026-12-05T09:45:00.000Z, target 2026-12-05T10:00:00.000Z\)$/,
    ],
    [
      doc({ phase: 'replaying_wal', percent: null, replayedLsn: null, replayedAt: null, target: null }),
      /^replaying WAL$/,
    ],
    [doc({ phase: 'dumping', percent: 50, tables: 2, totalTables: 4 }), /^dumping 50% \(2 of 4 tables\)$/],
    [doc({ phase: 'verifying', percent: null }), /^verifying$/],
  ])('%o', (p, line) => {
    expect(progressText(p)).toMatch(line);
  });
  it('says the status when there is no progress', () => {
    expect(progressLine({ id: 'B1', status: 'queued', progress: null })).toBe('backup B1 queued');
  });
});
