// Journey 1 as the team hears it: a restore requested through the real CLI (--execute --wait) on a
// Lifeboat whose team notifies a Slack channel, a webhook and an email list; each channel gets
// submitted, started and completed, each once and in that order, with a link to the run; with an
// approval, the awaiting-approval message links to the run to approve, then approved, started, completed.
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import { lifeboat } from '../harness/cli.js';
import { backedUp, requestRestoreCli } from '../harness/runs.js';
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from './receivers.js';

const HOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SMTP_PASSWORD = 'smtp-pass-Jr55';

let servers: FixtureServers;
let http: HttpReceiver;
let smtp: SmtpReceiver;
beforeAll(async () => {
  servers = await startFixtureServers();
  http = await startHttpReceiver();
  smtp = await startSmtpReceiver({ user: 'lb', password: SMTP_PASSWORD });
});
afterAll(async () => {
  await http?.close();
  await smtp?.close();
});

describe('a restore run notifies its team', () => {
  test('submitted, started, completed: once each, in order, on every channel', async () => {
    const lb = await backedUp(
      servers,
      fixtureConfig({
        teamExtra: '    notify: [alpha-chat, alpha-hook, alpha-mail]',
        extra: `notifications:
  alpha-chat: { type: slack, url: env:ALPHA_SLACK_WEBHOOK }
  alpha-hook: { type: webhook, url: env:ALPHA_HOOK, secret: env:ALPHA_HOOK_SECRET }
  alpha-mail:
    type: email
    to: [alpha@example.com]
    smtp: { host: 127.0.0.1, port: ${smtp.port}, user: lb, password: env:SMTP_PASSWORD, ca: ${smtp.caFile} }
server: { public_url: "https://lifeboat.example" }`,
      }),
      {
        env: {
          ALPHA_SLACK_WEBHOOK: `${http.url}/slack/T1/B1/tok`,
          ALPHA_HOOK: `${http.url}/hook`,
          ALPHA_HOOK_SECRET: HOOK_SECRET,
          SMTP_PASSWORD,
        },
        dispatcher: { sweepMs: 200 },
      },
    );
    const r = await requestRestoreCli(lb, 'notified');
    expect(r.code).toBe(0);
    expect(r.run.status).toBe('completed');
    const id = r.run.id;
    const deadline = Date.now() + 20_000;
    let rows: Array<{ channel: string; event: string; status: string }> = [];
    while (Date.now() < deadline) {
      rows = await lb.store.db
        .selectFrom('notifications')
        .select(['channel', 'event', 'status'])
        .orderBy('id')
        .execute();
      if (rows.length === 9 && rows.every((x) => x.status === 'delivered')) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const order = ['restore.submitted', 'restore.started', 'restore.completed'];
    for (const channel of ['alpha-chat', 'alpha-hook', 'alpha-mail'])
      expect(rows.filter((x) => x.channel === channel).map((x) => [x.event, x.status])).toEqual(
        order.map((e) => [e, 'delivered']),
      );
    const slack = http.received
      .filter((x) => x.path === '/slack/T1/B1/tok')
      .map((x) => JSON.parse(x.body) as { text: string });
    expect(slack.map((m) => m.text.split(':')[0])).toEqual([
      `Restore #${id} of CustomerDB into dev-pg01/notified was submitted`,
      `Restore #${id} of CustomerDB into dev-pg01/notified started`,
      `Restore #${id} of CustomerDB into dev-pg01/notified completed`,
    ]);
    expect(slack[2]!.text).toContain(`<https://lifeboat.example/runs/${id}|Open the run>`);
    const hooks = http.received.filter((x) => x.path === '/hook');
    const verifier = new Webhook(HOOK_SECRET);
    expect(
      hooks.map((h) => (verifier.verify(h.body, h.headers as Record<string, string>) as { type: string }).type),
    ).toEqual(order);
    const completed = JSON.parse(hooks[2]!.body) as { data: { durationMs: number; run: number } };
    expect(completed.data.run).toBe(id);
    expect(completed.data.durationMs).toBeGreaterThan(0);
    // the requester is mailed with the team's list
    expect(smtp.mails.map((m) => m.to)).toEqual([
      ['alpha@example.com', 'jsmith@example.com'],
      ['alpha@example.com', 'jsmith@example.com'],
      ['alpha@example.com', 'jsmith@example.com'],
    ]);
    expect(smtp.mails[2]!.raw.replace(/\r\n[ \t]+/g, ' ')).toContain(
      `Subject: [Lifeboat] Restore #${id} of CustomerDB into dev-pg01/notified completed\r\n`,
    );
  });

  test('with an approval: awaiting approval (a link to approve), approved, started, completed', async () => {
    const lb = await backedUp(
      servers,
      fixtureConfig({
        approvals: 1,
        teamExtra: '    notify: [alpha-chat, alpha-card, alpha-hook]',
        extra: `notifications:
  alpha-chat: { type: slack, url: env:ALPHA_SLACK_WEBHOOK }
  alpha-card: { type: teams, url: env:ALPHA_TEAMS_WEBHOOK }
  alpha-hook: { type: webhook, url: env:ALPHA_HOOK, secret: env:ALPHA_HOOK_SECRET }
server: { public_url: "https://lifeboat.example" }`,
      }),
      {
        env: {
          ALPHA_SLACK_WEBHOOK: `${http.url}/slack/T2/B2/tok`,
          ALPHA_TEAMS_WEBHOOK: `${http.url}/workflows/approvals?sig=abc`,
          ALPHA_HOOK: `${http.url}/hook2`,
          ALPHA_HOOK_SECRET: HOOK_SECRET,
        },
        dispatcher: { sweepMs: 200 },
      },
    );
    const r = await requestRestoreCli(lb, 'approved_notified', { wait: false });
    expect(r.code).toBe(0);
    expect(r.run.status).toBe('pending_approval');
    const id = r.run.id;
    const approve = await lifeboat(['restore', 'approve', String(id), '--comment', 'ok'], {
      env: await lb.cliEnv('alice'),
    });
    expect(approve.code).toBe(0);
    const order = ['restore.submitted', 'restore.approved', 'restore.started', 'restore.completed'];
    const deadline = Date.now() + 60_000;
    let rows: Array<{ channel: string; event: string; status: string }> = [];
    while (Date.now() < deadline) {
      rows = await lb.store.db
        .selectFrom('notifications')
        .select(['channel', 'event', 'status'])
        .orderBy('id')
        .execute();
      if (rows.length === 3 * order.length && rows.every((x) => x.status === 'delivered')) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    for (const channel of ['alpha-chat', 'alpha-card', 'alpha-hook'])
      expect(rows.filter((x) => x.channel === channel).map((x) => [x.event, x.status])).toEqual(
        order.map((e) => [e, 'delivered']),
      );
    const slack = http.received
      .filter((x) => x.path === '/slack/T2/B2/tok')
      .map((x) => JSON.parse(x.body) as { text: string });
    expect(slack[0]!.text).toContain(
      `Restore #${id} of CustomerDB into dev-pg01/approved_notified is awaiting approval`,
    );
    expect(slack[0]!.text).toContain(`https://lifeboat.example/runs/${id}`);
    const cards = http.received.filter((x) => x.path.startsWith('/workflows/approvals'));
    expect(cards).toHaveLength(order.length);
    expect(cards[0]!.body).toContain('Review and approve');
    const hooks = http.received.filter((x) => x.path === '/hook2');
    const verifier = new Webhook(HOOK_SECRET);
    expect(
      hooks.map((h) => (verifier.verify(h.body, h.headers as Record<string, string>) as { type: string }).type),
    ).toEqual(order);
  });
});
