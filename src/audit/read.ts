// Reading the audit trail: pages for the API, a streaming walk for export and verification.
import type { Selectable } from 'kysely';
import type { Db } from '../store/db.js';
import type { AuditEventTable } from '../store/schema.js';
import { type AuditOutcome, type ChainedEvent, type ChainVerdict, GENESIS_HASH, verifyChain } from './chain.js';

export type AuditEvent = ChainedEvent;

export function toEvent(r: Selectable<AuditEventTable>): AuditEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    outcome: r.outcome as AuditOutcome,
    details: r.details,
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export interface AuditPageQuery {
  after?: number;
  limit: number;
  since?: Date;
  subjectType?: string;
  subjectId?: string;
  actor?: string;
}

export async function auditPage(db: Db, q: AuditPageQuery): Promise<{ events: AuditEvent[]; next: number | null }> {
  let query = db
    .selectFrom('audit_events')
    .selectAll()
    .orderBy('seq', 'asc')
    .limit(q.limit + 1);
  if (q.after !== undefined) query = query.where('seq', '>', q.after);
  if (q.since) query = query.where('at', '>=', q.since);
  if (q.subjectType) query = query.where('subject_type', '=', q.subjectType);
  if (q.subjectId) query = query.where('subject_id', '=', q.subjectId);
  if (q.actor) query = query.where('actor', '=', q.actor);
  const rows = await query.execute();
  const events = rows.slice(0, q.limit).map(toEvent);
  return { events, next: rows.length > q.limit ? (events.at(-1)?.seq ?? null) : null };
}

/** Walks the whole trail in batches, oldest first. */
export async function* walkAudit(db: Db, opts: { since?: Date; batch?: number } = {}): AsyncGenerator<AuditEvent> {
  let after = 0;
  for (;;) {
    const page = await auditPage(db, { after, limit: opts.batch ?? 2000, since: opts.since });
    yield* page.events;
    if (page.next === null) return;
    after = page.next;
  }
}

/** Verifies the whole chain, batch by batch, in constant memory. */
export async function verifyAuditTrail(db: Db): Promise<ChainVerdict> {
  let state = { prevHash: GENESIS_HASH, lastSeq: 0 };
  let checked = 0;
  let after = 0;
  for (;;) {
    const page = await auditPage(db, { after, limit: 5000 });
    const v = verifyChain(page.events, state);
    checked += v.checked;
    if (!v.ok) return { ...v, checked };
    const last = page.events.at(-1);
    if (last) state = { prevHash: last.hash, lastSeq: last.seq };
    if (page.next === null) return { ok: true, checked, lastHash: state.prevHash };
    after = page.next;
  }
}
