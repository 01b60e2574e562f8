// The human form of a run's checks and preview, as `restore request` (a dry run) and `restore show`
// print them: what was checked, with its severity, and per table what the restore would write
// (rows in the backup, rows in the destination when they were counted, the masking applied).
import type { RunDoc } from '../contract/runs.js';

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
