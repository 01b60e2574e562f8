// `lifeboat dr declare|plan|execute|show|list|report`, all through the API (seed 003's runbook:
// declare, pick the newest valid backup inside the RPO, restore to a new instance, validate,
// re-point the application, check health, report RPO and RTO achieved).
import type { Command } from 'commander';
import type { IncidentDetail, IncidentDoc, PlanDoc, ReportResponse } from '../../contract/dr.js';
import { formatSeconds } from '../../dr/plan-rule.js';
import { pointLabel } from '../../dr/point.js';
import { apiClient } from '../client.js';
import { type CliContext, cliContext, emit } from '../context.js';
import { EXIT } from '../exit.js';

function line(i: IncidentDoc): string {
  return (
    `incident ${i.id}  ${i.database.padEnd(14)} ${i.status.padEnd(9)} started ${i.startedAt} (${i.source === 'alertmanager' ? `alert ${i.alert?.name ?? ''}` : `declared by ${i.declaredBy}`})` +
    (i.error ? `\n  failed at ${i.errorStep}: ${i.error}` : '') +
    (i.instance
      ? `\n  recovered to ${i.instance.host}:${i.instance.port}/${i.instance.dbname}${i.instance.dataDir ? ` (data directory ${i.instance.dataDir}, password in ${i.instance.passwordFile})` : ''}`
      : '')
  );
}

function planText(p: PlanDoc): string {
  const lines = [
    `failure at ${p.failureAt}; RPO ${p.rpoSeconds === null ? 'not set' : formatSeconds(p.rpoSeconds)}`,
    'candidates (newest first):',
  ];
  for (const c of p.candidates)
    lines.push(
      `  ${c.integrity.padEnd(12)} ${pointLabel(c.point)}  taken ${c.point.takenAt}${c.reason ? `  (${c.reason})` : ''}`,
    );
  if (!p.candidates.length) lines.push('  none');
  lines.push(
    p.chosen
      ? `chosen: ${pointLabel(p.chosen)} (taken ${p.chosen.takenAt}, ${formatSeconds(p.dataLossSeconds ?? 0)} before the failure)`
      : 'chosen: nothing',
  );
  for (const s of p.skipped) lines.push(`skipped: ${pointLabel(s.point)}: ${s.reason}`);
  lines.push(p.rpoMet === null ? 'RPO: no objective' : p.rpoMet ? 'RPO: met' : `RPO MISSED: ${p.rpoMiss ?? ''}`);
  return lines.join('\n');
}

function detail(d: IncidentDetail): string {
  return [line(d), ...d.timeline.map((e) => `  ${e.at}  ${e.kind.padEnd(13)} ${e.message}`)].join('\n');
}

async function waitSettled(ctx: CliContext, id: number): Promise<IncidentDetail> {
  const api = apiClient(ctx);
  for (;;) {
    const d = await api.request<IncidentDetail>('GET', `/api/v1/incidents/${id}?wait=30`);
    if ((d.status === 'recovered' || d.status === 'failed') && d.evidence) return d;
    if (d.status !== 'executing' && d.status !== 'recovered' && d.status !== 'failed') return d;
    await new Promise((r) => setTimeout(r, 25)); // never a tight loop
  }
}

export function registerDrCommands(program: Command): void {
  const dr = program.command('dr').description('disaster recovery: declare, plan, execute, report');
  dr.command('declare <database>')
    .description('declare a database lost: opens an incident and starts the RTO clock')
    .option('--reason <text>', 'what happened')
    .action(async (database: string, o: { reason?: string }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const d = await apiClient(ctx).request<IncidentDetail>('POST', '/api/v1/incidents', {
        database,
        ...(o.reason ? { reason: o.reason } : {}),
      });
      emit(
        ctx,
        d,
        () =>
          `incident ${d.id} declared for ${d.database}; RTO clock started at ${d.startedAt}\nnext: lifeboat dr plan ${d.id}`,
      );
    });
  dr.command('plan <incident>')
    .description(
      'choose the recovery point: the newest valid one inside the RPO (verifying checksums), or the newest valid with the miss recorded',
    )
    .action(async (id: string, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const p = await apiClient(ctx).request<PlanDoc>('POST', `/api/v1/incidents/${encodeURIComponent(id)}/plan`, {});
      emit(ctx, p, () => `${planText(p)}${p.chosen ? `\nnext: lifeboat dr execute ${id}` : ''}`);
      if (!p.chosen) process.exitCode = EXIT.failed;
    });
  dr.command('execute <incident>')
    .description(
      'restore the plan to a new instance (or the standby), validate, cut over, wait for health and smoke green; with --wait, exit 1 if it fails',
    )
    .option('--wait', 'wait until it is recovered or failed')
    .action(async (id: string, o: { wait?: boolean }, cmd: Command) => {
      const ctx = cliContext(cmd);
      let d = await apiClient(ctx).request<IncidentDetail>(
        'POST',
        `/api/v1/incidents/${encodeURIComponent(id)}/execute`,
        {},
      );
      if (o.wait) d = await waitSettled(ctx, d.id);
      emit(ctx, d, () =>
        o.wait ? detail(d) : `incident ${d.id} executing on a worker\nfollow: lifeboat dr show ${d.id}`,
      );
      if (o.wait && d.status !== 'recovered') process.exitCode = EXIT.failed;
    });
  dr.command('show <incident>')
    .description('one incident with its timeline')
    .action(async (id: string, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const d = await apiClient(ctx).request<IncidentDetail>('GET', `/api/v1/incidents/${encodeURIComponent(id)}`);
      emit(ctx, d, () => detail(d));
    });
  dr.command('list')
    .description('incidents, newest first')
    .action(async (_o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<{ incidents: IncidentDoc[] }>('GET', '/api/v1/incidents');
      emit(ctx, r, () => r.incidents.map(line).join('\n') || 'no incidents');
    });
  dr.command('report <incident>')
    .description(
      'timeline, RPO and RTO achieved, misses, skipped backups (--json: the report document; --markdown: for a post-mortem)',
    )
    .option('--markdown', 'print the report as Markdown')
    .action(async (id: string, o: { markdown?: boolean }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<ReportResponse>(
        'GET',
        `/api/v1/incidents/${encodeURIComponent(id)}/report`,
      );
      if (o.markdown && !ctx.json) {
        process.stdout.write(r.markdown);
        return;
      }
      emit(ctx, r.report, () => r.markdown);
    });
}
