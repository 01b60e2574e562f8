// The one writer of an incident's status (STYLE.md §20): lock the row, decide with the pure
// lifecycle (lifecycle.ts), a guarded update (`WHERE status = $from`), the audit event
// `dr.<event>`, the timeline entry and (for what people must hear of) the notification, in one
// transaction. Timeline entries that change no status go through `addTimeline`.
import type { Transaction, UpdateObject } from 'kysely';
import { recordAudit } from '../audit/record.js';
import { LifeboatError } from '../errors.js';
import { type DrType, type IncidentFacts, recordEvent } from '../notify/events.js';
import type { Db } from '../store/db.js';
import type { Database } from '../store/schema.js';
import { type IncidentEvent, type IncidentStatus, incidentStatusOf, nextIncidentStatus, refusal } from './lifecycle.js';

/** What a timeline entry is about; the report reads these. */
export type TimelineKind =
  | 'alert'
  | 'alert_resolved'
  | 'declared'
  | 'plan'
  | 'step_started'
  | 'step_finished'
  | 'step_failed'
  /** A long step's progress (a physical recovery's file restore and WAL replay). */
  | 'progress'
  | 'health_attempt'
  | 'health_green'
  | 'recovered'
  | 'failed'
  | 'report';

export interface TimelineEntry {
  kind: TimelineKind;
  message: string;
  details?: Record<string, unknown>;
  /** Default: now (an alert's entry is at its startsAt). */
  at?: Date;
}

export async function addTimeline(
  db: Db | Transaction<Database>,
  incidentId: number,
  entry: TimelineEntry,
): Promise<void> {
  await db
    .insertInto('incident_timeline')
    .values({
      incident_id: incidentId,
      kind: entry.kind,
      message: entry.message,
      details: JSON.stringify(entry.details ?? {}),
      ...(entry.at ? { at: entry.at } : {}),
    })
    .execute();
}

export interface IncidentTransition {
  event: IncidentEvent;
  actor: string;
  set?: Omit<UpdateObject<Database, 'incidents'>, 'status' | 'id'>;
  details?: Record<string, unknown>;
  timeline?: TimelineEntry;
  /** Refused (LifeboatError) from any other status; `quiet`: null is returned instead. */
  quiet?: boolean;
  /** Only while the incident is this worker's. */
  owner?: string;
  /** Only while this holds of the locked row (the reaper: the execution is still lost). */
  when?: (row: { status: IncidentStatus; worker_id: string | null; heartbeat_at: Date | null }) => boolean;
  notify?: { type: DrType; facts: (row: { id: number }) => IncidentFacts };
  requestId?: string | null;
}

export interface IncidentTransitionResult {
  from: IncidentStatus;
  to: IncidentStatus;
  audit: { seq: number; hash: string };
}

export async function transitionIncident(
  db: Db,
  incidentId: number,
  t: IncidentTransition,
  also?: (trx: Transaction<Database>) => Promise<void>,
): Promise<IncidentTransitionResult | null> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('incidents')
      .select(['status', 'worker_id', 'heartbeat_at'])
      .where('id', '=', incidentId)
      .forUpdate()
      .executeTakeFirst();
    if (!row)
      throw new LifeboatError('not_found', `no incident ${incidentId}`, {
        hint: 'list incidents with `lifeboat dr list`',
      });
    const from = incidentStatusOf(row.status);
    const to = nextIncidentStatus(from, t.event);
    if (
      !to ||
      (t.owner !== undefined && row.worker_id !== null && row.worker_id !== t.owner) ||
      (t.when !== undefined && !t.when({ ...row, status: from }))
    ) {
      if (t.quiet) return null;
      const r = refusal(incidentId, from, t.event);
      throw new LifeboatError('invalid_transition', r.message, { hint: r.hint });
    }
    const u = await trx
      .updateTable('incidents')
      .set({ ...t.set, status: to })
      .where('id', '=', incidentId)
      .where('status', '=', from)
      .executeTakeFirst();
    if (Number(u.numUpdatedRows) !== 1)
      throw new LifeboatError('internal', `incident ${incidentId} changed while locked`);
    const audit = await recordAudit(trx, {
      actor: t.actor,
      action: `dr.${t.event}`,
      subjectType: 'incident',
      subjectId: String(incidentId),
      details: { from, to, ...t.details },
      requestId: t.requestId ?? null,
    });
    if (t.timeline) await addTimeline(trx, incidentId, t.timeline);
    if (t.notify) {
      await recordEvent(trx, {
        type: t.notify.type,
        data: t.notify.facts({ id: incidentId }),
        subjectType: 'incident',
        subjectId: String(incidentId),
      } as Parameters<typeof recordEvent>[1]);
    }
    await also?.(trx);
    return { from, to, audit };
  });
}
