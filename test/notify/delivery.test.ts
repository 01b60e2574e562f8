// Delivery from the outbox against real peers on loopback: an HTTP server posing as Slack, Teams
// and a webhook receiver, and an SMTP server with STARTTLS and authentication. Faults: 500 then
// 200, 429 with Retry-After, 410, a receiver down then up, attempts exhausted, a dispatcher that
// died holding its claim. No secret in the outbox, the logs or anything delivered.
import { Writable } from 'node:stream';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/catalog/load.js';
import type { Catalog } from '../../src/catalog/types.js';
import { createLogger } from '../../src/lib/logger.js';
import { startDispatcher, type DispatcherOptions } from '../../src/notify/dispatcher.js';
import { type NotifyType, recordEvent, type RunFacts } from '../../src/notify/events.js';
import { claimDue, nextDue, recordAttempt, routePending } from '../../src/notify/outbox.js';
import { freshStore, type TestStore } from '../harness/store.js';
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from './receivers.js';

const HOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SMTP_PASSWORD = 'smtp-pass-Zq81x';
const SLACK_TOKEN = 'slack-token-Hq7Ws2';
const TEAMS_SIG = 'teams-sig-Pz3Kd9';

let http: HttpReceiver;
let smtp: SmtpReceiver;
beforeAll(async () => {
  http = await startHttpReceiver();
  smtp = await startSmtpReceiver({ user: 'lb', password: SMTP_PASSWORD });
});
afterAll(async () => {
  await http?.close();
  await smtp?.close();
});

interface Setup {
  store: TestStore;
  catalog: Catalog;
  logs: string[];
  secrets: string[];
  start(opts?: DispatcherOptions): ReturnType<typeof startDispatcher>;
}

/** A fresh store and a configuration whose channels (named in `notify`) post under `/<tag>/`. */
async function setup(
  tag: string,
  notify: string[],
  extra: { hookMax?: number; hookUrl?: string } = {},
): Promise<Setup> {
  const env = {
    PG: 'postgres://lb:pg-pass-Nn4@127.0.0.1/x',
    SLACK: `${http.url}/${tag}/slack/T0/B0/${SLACK_TOKEN}`,
    TEAMS: `${http.url}/${tag}/teams?sig=${TEAMS_SIG}`,
    HOOK: extra.hookUrl ?? `${http.url}/${tag}/hook`,
    HOOK_SECRET,
    SMTP_PASSWORD,
  };
  const yaml = `version: 1
teams:
  team-alpha: { members: [jsmith], approvers: [alice], notify: [${notify.join(', ')}] }
users:
  jsmith: { email: jsmith@example.com, roles: [developer] }
  alice:  { email: alice@example.com,  roles: [db-owner] }
  dana:   { email: dana@example.com,   roles: [dba-admin] }
servers:
  prod-pg01: { engine: postgres, tier: production,  url: env:PG }
notifications:
  chat: { type: slack, url: env:SLACK }
  card: { type: teams, url: env:TEAMS }
  hook: { type: webhook, url: env:HOOK, secret: env:HOOK_SECRET, max_attempts: ${extra.hookMax ?? 8} }
  mail:
    type: email
    to: [alpha@example.com]
    from: lifeboat@example.com
    smtp: { host: 127.0.0.1, port: ${smtp.port}, user: lb, password: env:SMTP_PASSWORD, ca: ${smtp.caFile} }
server: { public_url: "https://lifeboat.example" }
`;
  const catalog = parseConfig(yaml, { baseDir: '/tmp', env });
  const store = await freshStore();
  const logs: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(chunk.toString());
        cb();
      },
    }),
  });
  const started: Array<ReturnType<typeof startDispatcher>> = [];
  afterAll(async () => {
    for (const d of started) await d.stop();
  });
  return {
    store,
    catalog,
    logs,
    secrets: [HOOK_SECRET, SMTP_PASSWORD, SLACK_TOKEN, TEAMS_SIG, 'pg-pass-Nn4', env.SLACK, env.TEAMS],
    start(opts = {}) {
      const d = startDispatcher(
        { db: store.db, catalog, defaultPublicUrl: 'http://unused', logger },
        { sweepMs: 100, backoff: { baseMs: 100, capMs: 400 }, timeoutMs: 2000, ...opts },
      );
      started.push(d);
      return d;
    },
  };
}

function runFacts(over: Partial<RunFacts> = {}): RunFacts {
  return {
    run: 42,
    status: 'completed',
    database: 'CustomerDB',
    team: 'team-alpha',
    source: 'prod-pg01',
    destination: 'dev-pg01/customer',
    tier: 'development',
    requester: 'jsmith',
    actor: 'worker',
    backupId: null,
    pointInTime: null,
    justification: null,
    approvalsRequired: 1,
    startAt: null,
    durationMs: 61_000,
    error: null,
    errorStep: null,
    ...over,
  };
}

async function record(s: Setup, type: NotifyType, over: Partial<RunFacts> = {}): Promise<void> {
  await s.store.db
    .transaction()
    .execute((trx) =>
      recordEvent(trx, { type, data: runFacts(over), subjectType: 'run', subjectId: String(over.run ?? 42) } as never),
    );
}

async function rows(s: Setup) {
  return s.store.db.selectFrom('notifications').selectAll().orderBy('id').execute();
}

/** Waits until `done` holds of the outbox rows (polling with a deadline). */
async function until(s: Setup, done: (r: Awaited<ReturnType<typeof rows>>) => boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await rows(s);
    if (done(r)) return r;
    if (Date.now() > deadline)
      throw new Error(
        `outbox not settled: ${JSON.stringify(r.map((x) => [x.channel, x.status, x.attempts, x.last_error]))}`,
      );
    await new Promise((res) => setTimeout(res, 50));
  }
}

const settled = (r: Array<{ status: string }>) => r.length > 0 && r.every((x) => x.status !== 'pending');

function expectNoSecrets(s: Setup, ...texts: string[]) {
  for (const text of texts) for (const secret of s.secrets) expect(text).not.toContain(secret);
}

describe('delivery to every channel', () => {
  test('Slack, Teams, a signed webhook and an email (STARTTLS, authenticated), once each, no secret anywhere', async () => {
    const s = await setup('all', ['chat', 'card', 'mail', 'hook']);
    await record(s, 'restore.failed', {
      status: 'failed',
      error: 'pg_restore: connection to postgres://lb:pg-pass-Nn4@127.0.0.1/x refused',
      errorStep: 'restore',
    });
    s.start();
    const done = await until(s, settled);
    expect(done.map((r) => [r.channel, r.kind, r.event, r.status, r.attempts])).toEqual([
      ['chat', 'slack', 'restore.failed', 'delivered', 1],
      ['card', 'teams', 'restore.failed', 'delivered', 1],
      ['mail', 'email', 'restore.failed', 'delivered', 1],
      ['hook', 'webhook', 'restore.failed', 'delivered', 1],
    ]);
    const got = (p: string) => http.received.filter((r) => r.path.startsWith(`/all/${p}`));
    // Slack
    const [slack] = got('slack');
    expect(got('slack')).toHaveLength(1);
    expect(slack!.headers['content-type']).toBe('application/json');
    const sb = JSON.parse(slack!.body) as { text: string; blocks: Array<{ type: string }> };
    expect(sb.text).toMatch(/^Restore #42 of CustomerDB into dev-pg01\/customer failed: /);
    expect(sb.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'actions', 'context']);
    expect(slack!.body).toContain('https://lifeboat.example/runs/42');
    // Teams
    expect(got('teams')).toHaveLength(1);
    const tb = JSON.parse(got('teams')[0]!.body) as {
      type: string;
      attachments: Array<{ contentType: string; content: { type: string; version: string } }>;
    };
    expect(tb.type).toBe('message');
    expect(tb.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(tb.attachments[0]!.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    // the webhook, verified by an independent implementation of Standard Webhooks
    const [hook] = got('hook');
    expect(got('hook')).toHaveLength(1);
    const verified = new Webhook(HOOK_SECRET).verify(hook!.body, hook!.headers as Record<string, string>) as {
      version: number;
      type: string;
      id: string;
      data: { run: number; error: string };
    };
    expect(verified).toMatchObject({ version: 1, type: 'restore.failed', id: done[3]!.idempotency_key });
    expect(hook!.headers['webhook-id']).toBe(done[3]!.idempotency_key);
    expect(verified.data.error).toBe('pg_restore: connection to postgres://lb:***@127.0.0.1/x refused');
    // the email: to the channel's list, the requester and the DBAs; TLS and login; two parts
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.to).toEqual(['alpha@example.com', 'jsmith@example.com', 'dana@example.com']);
    expect(mail.from).toBe('lifeboat@example.com');
    expect(mail.secured).toBe(true);
    expect(mail.user).toBe('lb');
    expect(mail.raw).toContain(`Message-ID: <${done[2]!.idempotency_key}@lifeboat>`);
    expect(mail.raw).toMatch(/Content-Type: multipart\/alternative/);
    expect(mail.raw).toMatch(/Content-Type: text\/plain/);
    expect(mail.raw).toMatch(/Content-Type: text\/html/);
    expect(mail.raw.replace(/\r\n[ \t]+/g, ' ')).toContain(
      'Subject: [Lifeboat] FAILED: Restore #42 of CustomerDB into dev-pg01/customer failed\r\n',
    );
    // no secret in what was delivered, what is stored, or what was logged
    expectNoSecrets(
      s,
      ...http.received.filter((r) => r.path.startsWith('/all/')).map((r) => r.body + JSON.stringify({ ...r.headers })),
      mail.raw,
      JSON.stringify(done),
      JSON.stringify(await s.store.db.selectFrom('notification_events').selectAll().execute()),
      s.logs.join(''),
    );
    expect(s.logs.join('')).toContain('notification delivered');
  });
});

describe('faults', () => {
  test('500 then 200: delivered on the second attempt, with the same webhook-id, each attempt signed', async () => {
    const s = await setup('flaky', ['hook']);
    http.script('/flaky/hook', [{ status: 500, body: 'oops' }]);
    await record(s, 'restore.completed');
    s.start();
    const [row] = await until(s, settled);
    expect(row).toMatchObject({ status: 'delivered', attempts: 2, last_error: null });
    expect((row!.history as Array<{ outcome: string; code: number }>).map((h) => [h.outcome, h.code])).toEqual([
      ['retry', 500],
      ['delivered', 200],
    ]);
    const hits = http.received.filter((r) => r.path === '/flaky/hook');
    expect(hits.map((h) => h.headers['webhook-id'])).toEqual([row!.idempotency_key, row!.idempotency_key]);
    for (const h of hits) new Webhook(HOOK_SECRET).verify(h.body, h.headers as Record<string, string>);
  });

  test('429 with Retry-After: the next attempt waits as long as asked', async () => {
    const s = await setup('busy', ['chat']);
    http.script('/busy/slack/T0/B0/' + SLACK_TOKEN, [
      { status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } },
    ]);
    await record(s, 'restore.started', { status: 'running' });
    s.start();
    const [row] = await until(s, settled);
    expect(row).toMatchObject({ status: 'delivered', attempts: 2 });
    const hits = http.received.filter((r) => r.path.startsWith('/busy/'));
    expect(hits).toHaveLength(2);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(950);
  });

  test('410 from Slack: dead at once, never retried, with why', async () => {
    const s = await setup('gone', ['chat']);
    http.script('/gone/slack/T0/B0/' + SLACK_TOKEN, [], { status: 410, body: 'channel_is_archived' });
    await record(s, 'restore.completed');
    s.start();
    const [row] = await until(s, settled);
    expect(row).toMatchObject({
      status: 'dead',
      attempts: 1,
      last_error: 'HTTP 410: channel_is_archived (the endpoint is gone)',
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(http.received.filter((r) => r.path.startsWith('/gone/'))).toHaveLength(1);
  });

  test('attempts exhausted: dead-lettered after max_attempts', async () => {
    const s = await setup('down5xx', ['hook'], { hookMax: 3 });
    http.script('/down5xx/hook', [], { status: 503, body: 'maintenance' });
    await record(s, 'restore.completed');
    s.start();
    const [row] = await until(s, settled);
    expect(row).toMatchObject({
      status: 'dead',
      attempts: 3,
      last_error: 'HTTP 503: maintenance (gave up after 3 attempts)',
    });
  });

  test('a receiver down for a while gets the message once it is back', async () => {
    const probe = await startHttpReceiver();
    const port = probe.port;
    await probe.close();
    const s = await setup('later', ['hook'], { hookUrl: `http://127.0.0.1:${port}/later/hook` });
    await record(s, 'restore.completed');
    s.start();
    await until(s, (r) => r[0] !== undefined && r[0].attempts >= 2);
    const [before] = await rows(s);
    expect(before).toMatchObject({ status: 'pending', last_error: 'connection failed: ECONNREFUSED' });
    const back = await startHttpReceiver(port);
    try {
      const [row] = await until(s, settled);
      expect(row!.status).toBe('delivered');
      expect(back.received).toHaveLength(1);
      expect(back.received[0]!.headers['webhook-id']).toBe(row!.idempotency_key);
    } finally {
      await back.close();
    }
  });

  test("a dispatcher that died after claiming: another delivers once the claim's lease ends, with the same key", async () => {
    const s = await setup('crash', ['hook']);
    await record(s, 'restore.completed');
    await routePending(s.store.db, s.catalog, 'https://lifeboat.example');
    // the claim of a dispatcher killed before it could send
    const [claimed] = await claimDue(s.store.db, { now: new Date(), leaseMs: 1000, limit: 10 });
    expect(claimed).toBeDefined();
    const t0 = Date.now();
    s.start({ timeoutMs: 200, leaseMs: 400 });
    const [row] = await until(s, settled);
    const hits = http.received.filter((r) => r.path === '/crash/hook');
    expect(hits).toHaveLength(1);
    expect(hits[0]!.at - t0).toBeGreaterThanOrEqual(900);
    expect(hits[0]!.headers['webhook-id']).toBe(claimed!.key);
    // the dead dispatcher's claim counted as an attempt
    expect(row).toMatchObject({ status: 'delivered', attempts: 2, idempotency_key: claimed!.key });
  });

  test("a run's messages reach a channel in order, a failing earlier one holding back the later", async () => {
    const s = await setup('order', ['hook']);
    http.script('/order/hook', [{ status: 500 }, { status: 500 }]);
    await record(s, 'restore.started', { status: 'running' });
    await record(s, 'restore.completed');
    await record(s, 'restore.started', { status: 'running', run: 43 });
    s.start();
    await until(s, settled);
    const types = http.received
      .filter((r) => r.path === '/order/hook')
      .map((r) => {
        const b = JSON.parse(r.body) as { type: string; data: { run: number } };
        return `${b.data.run} ${b.type}`;
      });
    // run 42's completion is sent only once its start was accepted (after the 500s), and once
    const of42 = types.filter((t) => t.startsWith('42'));
    expect(of42.at(-1)).toBe('42 restore.completed');
    expect(of42.slice(0, -1).every((t) => t === '42 restore.started')).toBe(true);
    expect(of42.length).toBeGreaterThanOrEqual(2);
    expect(types.filter((t) => t === '43 restore.started').length).toBeGreaterThanOrEqual(1);
    expect((await rows(s)).map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  test('a slow receiver delays no state change: the event is written while a delivery hangs', async () => {
    const s = await setup('slow', ['hook']);
    http.script('/slow/hook', [{ status: 200, delayMs: 3000 }]);
    await record(s, 'restore.started', { status: 'running' });
    s.start();
    await until(s, (r) => r.length === 1 && r[0]!.attempts === 1);
    await new Promise((r) => setTimeout(r, 100)); // (the request is in flight, held by the receiver)
    const t0 = Date.now();
    await record(s, 'restore.completed');
    expect(Date.now() - t0).toBeLessThan(1000);
    const done = await until(s, (r) => r.length === 2 && settled(r));
    expect(done.map((r) => [r.event, r.status])).toEqual([
      ['restore.started', 'delivered'],
      ['restore.completed', 'delivered'],
    ]);
  });

  test('a message held back by an earlier one is not due before it (the dispatcher sleeps, never spins)', async () => {
    const s = await setup('due', ['hook']);
    await record(s, 'restore.started', { status: 'running' });
    await record(s, 'restore.completed');
    await routePending(s.store.db, s.catalog, 'https://lifeboat.example');
    const now = new Date();
    const [first] = await claimDue(s.store.db, { now, leaseMs: 1000, limit: 10 });
    expect(first!.event).toBe('restore.started'); // (the completion is held back: not claimed)
    const later = new Date(now.getTime() + 3_600_000);
    await recordAttempt(
      s.store.db,
      first!,
      { outcome: { outcome: 'retry', why: 'HTTP 500' }, code: 500 },
      { status: 'pending', nextAttemptAt: later, error: 'HTTP 500' },
      now,
    );
    expect(await nextDue(s.store.db)).toEqual(later);
    expect(await claimDue(s.store.db, { now: new Date(), leaseMs: 1000, limit: 10 })).toEqual([]);
  });
});
