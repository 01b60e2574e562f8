// The outbox in the store. Three steps, each its own short transaction, so that a process killed
// between any two loses nothing:
//   1. route: events not routed yet become one message per channel (route.ts), rendered once and
//      stored with their idempotency key; the event is marked routed in the same transaction.
//   2. claim: due messages are leased to this dispatcher (`FOR UPDATE SKIP LOCKED`, then
//      `claimed_until`, `claimed_by`), never one while an earlier message of the same subject waits on the same
//      channel (a run's messages arrive in order). A dispatcher that dies holding a lease only
//      delays its messages until the lease ends, or until its worker is known stopped.
//   3. record: the attempt's outcome — delivered, retried later (backoff, or Retry-After), or dead
//      (the endpoint is gone, or max attempts reached). A message is marked delivered only after
//      the receiver accepted it: at least once, and exactly once barring a crash in between.
import { sql } from 'kysely';
import type { Catalog } from '../catalog/types.js';
import type { Db } from '../store/db.js';
import type { NotifyEvent, NotifyType } from './events.js';
import type { Outcome } from './classify.js';
import { backoffMs, type BackoffPolicy } from './retry.js';
import { outboxMessages } from './route.js';

/** Serializes routing across processes, so events are routed (and their messages numbered) in order. */
const ROUTE_LOCK = 0x6c62_6e6f; // "lbno"

export type NotificationStatus = 'pending' | 'delivered' | 'dead';

export interface ClaimedMessage {
  id: number;
  key: string;
  channel: string;
  kind: string;
  event: string;
  subject: string;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
}

/** Routes up to `limit` events; resolves with how many were routed. */
export async function routePending(db: Db, catalog: Catalog, publicUrl: string, limit = 100): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${ROUTE_LOCK})`.execute(trx);
    const events = await trx
      .selectFrom('notification_events')
      .selectAll()
      .where('routed_at', 'is', null)
      .orderBy('id')
      .limit(limit)
      .execute();
    for (const e of events) {
      const event = {
        id: Number(e.id),
        type: e.type as NotifyType,
        subject: `${e.subject_type}:${e.subject_id}`,
        data: e.data,
        createdAt: new Date(e.created_at),
      } as unknown as NotifyEvent;
      const messages = outboxMessages(event, catalog, publicUrl);
      if (messages.length > 0) {
        await trx
          .insertInto('notifications')
          .values(
            messages.map((m) => ({
              event_id: event.id,
              idempotency_key: m.key,
              channel: m.channel,
              kind: m.kind,
              event: m.event,
              subject: m.subject,
              payload: JSON.stringify(m.payload),
              max_attempts: m.maxAttempts,
              next_attempt_at: new Date(e.created_at),
            })),
          )
          .onConflict((oc) => oc.column('idempotency_key').doNothing())
          .execute();
      }
      await trx.updateTable('notification_events').set({ routed_at: new Date() }).where('id', '=', e.id).execute();
    }
    return events.length;
  });
}

/** Leases up to `limit` due messages for `leaseMs`; each claim counts as an attempt. */
export async function claimDue(
  db: Db,
  opts: { now: Date; leaseMs: number; limit: number; claimer?: string },
): Promise<ClaimedMessage[]> {
  const until = new Date(opts.now.getTime() + opts.leaseMs);
  const rows = await sql<{
    id: number;
    idempotency_key: string;
    channel: string;
    kind: string;
    event: string;
    subject: string;
    payload: unknown;
    attempts: number;
    max_attempts: number;
  }>`
    update notifications n set claimed_until = ${until}, claimed_by = ${opts.claimer ?? null}, attempts = n.attempts + 1
    where n.id in (
      select c.id from notifications c
      where c.status = 'pending' and c.next_attempt_at <= ${opts.now}
        and (c.claimed_until is null or c.claimed_until <= ${opts.now}
             or c.claimed_by in (select w.id from workers w where w.stopped_at is not null))
        and not exists (
          select 1 from notifications p
          where p.channel = c.channel and p.subject = c.subject and p.status = 'pending' and p.event_id < c.event_id)
      order by c.id
      limit ${opts.limit}
      for update skip locked)
    returning n.id, n.idempotency_key, n.channel, n.kind, n.event, n.subject, n.payload, n.attempts, n.max_attempts`.execute(
    db,
  );
  return rows.rows
    .map((r) => ({
      id: Number(r.id),
      key: r.idempotency_key,
      channel: r.channel,
      kind: r.kind,
      event: r.event,
      subject: r.subject,
      payload: r.payload,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
    }))
    .sort((a, b) => a.id - b.id);
}

export interface HistoryEntry {
  at: string;
  attempt: number;
  outcome: Outcome['outcome'];
  code?: number;
  error?: string;
}

/** The next state of a message after an attempt (pure). */
export function afterAttempt(
  m: { attempts: number; maxAttempts: number },
  outcome: Outcome,
  now: Date,
  backoff: BackoffPolicy,
  random: number,
): { status: NotificationStatus; nextAttemptAt?: Date; error?: string } {
  switch (outcome.outcome) {
    case 'delivered':
      return { status: 'delivered' };
    case 'dead':
      return { status: 'dead', error: outcome.why };
    case 'retry': {
      if (m.attempts >= m.maxAttempts) {
        return { status: 'dead', error: `${outcome.why} (gave up after ${m.attempts} attempts)` };
      }
      const delay = outcome.retryAfterMs ?? backoffMs(m.attempts, backoff, random);
      return { status: 'pending', nextAttemptAt: new Date(now.getTime() + delay), error: outcome.why };
    }
    default: {
      const never: never = outcome;
      return never;
    }
  }
}

/** Records an attempt of a claimed message. */
export async function recordAttempt(
  db: Db,
  m: ClaimedMessage,
  attempt: { outcome: Outcome; code?: number },
  next: ReturnType<typeof afterAttempt>,
  now: Date,
): Promise<void> {
  const entry: HistoryEntry = {
    at: now.toISOString(),
    attempt: m.attempts,
    outcome: next.status === 'dead' && attempt.outcome.outcome === 'retry' ? 'dead' : attempt.outcome.outcome,
    ...(attempt.code === undefined ? {} : { code: attempt.code }),
    ...(next.error === undefined ? {} : { error: next.error }),
  };
  await db
    .updateTable('notifications')
    .set({
      status: next.status,
      claimed_until: null,
      claimed_by: null,
      ...(next.nextAttemptAt ? { next_attempt_at: next.nextAttemptAt } : {}),
      ...(next.status === 'delivered' ? { delivered_at: now, last_error: null } : { last_error: next.error ?? null }),
      history: sql`history || ${JSON.stringify([entry])}::jsonb`,
    })
    .where('id', '=', m.id)
    .execute();
}

/**
 * The earliest time a pending message is due (to sleep until then), if any. A message held back
 * by an earlier one of its subject on its channel is not due before that one is settled.
 */
export async function nextDue(db: Db): Promise<Date | undefined> {
  const r = await sql<{ due: Date | null }>`
    select min(greatest(c.next_attempt_at, c.claimed_until)) as due from notifications c
    where c.status = 'pending'
      and not exists (
        select 1 from notifications p
        where p.channel = c.channel and p.subject = c.subject and p.status = 'pending' and p.event_id < c.event_id)`.execute(
    db,
  );
  const due = r.rows[0]?.due;
  return due ? new Date(due) : undefined;
}
