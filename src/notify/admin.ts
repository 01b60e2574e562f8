// Operating the outbox: list messages, show one with its attempts, send a dead one again, and
// send a test message to a channel and report the answer. What is shown is what is stored:
// payloads and errors that never held a secret.
import { randomUUID } from 'node:crypto';
import { recordAuditAlone } from '../audit/record.js';
import type { Catalog } from '../catalog/types.js';
import type { NotificationDetail, NotificationDoc, NotificationTestResponse } from '../contract/notifications.js';
import { LifeboatError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { NotificationTable } from '../store/schema.js';
import type { Selectable } from 'kysely';
import type { HistoryEntry, NotificationStatus } from './outbox.js';
import { catalogSecrets, composeMessage } from './message.js';
import { renderFor, routeEvent } from './route.js';
import { sendMessage } from './send.js';

type Row = Selectable<NotificationTable>;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function doc(r: Row): NotificationDoc {
  return {
    id: Number(r.id),
    status: r.status as NotificationStatus,
    channel: r.channel,
    kind: r.kind as NotificationDoc['kind'],
    event: r.event,
    subject: r.subject,
    idempotencyKey: r.idempotency_key,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
    lastError: r.last_error,
    deliveredAt: iso(r.delivered_at),
    createdAt: iso(r.created_at)!,
  };
}

export async function listNotifications(
  db: Db,
  q: { status?: NotificationStatus; limit: number },
): Promise<NotificationDoc[]> {
  let query = db.selectFrom('notifications').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.status) query = query.where('status', '=', q.status);
  return (await query.execute()).map(doc);
}

export async function showNotification(db: Db, id: number): Promise<NotificationDetail> {
  const r = await db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) {
    throw new LifeboatError('not_found', `no notification ${id}`, {
      hint: 'list them with `lifeboat notifications list`',
    });
  }
  return { ...doc(r), history: r.history as HistoryEntry[], payload: r.payload };
}

/** A dead message is sent again, as it was (same key), with its attempts counted anew. */
export async function retryNotification(
  db: Db,
  id: number,
  by: { actor: string; requestId?: string },
): Promise<NotificationDoc> {
  const r = await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('notifications').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) {
      throw new LifeboatError('not_found', `no notification ${id}`, {
        hint: 'list them with `lifeboat notifications list --failed`',
      });
    }
    if (row.status !== 'dead') {
      throw new LifeboatError('conflict', `unable to retry notification ${id}: it is ${row.status}, not dead`, {
        hint:
          row.status === 'pending'
            ? 'it is still being retried; see `lifeboat notifications show <id>`'
            : 'it was delivered; nothing to send again',
      });
    }
    return trx
      .updateTable('notifications')
      .set({ status: 'pending', attempts: 0, next_attempt_at: new Date(), claimed_until: null })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  await recordAuditAlone(db, {
    actor: by.actor,
    action: 'notification.retry',
    subjectType: 'notification',
    subjectId: String(id),
    details: { channel: r.channel, event: r.event },
    requestId: by.requestId ?? null,
  });
  return doc(r);
}

/** Sends a test message to `channel` now (not through the outbox) and says what the answer meant. */
export async function sendTestNotification(
  deps: { db: Db; catalog: Catalog; publicUrl: string },
  channelName: string,
  by: { actor: string; requestId?: string },
): Promise<NotificationTestResponse> {
  const { catalog } = deps;
  const channel = catalog.notifications[channelName];
  if (!channel) {
    const known = Object.keys(catalog.notifications);
    throw new LifeboatError('not_found', `no notification channel ${channelName} in lifeboat.yaml`, {
      hint: known.length ? `configured channels: ${known.join(', ')}` : 'define channels under notifications:',
    });
  }
  const facts = { type: 'lifeboat.test' as const, data: { channel: channelName, actor: by.actor } };
  const message = composeMessage(facts, { catalog, publicUrl: catalog.publicUrl ?? deps.publicUrl });
  const key = `msg_test_${randomUUID().replace(/-/g, '')}`;
  const [route] = routeEvent(facts, catalog);
  const payload = renderFor(
    channel,
    route?.to,
    message,
    key,
    { createdAt: new Date(), data: facts.data },
    catalogSecrets(catalog),
  );
  const attempt = await sendMessage(channel, { key, payload }, { timeoutMs: 10_000, now: () => new Date() });
  const status: NotificationStatus = attempt.outcome.outcome === 'delivered' ? 'delivered' : 'dead';
  await recordAuditAlone(deps.db, {
    actor: by.actor,
    action: 'notification.test',
    subjectType: 'notification',
    subjectId: channelName,
    outcome: status === 'delivered' ? 'success' : 'failure',
    details: { channel: channelName, ...(attempt.code === undefined ? {} : { code: attempt.code }) },
    requestId: by.requestId ?? null,
  });
  const entry: HistoryEntry = {
    at: new Date().toISOString(),
    attempt: 1,
    outcome: attempt.outcome.outcome,
    ...(attempt.code === undefined ? {} : { code: attempt.code }),
    ...(attempt.outcome.outcome === 'delivered' ? {} : { error: attempt.outcome.why }),
  };
  return { channel: channelName, status, attempt: entry };
}
