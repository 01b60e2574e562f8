// Approving and rejecting a run (PRODUCT.md capability 5), and the worker's last look at the
// plan before it starts one. The server holds every gate, whatever the route checked: the policy
// (the owning team's approvers; a dba-admin only through the override switch, recorded as such;
// never the requester), a run still waiting for approvals, one standing approval per approver,
// an approval bound to the plan as it stands (a plan that changed voids the approvals given to
// the old one), and the expiry. Each decision is one transaction: the run locked, the approval
// row, the status through the one writer (run-state.ts) with its audit event, and — after the
// last approval — the job (submit.ts releaseApproved).
import type { Selectable, Transaction } from 'kysely';
import type PgBoss from 'pg-boss';
import { decide } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import type { Catalog } from '../catalog/types.js';
import { LifeboatError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { Database, RestoreRunTable } from '../store/schema.js';
import { isExpired, tallyApprovals } from './approval-rules.js';
import { EXPIRING_STATUSES } from './expiry.js';
import { type RunStatus } from './lifecycle.js';
import { currentPlanHash } from './plan.js';
import { transitionRun } from './run-state.js';
import { releaseApproved } from './submit.js';

export interface ApproveDeps {
  db: Db;
  queue: PgBoss;
  catalog: Catalog;
}

export interface ApproveRequest {
  comment?: string;
  /** The plan hash the approver was shown; refused when the plan is another one now. */
  planHash?: string;
}

type RunRow = Selectable<RestoreRunTable>;

/** What a decision found that must be committed before it is answered with a refusal. */
type Outcome = { ok: true; status: RunStatus } | { ok: false; error: LifeboatError };

const VOID_REASON = 'the plan changed after this approval';

export async function approveRun(
  deps: ApproveDeps,
  who: Principal,
  runId: number,
  req: ApproveRequest,
  requestId: string | null,
): Promise<RunStatus> {
  return settle(
    deps.db.transaction().execute(async (trx): Promise<Outcome> => {
      const run = await lockRun(trx, runId);
      const grant = judge(deps.catalog, who, run, 'approve');
      const expired = await expireIfDue(trx, run, who, requestId);
      if (expired) return { ok: false, error: expired };
      assertWaiting(run, 'approve');
      const planHash = await refreshPlan(trx, deps.catalog, run, requestId);
      if (req.planHash !== undefined && req.planHash !== planHash) {
        return {
          ok: false,
          error: new LifeboatError('conflict', `unable to approve run ${runId}: the plan changed since you read it`, {
            hint: `read it again with \`lifeboat restore show ${runId}\`, then approve what it shows`,
            details: { reviewed: req.planHash, current: planHash },
          }),
        };
      }
      const rows = await approvalRows(trx, runId);
      if (rows.some((r) => r.approver === who.user && r.decision === 'approve' && r.voided_at === null)) {
        throw new LifeboatError('conflict', `${who.user} has already approved run ${runId}`, {
          hint: `an approval counts once per approver: run ${runId} needs another approver of team ${run.owner_team}`,
        });
      }
      const inserted = await trx
        .insertInto('restore_approvals')
        .values({
          run_id: runId,
          approver: who.user,
          decision: 'approve',
          comment: req.comment ?? null,
          plan_hash: planHash,
          override: grant.override,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const tally = tallyApprovals(tallyRun({ ...run, plan_hash: planHash }), [...rows, inserted].map(record));
      const now = new Date();
      const t = await transitionRun(trx, runId, {
        event: 'approve',
        actor: who.user,
        context: { approvalsMissing: tally.missing },
        set: tally.missing === 0 ? { approved_at: now, expires_at: null } : {},
        details: {
          approver: who.user,
          comment: req.comment ?? null,
          override: grant.override,
          role: grant.role,
          planHash,
          approvalsReceived: tally.received,
          approvalsRequired: run.approvals_required,
        },
        requestId,
      });
      if (t?.to !== 'approved') return { ok: true, status: t?.to ?? (run.status as RunStatus) };
      return { ok: true, status: await releaseApproved(trx, deps.queue, run, who.user, requestId) };
    }),
  );
}

export async function rejectRun(
  deps: ApproveDeps,
  who: Principal,
  runId: number,
  req: { comment?: string },
  requestId: string | null,
): Promise<RunStatus> {
  const comment = req.comment?.trim() ?? '';
  if (!comment) {
    throw new LifeboatError('invalid_request', `unable to reject run ${runId}: a rejection needs a comment`, {
      hint: `say why, for the requester and the audit trail: \`lifeboat restore reject ${runId} --comment "…"\``,
    });
  }
  return settle(
    deps.db.transaction().execute(async (trx): Promise<Outcome> => {
      const run = await lockRun(trx, runId);
      const grant = judge(deps.catalog, who, run, 'reject');
      const expired = await expireIfDue(trx, run, who, requestId);
      if (expired) return { ok: false, error: expired };
      assertWaiting(run, 'reject');
      const planHash = await refreshPlan(trx, deps.catalog, run, requestId);
      await trx
        .insertInto('restore_approvals')
        .values({
          run_id: runId,
          approver: who.user,
          decision: 'reject',
          comment,
          plan_hash: planHash,
          override: grant.override,
        })
        .execute();
      const t = await transitionRun(trx, runId, {
        event: 'reject',
        actor: who.user,
        set: { finished_at: new Date(), expires_at: null },
        details: { approver: who.user, comment, override: grant.override, role: grant.role, planHash },
        requestId,
      });
      return { ok: true, status: t!.to };
    }),
  );
}

/**
 * The worker's last look before it starts a run that needed approvals: is the plan still the
 * one approved? If the catalog or a script changed it since, the approvals are voided and the
 * run waits for approvals again (queued → pending_approval, audited `restore.void`); false tells
 * the worker not to start it.
 */
export async function planStillApproved(deps: { db: Db; catalog: Catalog }, run: RunRow): Promise<boolean> {
  if (run.approvals_required === 0) return true;
  // a database or server gone from lifeboat.yaml fails the run in the runbook, with its own message
  if (!deps.catalog.databases[run.database] || !deps.catalog.servers[run.destination_server]) return true;
  const planHash = await currentPlanHash(deps.catalog, run);
  if (run.plan_hash === planHash) return true;
  return deps.db.transaction().execute(async (trx) => {
    const locked = await lockRun(trx, run.id);
    if (locked.status !== 'queued') return false; // cancelled meanwhile: nothing to start either way
    if (locked.plan_hash === null) {
      // approved before plans were hashed: what it was approved for is the plan now
      await trx.updateTable('restore_runs').set({ plan_hash: planHash }).where('id', '=', run.id).execute();
      return true;
    }
    await voidPlan(trx, locked, planHash, 'worker', null);
    return false;
  });
}

/** Voids the approvals of the old plan and sends the run back to wait for approvals of the new one. */
async function voidPlan(
  trx: Transaction<Database>,
  run: RunRow,
  planHash: string,
  actor: string,
  requestId: string | null,
): Promise<void> {
  const voided = await trx
    .updateTable('restore_approvals')
    .set({ voided_at: new Date(), void_reason: VOID_REASON })
    .where('run_id', '=', run.id)
    .where('decision', '=', 'approve')
    .where('voided_at', 'is', null)
    .returning('approver')
    .execute();
  await transitionRun(trx, run.id, {
    event: 'void',
    actor,
    set: { plan_hash: planHash, approved_at: null },
    details: {
      reason: VOID_REASON,
      previousPlanHash: run.plan_hash,
      planHash,
      voided: voided.map((v) => v.approver),
    },
    requestId,
  });
}

async function lockRun(trx: Transaction<Database>, runId: number): Promise<RunRow> {
  const run = await trx.selectFrom('restore_runs').selectAll().where('id', '=', runId).forUpdate().executeTakeFirst();
  if (!run)
    throw new LifeboatError('not_found', `no restore run ${runId}`, { hint: 'list runs with `lifeboat restore list`' });
  return run;
}

/** The policy, again in the module: the server enforces it whatever route or script calls. */
function judge(catalog: Catalog, who: Principal, run: RunRow, verb: 'approve' | 'reject') {
  const d = decide(
    who,
    'restore.approve',
    { database: run.database, ownerTeam: run.owner_team, requestedBy: run.requested_by },
    catalog.policy,
  );
  if (!d.allowed) throw new LifeboatError(d.rule, `unable to ${verb} run ${run.id}: ${d.message}`, { hint: d.hint });
  return d;
}

/** A run whose expiry time has come expires now (committed), and the decision is refused. */
async function expireIfDue(
  trx: Transaction<Database>,
  run: RunRow,
  who: Principal,
  requestId: string | null,
): Promise<LifeboatError | null> {
  const status = run.status as RunStatus;
  if (!EXPIRING_STATUSES.includes(status)) return null;
  if (!isExpired({ expiresAt: run.expires_at }, new Date())) return null;
  await transitionRun(trx, run.id, {
    event: 'expire',
    actor: 'lifeboat',
    set: { finished_at: new Date() },
    details: { expiresAt: run.expires_at!.toISOString(), noticedBy: who.user },
    requestId,
  });
  return new LifeboatError('invalid_transition', `run ${run.id} expired at ${run.expires_at!.toISOString()}`, {
    hint: `approvals are given within policy.approval_expires_after of the submission; request the restore again`,
    details: { from: status, to: 'expired' },
  });
}

function assertWaiting(run: RunRow, verb: 'approve' | 'reject'): void {
  if (run.status === 'pending_approval') return;
  const status = run.status.replace('_', ' ');
  throw new LifeboatError(
    'invalid_transition',
    `unable to ${verb} run ${run.id}: it is ${status}, not waiting for approvals`,
    {
      hint:
        run.status === 'previewed' || run.status === 'draft' || run.status === 'scoped' || run.status === 'checked'
          ? `it is a dry run: its requester submits it first (\`lifeboat restore submit ${run.id} --confirm …\`)`
          : `see \`lifeboat restore show ${run.id}\``,
      details: { from: run.status, event: verb },
    },
  );
}

/**
 * The run's plan as the catalog in force makes it now. A plan that differs from the one stored
 * voids the approvals given to the old one (audited `restore.void`); a run without a stored
 * hash (requested before plans were hashed, or straight with --execute) gets it now.
 */
async function refreshPlan(
  trx: Transaction<Database>,
  catalog: Catalog,
  run: RunRow,
  requestId: string | null,
): Promise<string> {
  const planHash = await currentPlanHash(catalog, run);
  if (run.plan_hash === planHash) return planHash;
  if (run.plan_hash === null) {
    await trx.updateTable('restore_runs').set({ plan_hash: planHash }).where('id', '=', run.id).execute();
    // approvals of another plan cannot be standing on a run that had none: void them if any
    await trx
      .updateTable('restore_approvals')
      .set({ voided_at: new Date(), void_reason: VOID_REASON })
      .where('run_id', '=', run.id)
      .where('voided_at', 'is', null)
      .where('plan_hash', '!=', planHash)
      .execute();
  } else {
    await voidPlan(trx, run, planHash, 'lifeboat', requestId);
  }
  return planHash;
}

async function approvalRows(trx: Transaction<Database>, runId: number) {
  return trx.selectFrom('restore_approvals').selectAll().where('run_id', '=', runId).orderBy('id').execute();
}

/** A run row as the approval rules see it. */
export function tallyRun(run: Pick<RunRow, 'requested_by' | 'approvals_required' | 'plan_hash' | 'expires_at'>) {
  return {
    requestedBy: run.requested_by,
    approvalsRequired: run.approvals_required,
    planHash: run.plan_hash,
    expiresAt: run.expires_at,
  };
}

/** An approval row as the approval rules see it. */
export function record(r: {
  approver: string;
  decision: 'approve' | 'reject';
  plan_hash: string;
  created_at: Date;
  voided_at: Date | null;
}) {
  return {
    approver: r.approver,
    decision: r.decision,
    planHash: r.plan_hash,
    createdAt: r.created_at,
    voidedAt: r.voided_at,
  };
}

/** Commits what the decision found (an expiry, a void), then answers its refusal. */
async function settle(outcome: Promise<Outcome>): Promise<RunStatus> {
  const o = await outcome;
  if (!o.ok) throw o.error;
  return o.status;
}
