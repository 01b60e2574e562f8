// Disaster-recovery documents of the API (incidents, plans, reports, the Alertmanager webhook),
// shared by the server and the CLI.
import { z } from 'zod';
import { INCIDENT_STATUSES } from '../dr/lifecycle.js';
import { catalogName, freeText, runId } from './fields.js';

export const RecoveryPointDoc = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('logical'),
    backupId: z.string(),
    takenAt: z.string(),
    storage: z.string(),
    status: z.string(),
    bytes: z.number().nullable(),
    knownProblem: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('physical'),
    server: z.string(),
    stanza: z.string(),
    label: z.string(),
    takenAt: z.string(),
    target: z.enum(['latest', 'time']),
    knownProblem: z.string().nullable(),
  }),
]);

export const PlanDoc = z.object({
  failureAt: z.string(),
  rpoSeconds: z.number().nullable(),
  /** Every candidate, newest first, with what its checksums said (unchecked: not needed). */
  candidates: z.array(
    z.object({
      point: RecoveryPointDoc,
      integrity: z.enum(['valid', 'corrupt', 'unverifiable', 'unchecked']),
      reason: z.string().nullable(),
    }),
  ),
  chosen: RecoveryPointDoc.nullable(),
  dataLossSeconds: z.number().nullable(),
  rpoMet: z.boolean().nullable(),
  rpoMiss: z.string().nullable(),
  skipped: z.array(z.object({ point: RecoveryPointDoc, reason: z.string() })),
  plannedBy: z.string(),
  plannedAt: z.string(),
});
export type PlanDoc = z.infer<typeof PlanDoc>;

export const InstanceDoc = z.object({
  kind: z.enum(['new_instance', 'standby']),
  server: z.string().nullable(),
  host: z.string(),
  port: z.number(),
  dbname: z.string(),
  user: z.string(),
  /** new_instance: its data directory, and the file holding its superuser password (0600). */
  dataDir: z.string().nullable(),
  passwordFile: z.string().nullable(),
});
export type InstanceDoc = z.infer<typeof InstanceDoc>;

export const TimelineDoc = z.object({
  at: z.string(),
  kind: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type TimelineDoc = z.infer<typeof TimelineDoc>;

export const IncidentDoc = z.object({
  id: z.number(),
  database: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  source: z.enum(['manual', 'alertmanager']),
  reason: z.string().nullable(),
  declaredBy: z.string(),
  declaredAt: z.string(),
  /** The RTO clock's start and the failure time (the alert's startsAt, or the declaration). */
  startedAt: z.string(),
  alert: z.object({ name: z.string(), fingerprint: z.string(), labels: z.record(z.string(), z.string()) }).nullable(),
  plan: PlanDoc.nullable(),
  instance: InstanceDoc.nullable(),
  recoveredAt: z.string().nullable(),
  error: z.string().nullable(),
  errorStep: z.string().nullable(),
  evidence: z.object({ storage: z.string(), prefix: z.string(), files: z.record(z.string(), z.string()) }).nullable(),
});
export type IncidentDoc = z.infer<typeof IncidentDoc>;

export const IncidentDetail = IncidentDoc.extend({ timeline: z.array(TimelineDoc) });
export type IncidentDetail = z.infer<typeof IncidentDetail>;

export const DeclareRequest = z.object({
  database: catalogName('database'),
  reason: freeText(2000).optional(),
});
export const IncidentIdParams = z.object({ id: runId });
export const IncidentList = z.object({ incidents: z.array(IncidentDoc) });
export type IncidentList = z.infer<typeof IncidentList>;
export const IncidentShowQuery = z.object({
  /** Seconds to wait for a running execution to settle (recovered or failed) before answering. */
  wait: z
    .string()
    .regex(/^(0|[1-9][0-9]?)$/)
    .transform(Number)
    .pipe(z.number().int().min(0).max(60))
    .optional(),
});

export const ReportDoc = z.object({
  incident: z.number(),
  database: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  startedAt: z.string(),
  failureAt: z.string(),
  recoveryPoint: RecoveryPointDoc.nullable(),
  recoveryPointAt: z.string().nullable(),
  healthGreenAt: z.string().nullable(),
  rpoTargetSeconds: z.number().nullable(),
  rtoTargetSeconds: z.number().nullable(),
  /** Failure time minus the recovery point's time. */
  rpoAchievedSeconds: z.number().nullable(),
  /** Health green minus the incident's start. */
  rtoAchievedSeconds: z.number().nullable(),
  rpoMet: z.boolean().nullable(),
  rtoMet: z.boolean().nullable(),
  misses: z.array(z.string()),
  skipped: z.array(z.object({ point: RecoveryPointDoc, reason: z.string() })),
  /** The moments the runbook names, each null until it happened. */
  milestones: z.object({
    alert: z.string().nullable(),
    declared: z.string().nullable(),
    planned: z.string().nullable(),
    restoreStarted: z.string().nullable(),
    restoreFinished: z.string().nullable(),
    validated: z.string().nullable(),
    cutover: z.string().nullable(),
    healthGreen: z.string().nullable(),
  }),
  instance: InstanceDoc.nullable(),
  error: z.string().nullable(),
  errorStep: z.string().nullable(),
  timeline: z.array(TimelineDoc.omit({ details: true })),
});
export type ReportDoc = z.infer<typeof ReportDoc>;

export const ReportResponse = z.object({
  report: ReportDoc,
  markdown: z.string(),
  /** Where the report is stored as evidence (null until the execution settled). */
  evidence: IncidentDoc.shape.evidence,
});
export type ReportResponse = z.infer<typeof ReportResponse>;

/** Alertmanager's webhook payload, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export const AlertmanagerPayload = z.object({
  version: z.literal('4', { error: 'Lifeboat reads Alertmanager webhook payloads of version "4"' }),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupLabels: z.record(z.string(), z.string()).optional(),
  commonLabels: z.record(z.string(), z.string()).optional(),
  commonAnnotations: z.record(z.string(), z.string()).optional(),
  externalURL: z.string().optional(),
  alerts: z
    .array(
      z.object({
        status: z.enum(['firing', 'resolved']),
        labels: z.record(z.string(), z.string()),
        annotations: z.record(z.string(), z.string()).optional(),
        startsAt: z.string(),
        endsAt: z.string().optional(),
        generatorURL: z.string().optional(),
        fingerprint: z.string().min(1).max(200),
      }),
    )
    .max(1000),
});
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayload>;

export const AlertOutcome = z.object({
  fingerprint: z.string(),
  alertname: z.string().nullable(),
  outcome: z.enum(['opened', 'repeat', 'resolved', 'ignored']),
  incident: z.number().nullable(),
  reason: z.string().nullable(),
});
export const AlertsReceived = z.object({ alerts: z.array(AlertOutcome) });
export type AlertsReceived = z.infer<typeof AlertsReceived>;
