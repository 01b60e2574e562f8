// The notifications outbox (src/notify/). A state change that notifies writes one
// `notification_events` row in its own transaction (what happened, to what, with the facts a
// message needs — never a secret). The dispatcher routes each event to channels with the
// configuration in force and writes one `notifications` row per channel: the message as it will
// be sent (rendered once, so a retry sends the same content), its idempotency key, and its
// delivery state. Inserting an event wakes the dispatchers through the change feed.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notification_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // restore.completed, backup.failed, …
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // set once its messages are written (routing happens once per event)
    .addColumn('routed_at', 'timestamptz')
    .execute();
  await sql`create index notification_events_unrouted on notification_events (id) where routed_at is null`.execute(db);
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('event_id', 'int8', (c) => c.notNull().references('notification_events.id'))
    // stable per message: the webhook-id, the email Message-ID, the Slack/Teams metadata
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('channel', 'text', (c) => c.notNull())
    // slack | teams | email | webhook
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    // `run:42`, `backup:<id>`: messages of one subject on one channel are delivered in order
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'delivered', 'dead')`),
    )
    .addColumn('attempts', 'int4', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'int4', (c) => c.notNull())
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // a dispatcher that claimed the message delivers it before then, or another one takes it
    .addColumn('claimed_until', 'timestamptz')
    // the worker whose dispatcher holds the claim: once that worker is known stopped (a restarted
    // `lifeboat start` reclaims its killed predecessor), its claims are taken at once
    .addColumn('claimed_by', 'text')
    .addColumn('last_error', 'text')
    // every attempt: when, the answer's status code, the (redacted) error
    .addColumn('history', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index notifications_due on notifications (next_attempt_at) where status = 'pending'`.execute(db);
  await sql`create index notifications_order on notifications (channel, subject, event_id) where status = 'pending'`.execute(
    db,
  );
  // wakes the dispatchers (src/store/changes.ts) when the event's transaction commits
  await sql`
    create function lifeboat_notify_outbox() returns trigger language plpgsql as $$
    begin
      perform pg_notify('lifeboat_changes', 'outbox:new');
      return null;
    end
    $$`.execute(db);
  await sql`create trigger notification_events_added after insert on notification_events
    for each statement execute function lifeboat_notify_outbox()`.execute(db);
  await sql`create trigger notifications_added after insert or update of next_attempt_at on notifications
    for each statement execute function lifeboat_notify_outbox()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notifications').execute();
  await db.schema.dropTable('notification_events').execute();
  await sql`drop function lifeboat_notify_outbox()`.execute(db);
}
