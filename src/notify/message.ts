// A notification as people read it, before any channel's format: a title, one sentence, the
// facts (database, source, destination, requester, team, point in time, approvers, duration,
// the reason of a failure), a link to the run and the CLI command. Pure: the event, the
// configuration in force and the public URL in, the message out. Free text that came from
// elsewhere (an error, a justification) is redacted of every secret the configuration holds,
// as a second net behind the writers that redact already.
import type { Catalog } from '../catalog/types.js';
import { formatDuration } from '../lib/duration.js';
import { redact, type Secret } from '../lib/secret.js';
import {
  type BackupFacts,
  type BreachFacts,
  type DrillFacts,
  type DrType,
  type EventFacts,
  type IncidentFacts,
  type NotifyType,
  type RunFacts,
  type RunNotifyType,
  type Severity,
  severityOf,
} from './events.js';

export interface Fact {
  label: string;
  value: string;
}

export interface Message {
  type: NotifyType;
  title: string;
  summary: string;
  facts: Fact[];
  severity: Severity;
  /** A production destination: Slack mentions @channel, Teams uses the attention style. */
  critical: boolean;
  link?: { label: string; url: string };
  /** The CLI command that acts on it (approve, show). */
  command?: string;
}

export interface ComposeContext {
  catalog: Catalog;
  /** No trailing slash. */
  publicUrl: string;
}

export function composeMessage(event: EventFacts, ctx: ComposeContext): Message {
  const secrets = catalogSecrets(ctx.catalog);
  const clean = (text: string | null) => (text === null ? null : redact(text, secrets));
  switch (event.type) {
    case 'backup.failed':
    case 'backup.corrupt':
      return backupMessage(event.type, event.data, clean);
    case 'schema.drift': {
      const d = event.data;
      const more = d.differences - d.objects.length;
      return {
        type: event.type,
        title: `Schema drift in ${d.database}`,
        summary: `${d.database}'s live schema differs from its accepted reference in ${plural(d.differences, 'place')}: ${d.objects.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`,
        facts: [
          { label: 'Database', value: d.database },
          { label: 'Differences', value: String(d.differences) },
          { label: 'Report', value: d.report },
          { label: 'Checked by', value: d.actor },
        ],
        severity: severityOf(event.type),
        critical: false,
        command: `lifeboat schema drift ${d.database}`,
      };
    }
    case 'slo.breached':
    case 'slo.recovered':
      return breachMessage(event.type, event.data, clean);
    case 'drill.passed':
    case 'drill.failed':
      return drillMessage(event.type, event.data, clean);
    case 'dr.declared':
    case 'dr.recovered':
    case 'dr.failed':
      return incidentMessage(event.type, event.data, ctx, clean);
    case 'lifeboat.test':
      return {
        type: event.type,
        title: `Test message from Lifeboat to ${event.data.channel}`,
        summary: `${event.data.actor} sent this to check that the channel ${event.data.channel} receives Lifeboat's notifications.`,
        facts: [{ label: 'Channel', value: event.data.channel }],
        severity: 'info',
        critical: false,
        link: { label: 'Open Lifeboat', url: `${ctx.publicUrl}/` },
      };
    default:
      return runMessage(event.type, event.data, ctx, clean);
  }
}

function incidentMessage(
  type: DrType,
  i: IncidentFacts,
  ctx: ComposeContext,
  clean: (t: string | null) => string | null,
): Message {
  const what = `Disaster recovery #${i.incident} of ${i.database}`;
  const facts: Fact[] = [
    { label: 'Database', value: i.database },
    { label: 'Team', value: i.team },
    { label: 'Incident start', value: i.startedAt },
    { label: 'Declared by', value: i.source === 'alertmanager' ? `Alertmanager (${i.alert ?? 'alert'})` : i.actor },
  ];
  if (i.reason) facts.push({ label: 'Reason', value: clean(i.reason) ?? '' });
  if (i.recoveryPoint) facts.push({ label: 'Recovery point', value: i.recoveryPoint });
  if (i.rpoAchievedSeconds !== null)
    facts.push({ label: 'RPO achieved', value: formatDuration(i.rpoAchievedSeconds * 1000) });
  if (i.rtoAchievedSeconds !== null)
    facts.push({ label: 'RTO achieved', value: formatDuration(i.rtoAchievedSeconds * 1000) });
  for (const miss of i.misses) facts.push({ label: 'Missed', value: miss });
  let title: string;
  let summary: string;
  let command = `lifeboat dr show ${i.incident}`;
  switch (type) {
    case 'dr.declared':
      title = `${what} declared`;
      summary = `${i.database} is declared lost; the RTO clock started at ${i.startedAt}. Plan the recovery with the command below.`;
      command = `lifeboat dr plan ${i.incident}`;
      break;
    case 'dr.recovered':
      title = `${what}: service restored`;
      summary = `${i.database} was recovered, the application re-pointed and its health checks are green${i.misses.length ? `, with ${plural(i.misses.length, 'missed objective')}` : ', within its objectives'}.`;
      command = `lifeboat dr report ${i.incident}`;
      break;
    case 'dr.failed':
      title = `${what} failed`;
      summary = `The step ${i.errorStep ?? '?'} failed: ${clean(i.error) ?? 'see the timeline'}.${i.kept ? ` The new instance is kept for inspection: ${i.kept}.` : ''}`;
      break;
    default: {
      const never: never = type;
      return never;
    }
  }
  return {
    type,
    title,
    summary,
    facts,
    severity: severityOf(type),
    critical: true,
    link: { label: 'Open the incident', url: `${ctx.publicUrl}/incidents/${i.incident}` },
    command,
  };
}

function runMessage(
  type: RunNotifyType,
  r: RunFacts,
  ctx: ComposeContext,
  clean: (t: string | null) => string | null,
): Message {
  const what = `Restore #${r.run} of ${r.database} into ${r.destination}`;
  const approvers = ctx.catalog.teams[r.team]?.approvers ?? [];
  const duration = r.durationMs === null ? null : formatDuration(r.durationMs);
  const error = clean(r.error);
  let title: string;
  let summary: string;
  let command = `lifeboat restore show ${r.run}`;
  switch (type) {
    case 'restore.submitted':
      if (r.status === 'pending_approval') {
        title = `${what} is awaiting approval`;
        summary =
          `${r.requester} asks for a copy of ${r.database} from ${r.source} in ${r.destination}. ` +
          `${plural(r.approvalsRequired, 'approval')} needed from ${approvers.length ? approvers.join(', ') : `team ${r.team}`}.`;
        command = `lifeboat restore approve ${r.run}`;
      } else {
        title = `${what} was submitted`;
        summary = `${r.requester} asked for a copy of ${r.database} from ${r.source} in ${r.destination}; it needs no approval.`;
      }
      break;
    case 'restore.approved':
      title = `${what} was approved`;
      summary = `Approved by ${r.actor}; it ${r.startAt ? `starts at ${r.startAt}` : 'starts as soon as a worker takes it'}.`;
      break;
    case 'restore.rejected':
      title = `${what} was rejected`;
      summary = `Rejected by ${r.actor}.`;
      break;
    case 'restore.expired':
      title = `${what} expired`;
      summary = 'It was not approved in time; request it again if it is still needed.';
      break;
    case 'restore.scheduled':
      title = `${what} is scheduled`;
      summary = `It starts at ${r.startAt ?? 'its scheduled time'}.`;
      break;
    case 'restore.started':
      title = `${what} started`;
      summary = `A worker is restoring ${r.database} into ${r.destination}.`;
      break;
    case 'restore.completed':
      title = `${what} completed`;
      summary = `${r.destination} now holds the copy of ${r.database}${duration ? `, restored in ${duration}` : ''}.`;
      break;
    case 'restore.partial':
      title = `${what} completed partially`;
      summary = `Some steps did not complete${duration ? ` (after ${duration})` : ''}; see the run for what is missing.`;
      break;
    case 'restore.failed':
      title = `${what} failed`;
      summary = `${r.errorStep ? `The step ${r.errorStep} failed` : 'It failed'}; ${r.destination} is as it was before.`;
      break;
    case 'restore.cancelled':
      title = `${what} was cancelled`;
      summary = `Cancelled by ${r.actor}.`;
      break;
    default: {
      const never: never = type;
      return never;
    }
  }
  const facts: Fact[] = [
    { label: 'Database', value: r.database },
    { label: 'Source', value: r.source },
    { label: 'Destination', value: `${r.destination} (${r.tier})` },
    { label: 'Requester', value: r.requester },
    { label: 'Team', value: r.team },
    { label: 'Point in time', value: r.pointInTime ?? (r.backupId ? `backup ${r.backupId}` : 'latest backup') },
    { label: 'Status', value: r.status.replace('_', ' ') },
  ];
  if (type === 'restore.submitted' && r.status === 'pending_approval' && approvers.length)
    facts.push({ label: 'Approvers', value: approvers.join(', ') });
  if (duration !== null) facts.push({ label: 'Duration', value: duration });
  if (r.justification) facts.push({ label: 'Justification', value: clean(r.justification) ?? '' });
  if (error !== null) facts.push({ label: 'Reason', value: error });
  return {
    type,
    title,
    summary,
    facts,
    severity: severityOf(type),
    critical: r.tier === 'production',
    link: {
      label: type === 'restore.submitted' && r.status === 'pending_approval' ? 'Review and approve' : 'Open the run',
      url: `${ctx.publicUrl}/runs/${r.run}`,
    },
    command,
  };
}

function backupMessage(
  type: 'backup.failed' | 'backup.corrupt',
  b: BackupFacts,
  clean: (t: string | null) => string | null,
): Message {
  const facts: Fact[] = [
    { label: 'Database', value: b.database },
    { label: 'Server', value: b.server },
    { label: 'Backup', value: b.backup },
    { label: 'Status', value: b.status },
  ];
  const reason = clean(b.reason);
  if (reason !== null) facts.push({ label: 'Reason', value: reason });
  return {
    type,
    title:
      type === 'backup.failed' ? `Backup of ${b.database} failed` : `Backup ${b.backup} of ${b.database} is corrupt`,
    summary:
      type === 'backup.failed'
        ? `The backup ${b.backup} of ${b.database} on ${b.server} failed.`
        : `Its files do not match their manifest: it is no longer offered for restores.`,
    facts,
    severity: severityOf(type),
    critical: false,
    command: `lifeboat backup list ${b.database}`,
  };
}

const SLO_NAMES: Record<string, string> = {
  backup_freshness: 'backup freshness',
  rpo: 'RPO',
  drill_freshness: 'drill freshness',
  backup_failing: 'backups failing',
};

function breachMessage(
  type: 'slo.breached' | 'slo.recovered',
  b: BreachFacts,
  clean: (t: string | null) => string | null,
): Message {
  const name = SLO_NAMES[b.slo] ?? b.slo;
  const facts: Fact[] = [
    { label: 'Database', value: b.database },
    { label: 'SLO', value: name },
    { label: 'Breached since', value: b.openedAt },
  ];
  if (b.closedAt !== null) facts.push({ label: 'Recovered at', value: b.closedAt });
  const breached = type === 'slo.breached';
  return {
    type,
    title: breached ? `${b.database} breaches its ${name} SLO` : `${b.database} meets its ${name} SLO again`,
    summary: breached ? (clean(b.message) ?? '') : `Recovered. It was breached: ${clean(b.message) ?? ''}`,
    facts,
    severity: severityOf(type),
    critical: false,
    command: 'lifeboat status',
  };
}

function drillMessage(
  type: 'drill.passed' | 'drill.failed',
  d: DrillFacts,
  clean: (t: string | null) => string | null,
): Message {
  const what = `Drill #${d.drill} of ${d.database}`;
  const duration = d.durationMs === null ? null : formatDuration(d.durationMs);
  const facts: Fact[] = [
    { label: 'Database', value: d.database },
    { label: 'Backup', value: d.backup },
    { label: 'Target', value: d.target },
    { label: 'Team', value: d.team },
    { label: 'Requested by', value: d.trigger === 'schedule' ? 'the schedule' : d.requester },
    { label: 'Status', value: d.status },
  ];
  if (d.restoreMs !== null) facts.push({ label: 'Restore', value: formatDuration(d.restoreMs) });
  if (duration !== null) facts.push({ label: 'Duration', value: duration });
  let summary: string;
  if (type === 'drill.passed') {
    summary = `Backup ${d.backup} of ${d.database} restored into ${d.target} and passed every check${duration ? ` in ${duration}` : ''}; the evidence is kept.`;
  } else {
    const error = clean(d.error);
    if (d.failedChecks.length) {
      const names = d.failedChecks.map((c) => `"${c}"`).join(', ');
      summary = `Backup ${d.backup} of ${d.database} restored into ${d.target}, but ${d.failedChecks.length === 1 ? 'the check' : 'the checks'} ${names} did not pass.`;
      facts.push({ label: 'Failed checks', value: d.failedChecks.join(', ') });
    } else {
      summary = `The drill of backup ${d.backup} of ${d.database} on ${d.target} failed${d.errorStep ? ` in the step ${d.errorStep}` : ''}.`;
      if (d.errorStep) facts.push({ label: 'Step', value: d.errorStep });
    }
    if (error !== null) facts.push({ label: 'Reason', value: error });
    if (d.keptDatabase) {
      summary += ` The scratch database ${d.keptDatabase} is kept on ${d.target} for inspection.`;
      facts.push({ label: 'Kept database', value: `${d.keptDatabase} on ${d.target}` });
    }
  }
  return {
    type,
    title: `${what} ${type === 'drill.passed' ? 'passed' : 'failed'}`,
    summary,
    facts,
    severity: severityOf(type),
    critical: false,
    command: `lifeboat drill show ${d.drill}`,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Every secret of the configuration: connection URLs, channel URLs and keys, passwords. */
export function catalogSecrets(catalog: Catalog): Secret[] {
  const out: Secret[] = [];
  for (const s of Object.values(catalog.servers)) out.push(s.url);
  for (const st of Object.values(catalog.storage)) {
    if (st.type === 's3') {
      if (st.accessKeyId) out.push(st.accessKeyId);
      if (st.secretAccessKey) out.push(st.secretAccessKey);
    }
  }
  for (const d of Object.values(catalog.databases)) {
    if (d.masking.key) out.push(d.masking.key);
    const enc = d.backup?.encrypt;
    if (enc?.mode === 'passphrase') out.push(enc.passphrase);
    else if (enc?.identity) out.push(enc.identity);
  }
  for (const n of Object.values(catalog.notifications)) {
    if (n.type === 'email') {
      if (n.smtp.password) out.push(n.smtp.password);
    } else {
      out.push(n.url);
      if (n.type === 'webhook' && n.secret) out.push(n.secret);
    }
  }
  return out;
}
