// The one writer of a restore run's status (STYLE.md §20). Every status change — the worker
// starting, finishing or failing a run, a cancel, the reaper, a scheduled run coming due — goes
// through `transitionRun`: lock the row, decide with the pure lifecycle, a guarded update
// (`WHERE id = $1 AND status = $from`), and the audit event, in one transaction. So two writers
// can never both act on what they read (a reaped run cannot then be completed by its worker), and
// the audit trail names each change with one fixed vocabulary: `restore.<event>`.
import type { Transaction, UpdateObject } from 'kysely';
import { recordAudit } from '../audit/record.js';
import { LifeboatError } from '../errors.js';
import type { Db } from '../store/db.js';
import { recordRunEvent } from '../notify/run-events.js';
import type { Database } from '../store/schema.js';
import { nextStatus, type RunEvent, type RunStatus, type TransitionContext, canTransition } from './lifecycle.js';

/** The audit action of each event: one word per change, the event's own name. */
export function runAuditAction(event: RunEvent): `restore.${RunEvent}` {
  return `restore.${event}`;
}

export interface RunTransition {
  event: RunEvent;
  actor: string;
  /** Columns written with the status (finished_at, error, worker_id…). */
  set?: Omit<UpdateObject<Database, 'restore_runs'>, 'status' | 'id'>;
  /** Details for the audit event (the status change itself is always recorded). */
  details?: Record<string, unknown>;
  requestId?: string | null;
  context?: TransitionContext;
  /**
   * Only while the run is still this worker's: otherwise (reaped, taken over) nothing is written
   * and the result is null.
   */
  owner?: string;
  /**
   * Statuses from which the caller expects the event; from any other, nothing is written and the
   * result is null instead of an `invalid_transition` error (a job finding its run already
   * cancelled, a reaper finding it already ended).
   */
  onlyFrom?: readonly RunStatus[];
  /** Only when this holds of the locked row (e.g. its heartbeat is still stale); else the result is null. */
  when?: (row: LockedRun) => boolean;
}

export interface LockedRun {
  status: RunStatus;
  worker_id: string | null;
  heartbeat_at: Date | null;
  updated_at: Date;
}

export interface RunTransitionResult {
  from: RunStatus;
  to: RunStatus;
}

/** Applies one lifecycle event to run `runId`, within `trx` when given (else its own transaction). */
export async function transitionRun(
  db: Db | Transaction<Database>,
  runId: number,
  t: RunTransition,
): Promise<RunTransitionResult | null> {
  const work = (trx: Transaction<Database>) => applyTransition(trx, runId, t);
  return db.isTransaction ? work(db as Transaction<Database>) : db.transaction().execute(work);
}

async function applyTransition(
  trx: Transaction<Database>,
  runId: number,
  t: RunTransition,
): Promise<RunTransitionResult | null> {
  const row = await trx
    .selectFrom('restore_runs')
    .select(['status', 'worker_id', 'heartbeat_at', 'updated_at'])
    .where('id', '=', runId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new LifeboatError('not_found', `no restore run ${runId}`);
  const from = row.status as RunStatus;
  if (t.owner !== undefined && row.worker_id !== t.owner) return null;
  if (t.onlyFrom && (!t.onlyFrom.includes(from) || !canTransition(from, t.event, t.context))) return null;
  if (
    t.when &&
    !t.when({ status: from, worker_id: row.worker_id, heartbeat_at: row.heartbeat_at, updated_at: row.updated_at })
  )
    return null;
  const to = nextStatus(from, t.event, t.context); // an event that does not apply is a 409
  const now = new Date();
  // a run joining the queue takes its place at the end of its team's (admission.ts)
  const joined = to === 'queued' && from !== 'queued' ? { queued_at: now } : {};
  const u = await trx
    .updateTable('restore_runs')
    .set({ ...t.set, ...joined, status: to, updated_at: now })
    .where('id', '=', runId)
    .where('status', '=', from)
    .executeTakeFirst();
  // the row is locked: the guarded update can only miss if the lock was not taken (a bug)
  if (Number(u.numUpdatedRows) !== 1) throw new LifeboatError('internal', `run ${runId} changed while locked`);
  await recordAudit(trx, {
    actor: t.actor,
    action: runAuditAction(t.event),
    subjectType: 'run',
    subjectId: String(runId),
    details: { from, to, ...t.details },
    requestId: t.requestId ?? null,
  });
  // the notification is written with the change, so a crash can lose neither (src/notify/)
  await recordRunEvent(trx, runId, { event: t.event, from, to, actor: t.actor });
  return { from, to };
}
