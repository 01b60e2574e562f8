// A backup's lifecycle, as a pure function of events:
//   queued → running → completed → verified | corrupt      (and running → failed)
// A verified backup can later be found corrupt by a re-verification, and a corrupt one verified
// again only by a new verification that passes (e.g. after a storage hiccup was repaired).
import { LifeboatError } from '../errors.js';

export const BACKUP_STATUSES = ['queued', 'running', 'completed', 'verified', 'corrupt', 'failed'] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

/** Where a backup's status stops changing (a client following it stops there). */
export const TERMINAL_BACKUP_STATUSES: ReadonlySet<string> = new Set<BackupStatus>(['verified', 'corrupt', 'failed']);

export type BackupEvent = 'start' | 'finish' | 'fail' | 'verify_ok' | 'verify_failed';

export function nextBackupStatus(from: BackupStatus, event: BackupEvent): BackupStatus {
  const to = transition(from, event);
  if (!to) {
    throw new LifeboatError('invalid_transition', `a ${from} backup cannot ${event.replace('_', ' ')}`, {
      hint: 'reload the backup; another process may have changed it',
    });
  }
  return to;
}

function transition(from: BackupStatus, event: BackupEvent): BackupStatus | undefined {
  switch (event) {
    case 'start':
      return from === 'queued' ? 'running' : undefined;
    case 'finish':
      return from === 'running' ? 'completed' : undefined;
    case 'fail':
      return from === 'queued' || from === 'running' ? 'failed' : undefined;
    case 'verify_ok':
      return from === 'completed' || from === 'verified' || from === 'corrupt' ? 'verified' : undefined;
    case 'verify_failed':
      return from === 'completed' || from === 'verified' || from === 'corrupt' ? 'corrupt' : undefined;
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** Backups a restore, drill or DR plan may use. */
export function isRestorable(status: BackupStatus): boolean {
  return status === 'verified' || status === 'completed';
}

export function newBackupId(now: Date, random: string): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${random}`;
}
