// The incident report (pure: the incident, its timeline, the database's objectives and `now` in):
// the moments the runbook names, RPO achieved (failure time minus the recovery point's time),
// RTO achieved (health green minus the incident's start), misses against the database's rpo and
// rto, the skipped recovery points and why; and the same as Markdown for a post-mortem.
import type { Selectable } from 'kysely';
import type { DatabaseConfig } from '../catalog/types.js';
import type { InstanceDoc, PlanDoc, ReportDoc, TimelineDoc } from '../contract/dr.js';
import type { IncidentTable } from '../store/schema.js';
import { incidentStatusOf } from './lifecycle.js';
import { formatSeconds } from './plan-rule.js';
import { pointLabel } from './recovery-point.js';

const iso = (d: Date | string) => new Date(d).toISOString();

export function buildReport(
  row: Selectable<IncidentTable>,
  timeline: readonly TimelineDoc[],
  database: Pick<DatabaseConfig, 'rpo' | 'rto'> | undefined,
  now: Date,
): ReportDoc {
  const plan = row.plan as PlanDoc | null;
  const last = (pred: (e: TimelineDoc) => boolean) => [...timeline].reverse().find(pred)?.at ?? null;
  const first = (pred: (e: TimelineDoc) => boolean) => timeline.find(pred)?.at ?? null;
  const step = (kind: string, name: string) => last((e) => e.kind === kind && e.details.step === name);
  const startedAt = iso(row.started_at);
  const failureAt = plan?.failureAt ?? startedAt;
  const status = incidentStatusOf(row.status);
  const healthGreenAt = status === 'recovered' && row.recovered_at ? iso(row.recovered_at) : null;
  const point = plan?.chosen ?? null;
  const rpoAchievedSeconds = point ? Math.round((Date.parse(failureAt) - Date.parse(point.takenAt)) / 1000) : null;
  const rtoAchievedSeconds = healthGreenAt
    ? Math.round((Date.parse(healthGreenAt) - Date.parse(startedAt)) / 1000)
    : null;
  const rpoTargetSeconds = database?.rpo ? Math.round(database.rpo.ms / 1000) : null;
  const rtoTargetSeconds = database?.rto ? Math.round(database.rto.ms / 1000) : null;
  const misses: string[] = [];
  let rpoMet: boolean | null = null;
  if (rpoTargetSeconds !== null && plan) {
    rpoMet = rpoAchievedSeconds !== null && rpoAchievedSeconds <= rpoTargetSeconds;
    if (!rpoMet)
      misses.push(
        rpoAchievedSeconds === null
          ? `RPO missed: ${plan.rpoMiss ?? 'no recovery point'}`
          : `RPO missed: ${formatSeconds(rpoAchievedSeconds)} of data lost, over the RPO of ${formatSeconds(rpoTargetSeconds)}`,
      );
  }
  let rtoMet: boolean | null = null;
  if (rtoTargetSeconds !== null) {
    if (rtoAchievedSeconds !== null) {
      rtoMet = rtoAchievedSeconds <= rtoTargetSeconds;
      if (!rtoMet)
        misses.push(
          `RTO missed: restored ${formatSeconds(rtoAchievedSeconds)} after the start, over the RTO of ${formatSeconds(rtoTargetSeconds)}`,
        );
    } else {
      const elapsed = Math.round((now.getTime() - Date.parse(startedAt)) / 1000);
      if (elapsed > rtoTargetSeconds) {
        rtoMet = false;
        misses.push(
          `RTO missed: not restored ${formatSeconds(elapsed)} after the start, over the RTO of ${formatSeconds(rtoTargetSeconds)}`,
        );
      }
    }
  }
  return {
    incident: Number(row.id),
    database: row.database,
    status,
    startedAt,
    failureAt,
    recoveryPoint: point,
    recoveryPointAt: point?.takenAt ?? null,
    healthGreenAt,
    rpoTargetSeconds,
    rtoTargetSeconds,
    rpoAchievedSeconds,
    rtoAchievedSeconds,
    rpoMet,
    rtoMet,
    misses,
    skipped: plan?.skipped ?? [],
    milestones: {
      alert: first((e) => e.kind === 'alert'),
      declared: first((e) => e.kind === 'declared'),
      planned: last((e) => e.kind === 'plan'),
      restoreStarted: step('step_started', 'restore'),
      restoreFinished: step('step_finished', 'restore'),
      validated: step('step_finished', 'validate'),
      cutover: step('step_finished', 'cutover'),
      healthGreen: last((e) => e.kind === 'health_green'),
    },
    instance: row.instance as InstanceDoc | null,
    error: row.error,
    errorStep: row.error_step,
    timeline: timeline.map(({ at, kind, message }) => ({ at, kind, message })),
  };
}

export function reportMarkdown(r: ReportDoc): string {
  const secs = (s: number | null) => (s === null ? '—' : formatSeconds(s));
  const verdict = (met: boolean | null) => (met === null ? 'no objective' : met ? 'met' : '**missed**');
  const lines = [
    `# Disaster recovery #${r.incident}: ${r.database}`,
    '',
    `Status: **${r.status}**${r.errorStep ? ` (failed at ${r.errorStep}: ${r.error ?? ''})` : ''}`,
    '',
    '| | Achieved | Objective | |',
    '|---|---|---|---|',
    `| RPO (data lost) | ${secs(r.rpoAchievedSeconds)} | ${secs(r.rpoTargetSeconds)} | ${verdict(r.rpoMet)} |`,
    `| RTO (time to restore) | ${secs(r.rtoAchievedSeconds)} | ${secs(r.rtoTargetSeconds)} | ${verdict(r.rtoMet)} |`,
    '',
    `- Incident start (failure time): ${r.startedAt}`,
    `- Recovery point: ${r.recoveryPoint ? `${pointLabel(r.recoveryPoint)}, taken ${r.recoveryPoint.takenAt}` : 'none'}`,
    `- Service restored (health green): ${r.healthGreenAt ?? 'not yet'}`,
  ];
  if (r.instance)
    lines.push(
      `- Recovered to: ${r.instance.kind === 'standby' ? `standby server ${r.instance.server}` : 'a new instance'} at ${r.instance.host}:${r.instance.port}/${r.instance.dbname}${r.instance.dataDir ? ` (data directory ${r.instance.dataDir})` : ''}`,
    );
  if (r.misses.length) lines.push('', '## Misses', '', ...r.misses.map((m) => `- ${m}`));
  if (r.skipped.length)
    lines.push('', '## Skipped recovery points', '', ...r.skipped.map((s) => `- ${pointLabel(s.point)}: ${s.reason}`));
  lines.push(
    '',
    '## Milestones',
    '',
    '| Moment | At |',
    '|---|---|',
    ...Object.entries(r.milestones).map(([k, v]) => `| ${k} | ${v ?? '—'} |`),
    '',
    '## Timeline',
    '',
    ...r.timeline.map((e) => `- ${e.at} **${e.kind}** ${e.message.replace(/\n/g, ' ')}`),
    '',
  );
  return lines.join('\n');
}

/** The incident's timeline as documents, in order. */
export function timelineDocs(
  rows: ReadonlyArray<{ at: Date; kind: string; message: string; details: Record<string, unknown> }>,
): TimelineDoc[] {
  return rows.map((e) => ({ at: iso(e.at), kind: e.kind, message: e.message, details: e.details }));
}
