// A Lifeboat process killed with SIGKILL while it delivers a message (claimed, sent, no answer
// recorded): the restarted `lifeboat start` on the same data directory delivers it, with the same
// idempotency key, at once (its killed predecessor's claims are released by the reclaim).
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../../src/engines/postgres/local-cluster.js';
import { recordEvent } from '../../src/notify/events.js';
import { spawnLifeboat } from '../harness/cli.js';
import { harnessRoot } from '../harness/cluster.js';
import { fixtureConfig } from '../harness/fixtures.js';
import { startTestLifeboat } from '../harness/lifeboat.js';
import { type HttpReceiver, startHttpReceiver } from './receivers.js';

let http: HttpReceiver;
beforeAll(async () => {
  http = await startHttpReceiver();
});
afterAll(async () => {
  await http?.close();
});

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a Lifeboat killed while delivering', () => {
  test('the restarted process delivers the message, with the same key', async () => {
    const lb = await startTestLifeboat(
      fixtureConfig({
        teamExtra: '    notify: [alpha-hook]',
        extra: `notifications:
  alpha-hook: { type: webhook, url: env:ALPHA_HOOK }`,
      }),
      {
        PROD_PG01_URL: 'postgres://x@127.0.0.1:1/x',
        DEV_PG01_URL: 'postgres://x@127.0.0.1:1/y',
        ALPHA_HOOK: `${http.url}/crash/hook`,
      },
      { worker: false },
    );
    // the first request is held unanswered (the process dies with it in flight); later ones pass
    http.script('/crash/hook', [{ status: 200, delayMs: 120_000 }]);
    const dataDir = join(mkdtempSync(join(harnessRoot(), 'notify-')), '.lifeboat');
    const env = { ...(await lb.cliEnv('dana')), LIFEBOAT_LOG_LEVEL: 'info' };
    const start = async () => {
      const d = spawnLifeboat(['start', '--data-dir', dataDir, '--port', String(await freePort())], { env });
      await d.waitFor(/worker started/, 60_000);
      return d;
    };
    const first = await start();
    await lb.store.db.transaction().execute((trx) =>
      recordEvent(trx, {
        type: 'backup.failed',
        data: { backup: 'b1', database: 'CustomerDB', server: 'prod-pg01', status: 'failed', reason: 'x', actor: 'w' },
        subjectType: 'backup',
        subjectId: 'b1',
      }),
    );
    // only the backup.failed message: the SLO evaluator of the started process may notify the same
    // team channel (no backup of CustomerDB within its rpo) when its minute comes round
    const hook = () => http.received.filter((r) => r.path === '/crash/hook' && r.body.includes('"backup.failed"'));
    await until('the first attempt to reach the receiver', () => hook().length === 1);
    first.child.kill('SIGKILL');
    await first.exited();
    const failed = () =>
      lb.store.db
        .selectFrom('notifications')
        .selectAll()
        .where('event', '=', 'backup.failed')
        .executeTakeFirstOrThrow();
    const claimed = await failed();
    expect(claimed).toMatchObject({ status: 'pending', attempts: 1 });
    expect(claimed.claimed_until).not.toBeNull();

    const second = await start();
    try {
      await until(
        'delivery after the restart',
        async () => {
          return (await failed()).status === 'delivered';
        },
        30_000,
      );
      expect(hook().map((h) => h.headers['webhook-id'])).toEqual([claimed.idempotency_key, claimed.idempotency_key]);
      expect(await failed()).toMatchObject({
        status: 'delivered',
        attempts: 2,
        idempotency_key: claimed.idempotency_key,
      });
    } finally {
      second.child.kill('SIGTERM');
      await second.exited();
    }
  });
});
