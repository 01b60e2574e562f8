// Submitting a dry run: the very run that was checked and previewed moves on (PRODUCT.md
// contract: `restore submit <run> --confirm <identifier>`), instead of a second run being made
// from the same request. The server holds every gate (STYLE.md: no sequence of API calls gets
// around one): only the requester submits, only a previewed run, never with a blocking check,
// only with the impact acknowledged and the destination identifier typed back exactly, and the
// destination is judged again against the catalog in force. Status, job and audit commit together.
import type { Transaction } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Principal } from '../access/principal.js';
import type { Catalog, Tier } from '../catalog/types.js';
import { LifeboatError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { Database } from '../store/schema.js';
import { enqueueIn } from '../worker/queue.js';
import { assertDestinationAllowed, cataloguedDatabases } from './destination-rule.js';
import { approvalDeadline } from './approval-rules.js';
import { assertConfirmation } from './identifier.js';
import type { RunStatus } from './lifecycle.js';
import { currentPlanHash } from './plan.js';
import { RESTORE_QUEUE } from './run-restore.js';
import { transitionRun } from './run-state.js';

export interface SubmitRequest {
  /** The destination identifier typed back exactly. */
  confirm?: string;
  /** "I reviewed the impact": the checks and the preview were shown. */
  acknowledge?: boolean;
}

interface StoredCheck {
  code: string;
  severity: string;
  message: string;
  hint?: string;
}

export async function submitRun(
  deps: { db: Db; queue: PgBoss; catalog: Catalog },
  who: Principal,
  runId: number,
  req: SubmitRequest,
  requestId: string | null,
): Promise<RunStatus> {
  return deps.db.transaction().execute(async (trx) => {
    const run = await trx.selectFrom('restore_runs').selectAll().where('id', '=', runId).forUpdate().executeTakeFirst();
    if (!run)
      throw new LifeboatError('not_found', `no restore run ${runId}`, {
        hint: 'list runs with `lifeboat restore list`',
      });
    if (run.requested_by !== who.user) {
      throw new LifeboatError(
        'forbidden',
        `run ${runId} was requested by ${run.requested_by}; only they can submit it`,
        {
          hint: 'request your own restore with `lifeboat restore request`',
        },
      );
    }
    if (run.status !== 'previewed') {
      throw new LifeboatError(
        'invalid_transition',
        `run ${runId} is ${run.status.replace('_', ' ')}: only a previewed dry run can be submitted`,
        {
          hint: `see \`lifeboat restore show ${runId}\``,
          details: { from: run.status, event: 'submit' },
        },
      );
    }
    const checks = (Array.isArray(run.checks) ? run.checks : []) as StoredCheck[];
    const blocking = checks.filter((c) => c.severity === 'blocking');
    if (blocking.length) {
      throw new LifeboatError(
        'blocked_by_check',
        `run ${runId} has ${blocking.length === 1 ? 'a blocking check' : `${blocking.length} blocking checks`}: ${blocking.map((c) => c.message).join('; ')}`,
        {
          // what to do about the first, and where the others are
          hint: `${blocking[0]!.hint ? `${blocking[0]!.hint}; ` : ''}every check: \`lifeboat restore checks ${runId}\``,
          details: { checks: blocking.map((c) => c.code) },
        },
      );
    }
    if (req.acknowledge !== true) {
      throw new LifeboatError(
        'blocked_by_check',
        `run ${runId} cannot be submitted before its impact is acknowledged`,
        {
          hint: 'read the checks and the preview (`lifeboat restore show <run>`), then acknowledge them: `lifeboat restore submit <run> --confirm <identifier>` does both',
        },
      );
    }
    assertConfirmation(run.identifier, req.confirm, `${run.destination_server}/${run.destination_dbname}`);
    // the catalog may have changed since the dry run: the destination is judged again
    const server = deps.catalog.servers[run.destination_server];
    assertDestinationAllowed({
      database: run.database,
      server: run.destination_server,
      dbname: run.destination_dbname,
      tier: server?.tier ?? (run.destination_tier as Tier),
      catalogued: cataloguedDatabases(deps.catalog),
    });

    const now = new Date();
    // what approvers approve is this plan; a run waiting for them expires after approval_expires_after
    const waits = run.approvals_required > 0;
    const submitted = await transitionRun(trx, runId, {
      event: 'submit',
      actor: who.user,
      context: { approvalsMissing: run.approvals_required },
      set: {
        confirmed_at: now,
        acknowledged_at: now,
        submitted_at: now,
        plan_hash: run.plan_hash ?? (await currentPlanHash(deps.catalog, run)),
        expires_at: waits ? approvalDeadline(now, deps.catalog.policy.approvalExpiresAfter.ms) : null,
      },
      details: { identifier: run.identifier, approvalsRequired: run.approvals_required },
      requestId,
    });
    if (submitted?.to !== 'approved') return submitted?.to ?? run.status;
    return releaseApproved(trx, deps.queue, { id: runId, start_at: run.start_at }, who.user, requestId);
  });
}

/**
 * An approved run goes on: `scheduled` until its start time when that is still to come, else
 * `queued` at once (an approval given after the start time starts it now); its job is enqueued in
 * the same transaction. Used by submit (no approval needed) and by the last approval.
 */
export async function releaseApproved(
  trx: Transaction<Database>,
  queue: PgBoss,
  run: { id: number; start_at: Date | null },
  actor: string,
  requestId: string | null,
): Promise<RunStatus> {
  const startAt = run.start_at && run.start_at.getTime() > Date.now() ? run.start_at : null;
  const next = await transitionRun(trx, run.id, { event: startAt ? 'schedule' : 'enqueue', actor, requestId });
  await enqueueIn(
    trx,
    queue,
    RESTORE_QUEUE,
    { runId: run.id },
    // the run's own heartbeat and reaper decide whether it is alive; pg-boss must not expire it
    { retryLimit: 0, expireInHours: 23, ...(startAt ? { startAfter: startAt } : {}) },
  );
  return next!.to;
}
