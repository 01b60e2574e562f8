// Which approvals of a run count, as a pure function (PRODUCT.md capability 5). An approval
// counts when it approves (a rejection ends the run instead), has not been voided, approves the
// plan the run has now (its hash: an approval of another plan approved something else), was not
// given by the requester (the policy refuses that, this rule does not trust it), and is the
// first standing one of its approver (N approvals are N distinct people). No I/O, no clock: the
// caller passes `now`. Tested cell by cell in test/restore/approval-rules.test.ts.

export interface ApprovalRun {
  requestedBy: string;
  approvalsRequired: number;
  /** The hash of the run's plan as it stands; null when it was never computed (nothing counts). */
  planHash: string | null;
  /** When a run waiting for its requester or its approvers expires; null: never. */
  expiresAt: Date | null;
}

export interface ApprovalRecord {
  approver: string;
  decision: 'approve' | 'reject';
  planHash: string;
  createdAt: Date;
  voidedAt: Date | null;
}

/** Why an approval row does not count (or `counts`). */
export type ApprovalVerdict = 'counts' | 'rejection' | 'voided' | 'other_plan' | 'requester' | 'duplicate';

export interface ApprovalTally {
  /** One verdict per row, in the order given. */
  verdicts: ApprovalVerdict[];
  /** The distinct approvers whose approval counts, in the order they approved. */
  approvers: string[];
  received: number;
  missing: number;
}

function verdictOf(run: ApprovalRun, row: ApprovalRecord, counted: ReadonlySet<string>): ApprovalVerdict {
  if (row.decision === 'reject') return 'rejection';
  if (row.voidedAt !== null) return 'voided';
  if (run.planHash === null || row.planHash !== run.planHash) return 'other_plan';
  if (row.approver === run.requestedBy) return 'requester';
  if (counted.has(row.approver)) return 'duplicate';
  return 'counts';
}

/** Which of `rows` count for `run`, and how many approvals are still missing. */
export function tallyApprovals(run: ApprovalRun, rows: readonly ApprovalRecord[]): ApprovalTally {
  // the earliest approval of an approver is the one that counts, whatever order the rows come in
  const order = rows
    .map((_, i) => i)
    .sort((a, b) => rows[a]!.createdAt.getTime() - rows[b]!.createdAt.getTime() || a - b);
  const verdicts: ApprovalVerdict[] = new Array<ApprovalVerdict>(rows.length);
  const approvers: string[] = [];
  const counted = new Set<string>();
  for (const i of order) {
    const v = verdictOf(run, rows[i]!, counted);
    verdicts[i] = v;
    if (v === 'counts') {
      counted.add(rows[i]!.approver);
      approvers.push(rows[i]!.approver);
    }
  }
  const required = Math.max(0, run.approvalsRequired);
  return { verdicts, approvers, received: approvers.length, missing: Math.max(0, required - approvers.length) };
}

/** A run with an expiry time that has come (at `now` exactly, it has). */
export function isExpired(run: Pick<ApprovalRun, 'expiresAt'>, now: Date): boolean {
  return run.expiresAt !== null && run.expiresAt.getTime() <= now.getTime();
}

/** When a run submitted at `now` stops waiting for its approvals. */
export function approvalDeadline(now: Date, expiresAfterMs: number): Date {
  return new Date(now.getTime() + expiresAfterMs);
}
