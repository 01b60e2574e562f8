// The human forms of a run: its checks and preview, as `restore request` (a dry run) and `restore
// show` print them — what was checked, with its severity, and per table what the restore would
// write (rows in the backup, rows in the destination when counted, the masking applied) — and the
// progress line of `restore status --watch`.
import { formatBytes } from '../lib/bytes.js';
import type { RunDoc } from '../contract/runs.js';
import { formatDuration } from '../lib/duration.js';
import { type Phase, PHASE_LABELS } from '../restore/progress-model.js';

const count = (n: number) => n.toLocaleString('en-US');

/** The checks, one per line (severity, code, message), the hint of each that is not safe under it. */
export function checksTable(checks: RunDoc['checks']): string {
  const lines: string[] = [checks.length === 0 ? 'checks: none recorded' : 'checks:'];
  const codeWidth = Math.max(0, ...checks.map((c) => c.code.length));
  for (const c of checks) {
    lines.push(`  ${c.severity.padEnd(8)} ${c.code.padEnd(codeWidth)}  ${c.message}`);
    if (c.severity !== 'safe' && typeof c.hint === 'string')
      lines.push(`  ${' '.repeat(8 + codeWidth + 3)}hint: ${c.hint}`);
  }
  return lines.join('\n');
}

/**
 * The checks as a run's summary shows them: what blocks and what warns in full, with hints; the
 * safe ones counted (`restore checks <run>` lists every one).
 */
export function checksSummary(r: Pick<RunDoc, 'id' | 'checks'>): string {
  if (r.checks.length === 0) return 'checks: none recorded';
  const n = (severity: string) => r.checks.filter((c) => c.severity === severity).length;
  const head = `checks: ${n('blocking')} blocking, ${n('warning')} warning${n('warning') === 1 ? '' : 's'}, ${n('safe')} safe (\`lifeboat restore checks ${r.id}\` lists them all)`;
  const notSafe = r.checks.filter((c) => c.severity !== 'safe');
  return notSafe.length ? `${head}\n${checksTable(notSafe).split('\n').slice(1).join('\n')}` : head;
}

type ApprovalView = Pick<
  RunDoc,
  | 'status'
  | 'approvals'
  | 'approvalsRequired'
  | 'approvalsReceived'
  | 'approvalsMissing'
  | 'ownerTeam'
  | 'approvers'
  | 'expiresAt'
>;

/**
 * A run's approvals as `restore show` prints them: who decided and when, an override, a void and
 * why, and — while the run waits — what is still missing and from whom. Empty when the run
 * needs none and has none.
 */
export function approvalLines(r: ApprovalView): string[] {
  if (r.approvalsRequired === 0 && r.approvals.length === 0) return [];
  const lines = [`approvals: ${r.approvalsReceived} of ${r.approvalsRequired}`];
  for (const a of r.approvals) {
    const verb = a.decision === 'approve' ? 'approved' : 'rejected';
    const override = a.override ? ' (dba-admin override)' : '';
    const standing = a.voidedAt
      ? `  VOID since ${a.voidedAt}: ${a.voidReason ?? 'voided'}`
      : a.decision === 'approve' && !a.counts
        ? '  does not count'
        : '';
    const comment = a.comment ? `: ${JSON.stringify(a.comment)}` : '';
    lines.push(`  ${a.approver} ${verb} at ${a.at}${override}${comment}${standing}`);
  }
  if (r.status === 'pending_approval' && r.approvalsMissing > 0) {
    const n = r.approvalsMissing;
    const who = r.approvers.length ? r.approvers.join(', ') : 'none left in lifeboat.yaml';
    lines.push(`  needs ${n} more approval${n === 1 ? '' : 's'} from ${r.ownerTeam}'s approvers: ${who}`);
    if (r.expiresAt) lines.push(`  expires at ${r.expiresAt} unless approved`);
  }
  return lines;
}

export function checksAndPreview(r: Pick<RunDoc, 'id' | 'checks' | 'preview'>): string {
  const lines: string[] = [checksSummary(r)];

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
    ...(counted
      ? [
          t.inDestination === 'absent'
            ? 'absent'
            : typeof t.rowsInDestination === 'number'
              ? `${t.rowsInDestinationEstimated ? '~' : ''}${count(t.rowsInDestination)}`
              : '-',
        ]
      : []),
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
  if (rows.some((r) => r[2]?.startsWith('~'))) lines.push("  (~ the planner's estimate, not a count)");
  if (p.destination && !p.destination.reachable) lines.push(`  destination: ${p.destination.note}`);
  if (p.schema) {
    const sc = p.schema;
    const changes = [
      ...sc.tablesAdded.map((t) => `    + table ${t} (created by the restore)`),
      ...sc.tablesRemoved.map((t) => `    - table ${t} (in the destination only: dropped by the restore)`),
      ...sc.columns.map(
        (c) =>
          `    ${c.change === 'added' ? '+' : c.change === 'removed' ? '-' : '~'} column ${c.table}.${c.column}${
            c.change === 'changed'
              ? `: ${c.destination ?? '?'} in the destination, ${c.backup ?? '?'} in the backup`
              : ''
          }`,
      ),
    ];
    // a database the restore creates: the note says it all; else at most 20 lines (--json has every one)
    const shown = sc.status === 'destination_absent' ? [] : changes.slice(0, 20);
    if (changes.length > shown.length && shown.length)
      shown.push(`    … and ${changes.length - shown.length} more (\`--json\` lists them all)`);
    lines.push(`  schema: ${sc.note}`, ...shown);
  }
  if (p.masking) lines.push(`  masking: ${p.masking.note}`);
  if (p.duration)
    lines.push(
      `  estimated duration: ${p.duration.estimateMs === null ? 'unknown' : formatDuration(p.duration.estimateMs)} (${p.duration.basis})`,
    );
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
