// Restore run rows → API documents. Pure: the approvals and the approvers are passed in
// (run-docs.ts loads them).
import type { Selectable } from 'kysely';
import type { ApprovalDoc, RunDoc } from '../contract/runs.js';
import type { RestoreApprovalTable, RestoreRunTable } from '../store/schema.js';
import { tallyApprovals } from './approval-rules.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export interface RunApprovals {
  /** The run's approval rows, oldest first. */
  rows: readonly Selectable<RestoreApprovalTable>[];
  /** The owning team's approvers in the configuration in force. */
  teamApprovers: readonly string[];
}

const NO_APPROVALS: RunApprovals = { rows: [], teamApprovers: [] };

function approvalsPart(r: Selectable<RestoreRunTable>, a: RunApprovals) {
  const tally = tallyApprovals(
    {
      requestedBy: r.requested_by,
      approvalsRequired: r.approvals_required,
      planHash: r.plan_hash,
      expiresAt: r.expires_at,
    },
    a.rows.map((x) => ({
      approver: x.approver,
      decision: x.decision,
      planHash: x.plan_hash,
      createdAt: x.created_at,
      voidedAt: x.voided_at,
    })),
  );
  const approvals: ApprovalDoc[] = a.rows.map((x, i) => ({
    approver: x.approver,
    decision: x.decision,
    comment: x.comment,
    override: x.override,
    at: x.created_at.toISOString(),
    counts: tally.verdicts[i] === 'counts',
    voidedAt: iso(x.voided_at),
    voidReason: x.void_reason,
  }));
  return {
    approvalsReceived: tally.received,
    approvalsMissing: tally.missing,
    ownerTeam: r.owner_team,
    approvers: a.teamApprovers.filter((u) => u !== r.requested_by && !tally.approvers.includes(u)),
    approvals,
    planHash: r.plan_hash,
    submittedAt: iso(r.submitted_at),
    approvedAt: iso(r.approved_at),
    expiresAt: iso(r.expires_at),
  };
}

/**
 * `keptCopySize`: the kept copy's size on its server (kept-copies.ts), when it was asked;
 * `approvals`: the run's approvals (none when not loaded).
 */
export function runDoc(
  r: Selectable<RestoreRunTable>,
  withLog = false,
  keptCopySize: number | null = null,
  approvals: RunApprovals = NO_APPROVALS,
): RunDoc {
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
    ...approvalsPart(r, approvals),
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
