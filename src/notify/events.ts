// What Lifeboat notifies about, and the one way to say that something happened: `recordEvent`
// writes a `notification_events` row inside the caller's transaction (STYLE.md §8, §17), so the
// event exists if and only if the state change that caused it commits. The dispatcher routes it
// to channels later, with the configuration in force then (src/notify/outbox.ts). A later
// capability (drills, drift, SLOs, incidents) adds its event type to NOTIFY_TYPES and calls
// `recordEvent` beside its own state change: one line.
import type { Transaction } from 'kysely';
import { redact } from '../lib/secret.js';
import type { Database } from '../store/schema.js';

export const NOTIFY_TYPES = [
  'restore.submitted',
  'restore.approved',
  'restore.rejected',
  'restore.expired',
  'restore.scheduled',
  'restore.started',
  'restore.completed',
  'restore.partial',
  'restore.failed',
  'restore.cancelled',
  'backup.failed',
  'backup.corrupt',
  'schema.drift',
  'slo.breached',
  'slo.recovered',
  'drill.passed',
  'drill.failed',
  'dr.declared',
  'dr.recovered',
  'dr.failed',
  'lifeboat.test',
] as const;
export type NotifyType = (typeof NOTIFY_TYPES)[number];

export const SEVERITIES = ['info', 'warning', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The facts a message is made of: plain values, never a secret, a connection string or a row. */
export interface RunFacts {
  run: number;
  status: string;
  database: string;
  team: string;
  source: string;
  destination: string;
  tier: string;
  requester: string;
  actor: string;
  backupId: string | null;
  pointInTime: string | null;
  justification: string | null;
  approvalsRequired: number;
  startAt: string | null;
  durationMs: number | null;
  error: string | null;
  errorStep: string | null;
}

export interface BackupFacts {
  backup: string;
  database: string;
  server: string;
  status: string;
  reason: string | null;
  actor: string;
}

export interface DriftFacts {
  database: string;
  /** The stored drift report (`schema_drift_reports.id`). */
  report: string;
  differences: number;
  /** The first differences, as "<change> <kind> <name>". */
  objects: string[];
  actor: string;
}

/** A recovery SLO breached or recovered (src/slo/monitor.ts). */
export interface BreachFacts {
  database: string;
  /** backup_freshness, rpo, drill_freshness or backup_failing. */
  slo: string;
  /** The breach's sentence with its figures (as opened). */
  message: string;
  openedAt: string;
  /** Set when recovered. */
  closedAt: string | null;
}

export interface DrillFacts {
  drill: number;
  status: string;
  database: string;
  team: string;
  backup: string;
  target: string;
  trigger: string;
  requester: string;
  actor: string;
  durationMs: number | null;
  restoreMs: number | null;
  /** The checks that did not pass, by name. */
  failedChecks: string[];
  error: string | null;
  errorStep: string | null;
  /** The scratch database kept on the target (drill.keep_on_failure). */
  keptDatabase: string | null;
}

/** A disaster-recovery incident (src/dr). */
export interface IncidentFacts {
  incident: number;
  database: string;
  team: string;
  status: string;
  /** manual or alertmanager */
  source: string;
  reason: string | null;
  alert: string | null;
  actor: string;
  /** The RTO clock's start. */
  startedAt: string;
  /** The chosen recovery point, as a label ("backup 2026…"). */
  recoveryPoint: string | null;
  errorStep: string | null;
  error: string | null;
  rpoAchievedSeconds: number | null;
  rtoAchievedSeconds: number | null;
  /** RPO/RTO misses, one sentence each. */
  misses: string[];
  /** Where a failed recovery's new instance was kept. */
  kept: string | null;
}

export interface TestFacts {
  channel: string;
  actor: string;
}

/** The events of a restore run. */
export type RunNotifyType = Extract<NotifyType, `restore.${string}`>;

export type EventFacts =
  | { type: RunNotifyType; data: RunFacts }
  | { type: DrType; data: IncidentFacts }
  | { type: 'backup.failed' | 'backup.corrupt'; data: BackupFacts }
  | { type: 'drill.passed' | 'drill.failed'; data: DrillFacts }
  | { type: 'schema.drift'; data: DriftFacts }
  | { type: 'slo.breached' | 'slo.recovered'; data: BreachFacts }
  | { type: 'lifeboat.test'; data: TestFacts };

export type DrType = 'dr.declared' | 'dr.recovered' | 'dr.failed';

export interface NotifyEvent<E extends EventFacts = EventFacts> {
  id: number;
  type: E['type'];
  subject: string;
  data: E['data'];
  createdAt: Date;
}

export function severityOf(type: NotifyType): Severity {
  switch (type) {
    case 'restore.failed':
    case 'backup.failed':
    case 'backup.corrupt':
    case 'slo.breached': // a database that cannot be restored to its objective: the DBAs act on it
    case 'drill.failed':
    case 'dr.declared':
    case 'dr.failed':
      return 'error';
    case 'dr.recovered':
      return 'warning';
    case 'schema.drift':
      return 'warning';
    case 'restore.rejected':
    case 'restore.expired':
    case 'restore.cancelled':
    case 'restore.partial':
      return 'warning';
    case 'restore.submitted':
    case 'restore.approved':
    case 'restore.scheduled':
    case 'restore.started':
    case 'restore.completed':
    case 'slo.recovered':
    case 'drill.passed':
    case 'lifeboat.test':
      return 'info';
    default: {
      const never: never = type;
      return never;
    }
  }
}

/** Writes the event in the caller's transaction; the dispatchers are woken when it commits. */
export async function recordEvent(
  trx: Transaction<Database>,
  event: EventFacts & { subjectType: string; subjectId: string },
): Promise<void> {
  await trx
    .insertInto('notification_events')
    .values({
      type: event.type,
      subject_type: event.subjectType,
      subject_id: event.subjectId,
      // a second net: passwords in connection strings are cut even from what a writer left in
      data: JSON.stringify(event.data, (_k, v: unknown) => (typeof v === 'string' ? redact(v) : v)),
    })
    .execute();
}
