// A drill row as the API shows it.
import type { Selectable } from 'kysely';
import type { DrillDetail, DrillDoc } from '../contract/drills.js';
import type { DrillTable } from '../store/schema.js';
import { drillStatusOf } from './lifecycle.js';

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));
const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

export function drillDoc(r: Selectable<DrillTable>): DrillDoc {
  return {
    id: Number(r.id),
    database: r.database,
    backupId: r.backup_id,
    target: r.target_server,
    scratchDatabase: r.scratch_dbname,
    status: drillStatusOf(r.status),
    trigger: r.trigger,
    requestedBy: r.requested_by,
    createdAt: new Date(r.created_at).toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    restoreMs: num(r.restore_ms),
    bytes: num(r.bytes),
    rows: num(r.rows),
    checks: r.checks as DrillDoc['checks'],
    error: r.error,
    errorStep: r.error_step,
    keptDatabase: r.kept_dbname,
    evidence: (r.evidence as DrillDoc['evidence']) ?? null,
  };
}

export function drillDetail(r: Selectable<DrillTable>, withLog: boolean): DrillDetail {
  return { ...drillDoc(r), ...(withLog ? { log: r.log } : {}) };
}
