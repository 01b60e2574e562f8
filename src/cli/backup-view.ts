// A running backup as the CLI shows it: its phase and figures in one line (progressLine, pure),
// and following a backup's progress on stderr until it ends (followBackup): a line per phase
// change and at every quarter of a phase, or one line rewritten in place on a terminal. Used by `restore request --at T`, which
// waits for the backup of the database as it was at T before requesting the restore.
import type { BackupDetail, BackupProgressDoc } from '../contract/backups.js';
import { TERMINAL_BACKUP_STATUSES } from '../backup/status.js';
import { formatBytes } from '../lib/bytes.js';
import { apiClient } from './client.js';
import type { CliContext } from './context.js';

const pct = (p: number | null) => (p === null ? '' : ` ${Math.floor(p)}%`);

/** The phase and its figures, as people read them. */
export function progressText(p: BackupProgressDoc): string {
  switch (p.phase) {
    case 'restoring_files': {
      const of = p.totalBytes ? ` (${formatBytes(p.bytes ?? 0)} of ${formatBytes(p.totalBytes)})` : '';
      return `restoring files${pct(p.percent)}${of}`;
    }
    case 'replaying_wal': {
      const figures = [
        p.replayedLsn ? `at ${p.replayedLsn}` : null,
        p.replayedAt ? `last commit ${p.replayedAt}` : null,
        p.target ? `target ${p.target}` : null,
      ].filter((f) => f !== null);
      return `replaying WAL${pct(p.percent)}${figures.length ? ` (${figures.join(', ')})` : ''}`;
    }
    case 'dumping':
      return `dumping${pct(p.percent)}${p.totalTables !== undefined ? ` (${p.tables ?? 0} of ${p.totalTables} tables)` : ''}`;
    case 'verifying':
      return 'verifying';
    default: {
      const never: never = p.phase;
      return never;
    }
  }
}

/** One line of a backup: its status, and where it is while it runs. */
export function progressLine(b: Pick<BackupDetail, 'id' | 'status' | 'progress'>): string {
  return `backup ${b.id} ${b.progress ? progressText(b.progress) : b.status}`;
}

/**
 * Follows backup `id` until it ends (verified, corrupt, unverifiable or failed); prints its
 * progress on stderr (stdout stays the command's document). Resolves with the backup.
 */
export async function followBackup(ctx: CliContext, id: string): Promise<BackupDetail> {
  const api = apiClient(ctx);
  const tty = ctx.stderrIsTTY;
  let lastPhase: string | undefined;
  let lastStep: string | undefined;
  let open = false; // a line rewritten in place, not ended yet
  for (;;) {
    // the server answers as soon as the status or the progress changes, or after 10 s
    const b = await api.request<BackupDetail>('GET', `/api/v1/backups/${encodeURIComponent(id)}?wait=10&changed=true`);
    // (a line when the phase changes, and at 25, 50, 75 and 100% of it)
    const phase = b.progress?.phase ?? b.status;
    const step = `${phase} ${b.progress?.percent == null ? '' : Math.floor(b.progress.percent / 25)}`;
    const text = `${new Date().toISOString()} ${progressLine(b)}`;
    if (tty) {
      if (open && phase !== lastPhase) process.stderr.write('\n');
      process.stderr.write(`\r\x1b[2K${text}`);
      open = true;
    } else if (step !== lastStep) process.stderr.write(`${text}\n`);
    lastPhase = phase;
    lastStep = step;
    if (TERMINAL_BACKUP_STATUSES.has(b.status)) {
      if (open) process.stderr.write('\n');
      return b;
    }
    await new Promise((r) => setTimeout(r, 25)); // never a tight loop, even against a server that does not wait
  }
}
