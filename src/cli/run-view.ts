// The human forms of a run: its checks and preview, as `restore request` (a dry run) and `restore
// show` print them — what was checked, with its severity, and per table what the restore would
// write (rows in the backup, rows in the destination when counted, the masking applied) — and the
// progress line of `restore status --watch`.
import { formatBytes } from '../lib/bytes.js';
import type { RunDoc } from '../contract/runs.js';
import { formatDuration } from '../lib/duration.js';
import { type Phase, PHASE_LABELS } from '../restore/progress-model.js';

const count = (n: number) => n.toLocaleString('en-US');

export function checksAndPreview(r: Pick<RunDoc, 'checks' | 'preview'>): string {
  const lines: string[] = [];
  lines.push(r.checks.length === 0 ? 'checks: none recorded' : 'checks:');
  const codeWidth = Math.max(0, ...r.checks.map((c) => c.code.length));
  for (const c of r.checks) lines.push(`  ${c.severity.padEnd(8)} ${c.code.padEnd(codeWidth)}  ${c.message}`);

  const p = r.preview;
  if (p === null) {
    lines.push('preview: none');
    return lines.join('\n');
  }
  lines.push(`preview: backup ${p.backupId}, taken ${p.backupTakenAt}`);
  const counted = p.tables.some((t) => typeof t.rowsInDestination === 'number');
  const header = ['table', 'rows in backup', ...(counted ? ['rows in destination'] : []), 'masking'];
  const rows = p.tables.map((t) => [
    t.table,
    count(t.rowsInBackup),
    ...(counted ? [typeof t.rowsInDestination === 'number' ? count(t.rowsInDestination) : '-'] : []),
    t.masking?.length ? t.masking.join(', ') : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  // numbers right-aligned, names and masking left-aligned; the last column is not padded
  const numeric = (i: number) => i > 0 && i < header.length - 1;
  const format = (cells: string[]) =>
    `  ${cells
      .map((c, i) => (i === cells.length - 1 ? c : numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')}`;
  lines.push(format(header), ...rows.map(format));
  if (p.masking) lines.push(`  masking: ${p.masking.note}`);
  return lines.join('\n');
}

const BAR_WIDTH = 30;

/**
 * `[#########.....]  34% restore data  12.3 MB/s  tables 3/5  ETA 12s`: the phase, the rate, what
 * is done of it, and the time left — "ETA unknown" while there is no basis for one; for a queued
 * run, what it waits for.
 */
export function progressLine(r: Pick<RunDoc, 'status' | 'phase' | 'progress'>): string {
  const p = r.progress;
  const pct = Math.min(100, Math.max(0, p.percent ?? 0));
  const filled = Math.floor((pct / 100) * BAR_WIDTH);
  const phase = p.phase ?? r.phase;
  const label =
    r.status !== 'running'
      ? r.status
      : phase && phase in PHASE_LABELS
        ? PHASE_LABELS[phase as Phase]
        : (phase ?? r.status);
  const parts = [`[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${pct.toFixed(0).padStart(3)}%`, label];
  // a queued run a worker has looked at: what it waits for (its team's limit, an earlier run, its destination)
  if (r.status === 'queued' && typeof p.waiting === 'string') parts.push(`waiting: ${p.waiting}`);
  if (r.status === 'running') {
    if (p.bytesPerSecond) parts.push(`${formatBytes(p.bytesPerSecond)}/s`);
    if ((phase === 'indexes' || phase === 'constraints') && p.itemsTotal)
      parts.push(`indexes and constraints ${p.itemsDone ?? 0}/${p.itemsTotal}`);
    else if (p.tablesTotal) parts.push(`tables ${p.tablesDone ?? 0}/${p.tablesTotal}`);
    parts.push(typeof p.etaSeconds === 'number' ? `ETA ${formatDuration(p.etaSeconds * 1000)}` : 'ETA unknown');
  }
  return parts.join('  ');
}
