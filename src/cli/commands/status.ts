// `lifeboat status [--json]`: one row per database the caller may see — newest verified backup
// and its age, RPO achieved against its target, last drill and its verdict, measured restore
// time against the RTO, open SLO breaches — then each open breach in a sentence.
import type { Command } from 'commander';
import type { DatabaseStatus, StatusResponse } from '../../contract/status.js';
import { formatDuration } from '../../lib/duration.js';
import { apiClient } from '../client.js';
import { cliContext, emit } from '../context.js';

const HEADERS = ['DATABASE', 'NEWEST VERIFIED BACKUP', 'AGE', 'RPO', 'LAST DRILL', 'RESTORE TIME', 'BREACHES'];

const secs = (s: number) => formatDuration(s * 1000);

/** Achieved against the target: "2h0m > 1h" (a breach), "12m ≤ 1h", "12m" (no target), "-" (nothing measured). */
function against(achieved: number | null, target: string | null, met: boolean | null): string {
  if (achieved === null) return target ? `none (${target})` : '-';
  if (target === null) return secs(achieved);
  return `${secs(achieved)} ${met ? '≤' : '>'} ${target}`;
}

function row(d: DatabaseStatus): string[] {
  const drill = d.lastDrill ? `${d.lastDrill.status} ${d.lastDrill.finishedAt?.slice(0, 10) ?? ''}`.trim() : 'never';
  return [
    d.database,
    d.newestVerifiedBackup?.id ?? 'none',
    d.newestVerifiedBackup ? secs(d.newestVerifiedBackup.ageSeconds) : '-',
    against(d.rpo.achievedSeconds, d.rpo.target, d.rpo.met),
    drill,
    against(d.restoreTime.measuredSeconds, d.restoreTime.rto, d.restoreTime.met) +
      (d.restoreTime.from ? ` (${d.restoreTime.from} ${d.restoreTime.id})` : ''),
    d.breaches.length ? d.breaches.map((b) => b.slo).join(', ') : 'none',
  ];
}

export function formatStatus(doc: StatusResponse): string {
  if (doc.databases.length === 0) return 'no databases you may see';
  const rows = [HEADERS, ...doc.databases.map(row)];
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  const breaches = doc.databases.flatMap((d) =>
    d.breaches.map(
      (b) => `  ${d.database} ${b.slo} since ${b.openedAt.slice(0, 16).replace('T', ' ')} UTC: ${b.message}`,
    ),
  );
  if (breaches.length) lines.push('', 'open breaches:', ...breaches);
  return lines.join('\n');
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description(
      'recovery status per database: newest verified backup and its age, RPO, last drill, measured restore time against the RTO, open SLO breaches',
    )
    .action(async (_o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const doc = await apiClient(ctx).request<StatusResponse>('GET', '/api/v1/status');
      emit(ctx, doc, () => formatStatus(doc));
    });
}
