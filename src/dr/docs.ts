// An incident's row as the API shows it (never a password: the instance names its password file).
import type { Selectable } from 'kysely';
import type { IncidentDoc, InstanceDoc, PlanDoc } from '../contract/dr.js';
import type { IncidentTable } from '../store/schema.js';
import { incidentStatusOf } from './lifecycle.js';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function incidentDoc(row: Selectable<IncidentTable>): IncidentDoc {
  const evidence = row.evidence as { storage: string; prefix: string; files: Record<string, string> } | null;
  return {
    id: Number(row.id),
    database: row.database,
    status: incidentStatusOf(row.status),
    source: row.source === 'alertmanager' ? 'alertmanager' : 'manual',
    reason: row.reason,
    declaredBy: row.declared_by,
    declaredAt: iso(row.declared_at)!,
    startedAt: iso(row.started_at)!,
    alert:
      row.alert_fingerprint !== null
        ? { name: row.alert_name ?? '', fingerprint: row.alert_fingerprint, labels: row.alert_labels ?? {} }
        : null,
    plan: row.plan as PlanDoc | null,
    instance: row.instance as InstanceDoc | null,
    recoveredAt: iso(row.recovered_at),
    error: row.error,
    errorStep: row.error_step,
    evidence: evidence ? { storage: evidence.storage, prefix: evidence.prefix, files: evidence.files } : null,
  };
}
