// A backup's lifecycle, as a pure function of events:
//   queued → running → completed → verified | corrupt | unverifiable      (and running → failed)
//   queued | running → cancelled                    (stopped by a user: its worker stops, its files go)
// A verified backup can later be found corrupt by a re-verification or by a restore that reads
// a file whose checksum does not match, and a corrupt one verified again only by a new
// verification that passes (e.g. after a damaged file was put back). A verification that could
// not read the storage (a timeout, a refused connection, a permission error) learns nothing about
// the content: the backup is `unverifiable` and verified again later — and a backup already
// known to be corrupt stays corrupt. src/backup/set-status.ts is the one writer of the status.
import { LifeboatError } from '../errors.js';

export const BACKUP_STATUSES = [
  'queued',
  'running',
  'completed',
  'verified',
  'corrupt',
  'unverifiable',
  'failed',
  'cancelled',
] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

/** Where a backup's status stops changing (a client following it stops there). */
export const TERMINAL_BACKUP_STATUSES: ReadonlySet<string> = new Set<BackupStatus>([
  'verified',
  'corrupt',
  'unverifiable',
  'failed',
  'cancelled',
]);

/**
 * `cancel`: a user stopped a backup before it was written (src/backup/cancel.ts).
 * `verify_failed`: a verification, a restore or a fetch found content that does not match the
 * manifest. `verify_unreadable`: a verification could not read the storage at all.
 */
export type BackupEvent = 'start' | 'finish' | 'fail' | 'cancel' | 'verify_ok' | 'verify_failed' | 'verify_unreadable';

/** A backup that was written completely: what a verification (or a restore) can judge. */
export const CHECKED_STATUSES: ReadonlySet<BackupStatus> = new Set<BackupStatus>([
  'completed',
  'verified',
  'corrupt',
  'unverifiable',
]);

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
    case 'cancel':
      return from === 'queued' || from === 'running' ? 'cancelled' : undefined;
    case 'verify_ok':
      return CHECKED_STATUSES.has(from) ? 'verified' : undefined;
    case 'verify_failed':
      return CHECKED_STATUSES.has(from) ? 'corrupt' : undefined;
    case 'verify_unreadable':
      // what is known to be corrupt stays so: an unreadable storage proves nothing either way
      if (from === 'corrupt') return 'corrupt';
      return CHECKED_STATUSES.has(from) ? 'unverifiable' : undefined;
    default: {
      const never: never = event;
      return never;
    }
  }
}

/**
 * The trigger of a backup dumped from a scratch instance recovered to a point in time
 * (src/restore/pitr-source.ts): its content is older than its `finished_at`, so the choices of
 * "the newest backup" (restore sources, DR plans, SLOs, drills) leave it out.
 */
export const PITR_TRIGGER = 'pitr';

/** Backups a restore, drill or DR plan picks by itself (an unverifiable one only when named by id). */
export const RESTORABLE_BACKUP_STATUSES = ['verified', 'completed'] as const satisfies readonly BackupStatus[];

/** A status read from the store, checked: the store's column is text. */
export function backupStatusOf(value: string): BackupStatus {
  if ((BACKUP_STATUSES as readonly string[]).includes(value)) return value as BackupStatus;
  throw new LifeboatError('internal', `unknown backup status "${value}" in the store`);
}

export function newBackupId(now: Date, random: string): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${random}`;
}
