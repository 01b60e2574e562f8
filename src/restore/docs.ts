// Restore run rows → API documents.
import type { Selectable } from 'kysely';
import type { RunDoc } from '../contract/runs.js';
import type { RestoreRunTable } from '../store/schema.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** `keptCopySize`: the kept copy's size on its server (kept-copies.ts), when it was asked. */
export function runDoc(r: Selectable<RestoreRunTable>, withLog = false, keptCopySize: number | null = null): RunDoc {
  return {
    id: Number(r.id),
    status: r.status as RunDoc['status'],
    database: r.database,
    source: { server: r.source_server, backupId: r.backup_id, pointInTime: iso(r.point_in_time) },
    destination: {
      server: r.destination_server,
      dbname: r.destination_dbname,
      tier: r.destination_tier,
      identifier: r.identifier,
      target: `${r.destination_server}/${r.destination_dbname}`,
    },
    tables: r.tables,
    requestedBy: r.requested_by,
    justification: r.justification,
    startAt: iso(r.start_at),
    approvalsRequired: r.approvals_required,
    createdAt: r.created_at.toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    durationMs: r.started_at && r.finished_at ? r.finished_at.getTime() - r.started_at.getTime() : null,
    phase: r.phase,
    progress: r.progress as RunDoc['progress'],
    checks: r.checks as RunDoc['checks'],
    preview: (r.preview ?? null) as RunDoc['preview'],
    warnings: r.warnings as RunDoc['warnings'],
    error: r.error,
    errorStep: r.error_step,
    previous: r.previous_dbname
      ? {
          dbname: r.previous_dbname,
          expiresAt: iso(r.previous_expires_at),
          dropped: r.previous_dropped_at !== null,
          sizeBytes: r.previous_dropped_at === null ? keptCopySize : null,
        }
      : null,
    undoneAt: iso(r.undone_at),
    ...(withLog ? { log: r.log } : {}),
  };
}
