// `lifeboat notifications list|show|retry|test` through the real CLI and API: a message dead on a
// 410 is listed with --failed, shown with its attempts, sent again with the same key once the
// receiver is back; a test message reports the answer; only DBA admins act; no secret printed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { NotificationDetail, NotificationList } from '../../src/contract/notifications.js';
import { recordEvent } from '../../src/notify/events.js';
import { lifeboat } from '../harness/cli.js';
import { fixtureConfig } from '../harness/fixtures.js';
import { startTestLifeboat } from '../harness/lifeboat.js';
import { type HttpReceiver, startHttpReceiver } from './receivers.js';

const HOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let http: HttpReceiver;
beforeAll(async () => {
  http = await startHttpReceiver();
});
afterAll(async () => {
  await http?.close();
});

describe('lifeboat notifications', () => {
  test('list --failed, show, retry, test; refused to a developer; no secret printed', async () => {
    const hookUrl = `${http.url}/cli/hook/secret-path-Tq9`;
    const lb = await startTestLifeboat(
      fixtureConfig({
        teamExtra: '    notify: [alpha-hook]',
        extra: `notifications:
  alpha-hook: { type: webhook, url: env:ALPHA_HOOK, secret: env:ALPHA_HOOK_SECRET }`,
      }),
      {
        PROD_PG01_URL: 'postgres://x@127.0.0.1:1/x',
        DEV_PG01_URL: 'postgres://x@127.0.0.1:1/y',
        ALPHA_HOOK: hookUrl,
        ALPHA_HOOK_SECRET: HOOK_SECRET,
      },
      { worker: false, dispatcher: { sweepMs: 100 } },
    );
    http.script('/cli/hook/secret-path-Tq9', [{ status: 410, body: 'gone' }]);
    await lb.store.db.transaction().execute((trx) =>
      recordEvent(trx, {
        type: 'backup.failed',
        data: {
          backup: 'b1',
          database: 'CustomerDB',
          server: 'prod-pg01',
          status: 'failed',
          reason: 'disk full',
          actor: 'worker',
        },
        subjectType: 'backup',
        subjectId: 'b1',
      }),
    );
    const dana = await lb.cliEnv('dana');
    const deadline = Date.now() + 10_000;
    let list: NotificationList = { notifications: [] };
    while (Date.now() < deadline) {
      const r = await lifeboat(['notifications', 'list', '--failed', '--json'], { env: dana });
      expect(r.code).toBe(0);
      list = JSON.parse(r.stdout) as NotificationList;
      if (list.notifications.length === 1) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(list.notifications).toEqual([
      expect.objectContaining({
        status: 'dead',
        channel: 'alpha-hook',
        kind: 'webhook',
        event: 'backup.failed',
        subject: 'backup:b1',
        attempts: 1,
        lastError: 'HTTP 410: gone (the endpoint is gone)',
      }),
    ]);
    const id = list.notifications[0]!.id;
    const text = await lifeboat(['notifications', 'list', '--failed'], { env: dana });
    expect(text.stdout.split('\n')[1]).toBe(
      `${id}   dead    alpha-hook (webhook)  backup.failed  backup:b1  1/8       HTTP 410: gone (the endpoint is gone)`,
    );
    const shown = await lifeboat(['notifications', 'show', String(id), '--json'], { env: dana });
    const detail = JSON.parse(shown.stdout) as NotificationDetail;
    expect(detail.history.map((h) => [h.attempt, h.outcome, h.code])).toEqual([[1, 'dead', 410]]);
    // a developer may not look, nor retry
    const dev = await lifeboat(['notifications', 'list'], { env: await lb.cliEnv('jsmith') });
    expect(dev.code).toBe(3);
    const devRetry = await lifeboat(['notifications', 'retry', String(id)], { env: await lb.cliEnv('jsmith') });
    expect(devRetry.code).toBe(3);
    // the receiver is back: retry sends it again, with the same key
    const retried = await lifeboat(['notifications', 'retry', String(id)], { env: dana });
    expect(retried.stdout).toBe(`notification ${id} will be sent again to alpha-hook\n`);
    const again = await lifeboat(['notifications', 'retry', String(id)], { env: dana });
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(new RegExp(`unable to retry notification ${id}: it is (pending|delivered), not dead`));
    lb.dispatcher!.wake();
    const until = Date.now() + 10_000;
    let after: NotificationDetail = detail;
    while (Date.now() < until) {
      after = JSON.parse(
        (await lifeboat(['notifications', 'show', String(id), '--json'], { env: dana })).stdout,
      ) as NotificationDetail;
      if (after.status === 'delivered') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(after.status).toBe('delivered');
    const hits = http.received.filter((r) => r.path === '/cli/hook/secret-path-Tq9');
    expect(hits.map((h) => h.headers['webhook-id'])).toEqual([detail.idempotencyKey, detail.idempotencyKey]);
    // a test message, and its answer
    const t = await lifeboat(['notifications', 'test', 'alpha-hook'], { env: dana });
    expect(t.stdout).toBe('alpha-hook: accepted (200)\n');
    expect(t.code).toBe(0);
    http.script('/cli/hook/secret-path-Tq9', [], { status: 500, body: 'nope' });
    const bad = await lifeboat(['notifications', 'test', 'alpha-hook'], { env: dana });
    expect(bad.stdout).toBe('alpha-hook: not accepted (500): HTTP 500: nope\n');
    expect(bad.code).toBe(1);
    const unknown = await lifeboat(['notifications', 'test', 'nope'], { env: dana });
    expect(unknown.code).toBe(4);
    // nothing printed carries the secrets
    for (const out of [text.stdout, shown.stdout, JSON.stringify(list), t.stdout, bad.stdout, unknown.stderr]) {
      expect(out).not.toContain('secret-path-Tq9');
      expect(out).not.toContain(HOOK_SECRET);
    }
    const openapi = (await (await fetch(`${lb.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths).filter((p) => p.includes('notifications'))).toEqual([
      '/api/v1/notifications',
      '/api/v1/notifications/{id}',
      '/api/v1/notifications/{id}/retry',
      '/api/v1/notifications/test/{channel}',
    ]);
  });
});
