// The facts a disaster-recovery notification is made of, from the incident's row (never a
// connection string or a password).
import type { Selectable } from 'kysely';
import type { IncidentFacts } from '../notify/events.js';
import type { IncidentTable } from '../store/schema.js';
import { pointLabel, type RecoveryPoint } from './recovery-point.js';

export function incidentFacts(
  row: Selectable<IncidentTable>,
  extra: Partial<IncidentFacts> & { actor: string; status: string },
): IncidentFacts {
  const plan = row.plan as { chosen?: RecoveryPoint | null } | null;
  return {
    incident: Number(row.id),
    database: row.database,
    team: row.owner_team,
    source: row.source,
    reason: row.reason,
    alert: row.alert_name,
    startedAt: new Date(row.started_at).toISOString(),
    recoveryPoint: plan?.chosen ? pointLabel(plan.chosen) : null,
    errorStep: row.error_step,
    error: row.error,
    rpoAchievedSeconds: null,
    rtoAchievedSeconds: null,
    misses: [],
    kept: null,
    ...extra,
  };
}
