// The one writer of a drill's status (STYLE.md §20): lock the row, decide with the pure
// lifecycle (lifecycle.ts), a guarded update (`WHERE status = $from`) and the audit event
// `drill.<event>`, in one transaction, with the verdict's notification (`drill.passed` or
// `drill.failed`, through the outbox: src/notify/events.ts). Returns the audit event's sequence number and hash, which
// the evidence pack's proof names.
import type { Transaction, UpdateObject } from 'kysely';
import { recordAudit } from '../audit/record.js';
import { LifeboatError } from '../errors.js';
import { type DrillFacts, recordEvent } from '../notify/events.js';
import type { Db } from '../store/db.js';
import type { Database } from '../store/schema.js';
import { type DrillEvent, type DrillStatus, drillStatusOf, nextDrillStatus } from './lifecycle.js';

export interface DrillTransition {
  event: DrillEvent;
  actor: string;
  set?: Omit<UpdateObject<Database, 'drills'>, 'status' | 'id'>;
  details?: Record<string, unknown>;
  /** From any other status nothing is written and the result is null. */
  onlyFrom: readonly DrillStatus[];
  /** Only while the drill is this worker's. */
  owner?: string;
  /** Only while its worker has not heartbeated since (the reaper's guard: still lost). */
  staleBefore?: Date;
  requestId?: string | null;
  /** Runs in the same transaction after the status is written (e.g. writes that must commit with it). */
  also?: (trx: Transaction<Database>, audit: { seq: number; hash: string }, from: DrillStatus) => Promise<void>;
}

export interface DrillTransitionResult {
  from: DrillStatus;
  to: DrillStatus;
  audit: { seq: number; hash: string };
}

export async function transitionDrill(
  db: Db,
  drillId: number,
  t: DrillTransition,
): Promise<DrillTransitionResult | null> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('drills')
      .select(['status', 'worker_id', 'heartbeat_at', 'started_at', 'created_at'])
      .where('id', '=', drillId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new LifeboatError('not_found', `no drill ${drillId}`);
    const from = drillStatusOf(row.status);
    if (!t.onlyFrom.includes(from)) return null;
    if (t.owner !== undefined && row.worker_id !== null && row.worker_id !== t.owner) return null;
    const lastSign = row.heartbeat_at ?? row.started_at ?? row.created_at;
    if (t.staleBefore !== undefined && new Date(lastSign) >= t.staleBefore) return null;
    const to = nextDrillStatus(from, t.event);
    if (!to) {
      throw new LifeboatError('invalid_transition', `a ${from} drill cannot ${t.event}`, {
        hint: 'reload the drill; another process may have changed it',
      });
    }
    const u = await trx
      .updateTable('drills')
      .set({ ...t.set, status: to })
      .where('id', '=', drillId)
      .where('status', '=', from)
      .executeTakeFirst();
    if (Number(u.numUpdatedRows) !== 1) throw new LifeboatError('internal', `drill ${drillId} changed while locked`);
    const audit = await recordAudit(trx, {
      actor: t.actor,
      action: `drill.${t.event}`,
      subjectType: 'drill',
      subjectId: String(drillId),
      details: { from, to, ...t.details },
      requestId: t.requestId ?? null,
    });
    if (to === 'passed' || to === 'failed') await recordDrillEvent(trx, drillId, to, t.actor);
    await t.also?.(trx, audit, from);
    return { from, to, audit };
  });
}

/** The verdict's notification, from the row as just written. */
async function recordDrillEvent(
  trx: Transaction<Database>,
  drillId: number,
  to: 'passed' | 'failed',
  actor: string,
): Promise<void> {
  const d = await trx.selectFrom('drills').selectAll().where('id', '=', drillId).executeTakeFirstOrThrow();
  const checks = (d.checks ?? []) as Array<{ name: string; passed: boolean }>;
  const ms = (a: Date | null, b: Date | null) => (a && b ? new Date(b).getTime() - new Date(a).getTime() : null);
  const data: DrillFacts = {
    drill: drillId,
    status: to,
    database: d.database,
    team: d.owner_team,
    backup: d.backup_id,
    target: d.target_server,
    trigger: d.trigger,
    requester: d.requested_by,
    actor,
    durationMs: ms(d.started_at, d.finished_at),
    restoreMs: d.restore_ms === null ? null : Number(d.restore_ms),
    failedChecks: checks.filter((c) => !c.passed).map((c) => c.name),
    error: d.error,
    errorStep: d.error_step,
    keptDatabase: d.kept_dbname,
  };
  await recordEvent(trx, { type: `drill.${to}`, data, subjectType: 'drill', subjectId: String(drillId) });
}
