// A drill's verdict is heard (drill.passed, drill.failed through the outbox, by real HTTP
// receivers, each once); a drill can be cancelled queued or running (its scratch database
// dropped, the cancel audited); a drill whose worker process is killed is failed as "worker
// lost" by the next worker's reaper, which drops its scratch database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillDetail } from '../../src/contract/drills.js';
import { type Daemon, lifeboat, spawnLifeboat, stopDaemons } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import { startTestLifeboat, type TestLifeboat } from '../harness/lifeboat.js';
import { backedUp, backUpAgain } from '../harness/runs.js';
import { type HttpReceiver, startHttpReceiver } from '../notify/receivers.js';

let servers: FixtureServers;
let http: HttpReceiver;
beforeAll(async () => {
  servers = await startFixtureServers();
  http = await startHttpReceiver();
});
afterAll(async () => {
  await http?.close();
});

async function dbExists(name: string): Promise<boolean> {
  const r = await servers.dev.query<{ n: string }>(
    'postgres',
    `select count(*) as n from pg_database where datname = '${name}'`,
  );
  return Number(r[0]!.n) === 1;
}

/** Polls `probe` until it answers something (a deadline, never a fixed sleep). */
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const drillRow = (lb: TestLifeboat, id: number) =>
  lb.store.db.selectFrom('drills').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** The drill's slow check is running in its scratch database. */
const sleepingIn = async (scratch: string) => {
  const r = await servers.dev.query<{ n: string }>(
    'postgres',
    `select count(*) as n from pg_stat_activity where datname = '${scratch}' and query like '%pg_sleep%'`,
  );
  return Number(r[0]!.n) > 0 ? true : undefined;
};

/** A drill that holds in its checks for a minute, in the scratch database it created. */
const SLOW = `    drill:
      target: dev-pg01
      keep_on_failure: true
      checks:
        - { name: slow, sql: "select true from pg_sleep(60)" }
`;

describe('drill notifications', () => {
  it('drill.failed (naming the check and the kept database) and drill.passed are each heard once; failures also by the DBAs', async () => {
    const lb = await backedUp(
      servers,
      fixtureConfig({
        teamExtra: '    notify: [alpha-chat, alpha-hook]',
        databaseExtra: `    drill:
      target: dev-pg01
      keep_on_failure: true
      checks:
        - { name: canary present, sql: "select count(*) > 0 from drill_canary" }
`,
        extra: `notifications:
  alpha-chat: { type: slack, url: env:ALPHA_SLACK_WEBHOOK }
  alpha-hook: { type: webhook, url: env:ALPHA_HOOK }
  dba-hook: { type: webhook, url: env:DBA_HOOK, all_teams: true, min_severity: error }`,
      }),
      {
        env: {
          ALPHA_SLACK_WEBHOOK: `${http.url}/slack/T1/B1/drill`,
          ALPHA_HOOK: `${http.url}/drill-hook`,
          DBA_HOOK: `${http.url}/dba-hook`,
        },
        dispatcher: { sweepMs: 200 },
      },
    );
    const alice = await lb.cliEnv('alice');
    // the backup has no drill_canary: the check fails, the scratch database is kept
    const r1 = await lifeboat(['drill', 'run', 'CustomerDB', '--wait', '--json'], { env: alice });
    expect(r1.code).toBe(1);
    const failed = JSON.parse(r1.stdout) as DrillDetail;
    expect(failed.status).toBe('failed');
    expect(failed.keptDatabase).toBe(failed.scratchDatabase);
    // a backup that has it passes
    await servers.prod.query('customer', 'create table drill_canary (id int); insert into drill_canary values (1);');
    try {
      await backUpAgain(lb);
    } finally {
      await servers.prod.query('customer', 'drop table drill_canary');
    }
    const r2 = await lifeboat(['drill', 'run', 'CustomerDB', '--wait', '--json'], { env: alice });
    expect(r2.code).toBe(0);
    const passed = JSON.parse(r2.stdout) as DrillDetail;
    expect(passed.status).toBe('passed');

    const rows = await until('every drill message delivered', async () => {
      const all = await lb.store.db
        .selectFrom('notifications')
        .select(['channel', 'event', 'status'])
        // (the SLO monitor speaks too: drill freshness breached after the backup, recovered by the drill)
        .where('event', 'like', 'drill.%')
        .orderBy('id')
        .execute();
      return all.length === 5 && all.every((x) => x.status === 'delivered') ? all : undefined;
    });
    const heard = (channel: string) => rows.filter((x) => x.channel === channel).map((x) => x.event);
    expect(heard('alpha-chat')).toEqual(['drill.failed', 'drill.passed']);
    expect(heard('alpha-hook')).toEqual(['drill.failed', 'drill.passed']);
    expect(heard('dba-hook')).toEqual(['drill.failed']);

    const bodies = (path: string) => http.received.filter((x) => x.path === path).map((x) => JSON.parse(x.body));
    const hooks = (bodies('/drill-hook') as Array<{ type: string; data: Record<string, unknown> }>).filter((h) =>
      h.type.startsWith('drill.'),
    );
    expect(hooks.map((h) => h.type)).toEqual(['drill.failed', 'drill.passed']);
    expect(hooks[0]!.data).toMatchObject({
      drill: failed.id,
      database: 'CustomerDB',
      target: 'dev-pg01',
      severity: 'error',
      failedChecks: ['canary present'],
      errorStep: 'verify',
      keptDatabase: failed.scratchDatabase,
      title: `Drill #${failed.id} of CustomerDB failed`,
    });
    expect(hooks[1]!.data).toMatchObject({ drill: passed.id, severity: 'info', failedChecks: [] });
    const drillTypes = (path: string) =>
      (bodies(path) as Array<{ type: string }>).map((h) => h.type).filter((t) => t.startsWith('drill.'));
    expect(drillTypes('/dba-hook')).toEqual(['drill.failed']);
    const slack = (bodies('/slack/T1/B1/drill') as Array<{ text: string }>).filter((m) => m.text.includes('Drill #'));
    expect(slack).toHaveLength(2);
    expect(slack[0]!.text).toContain(`Drill #${failed.id} of CustomerDB failed`);
    expect(slack[0]!.text).toContain('the check "canary present" did not pass');
    expect(slack[0]!.text).toContain(`The scratch database ${failed.scratchDatabase} is kept on dev-pg01`);
    expect(slack[1]!.text).toContain(`Drill #${passed.id} of CustomerDB passed`);
    // no secret of the configuration is in what was sent
    for (const x of http.received) expect(x.body).not.toContain(servers.env.DEV_PG01_URL!);
    await servers.dev.query('postgres', `drop database "${failed.scratchDatabase}"`);
  });
});

describe('lifeboat drill cancel', () => {
  it('a running drill is stopped and its scratch database dropped; the cancel is audited; a finished drill is not cancelled', async () => {
    const lb = await backedUp(servers, fixtureConfig({ databaseExtra: SLOW }));
    const alice = await lb.cliEnv('alice');
    const run = await lifeboat(['drill', 'run', 'CustomerDB', '--json'], { env: alice });
    expect(run.code).toBe(0);
    const d = JSON.parse(run.stdout) as DrillDetail;
    await until('the slow check running', () => sleepingIn(d.scratchDatabase));
    expect(await dbExists(d.scratchDatabase)).toBe(true);

    // a developer may not cancel alice's drill
    const denied = await lifeboat(['drill', 'cancel', String(d.id)], { env: await lb.cliEnv('jsmith') });
    expect(denied.code).toBe(3);
    const c = await lifeboat(['drill', 'cancel', String(d.id)], { env: alice });
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.stdout).toBe(`drill ${d.id} of CustomerDB cancelled\n`);
    // the worker stops within a heartbeat and drops the scratch database, although keep_on_failure
    const row = await until('the scratch database dropped', async () => {
      const r = await drillRow(lb, d.id);
      return r.drop_scratch ? undefined : r;
    });
    expect(row).toMatchObject({ status: 'cancelled', error: 'cancelled by alice', kept_dbname: null, evidence: null });
    expect(row.log).toContain(`dropped the scratch database ${d.scratchDatabase}`);
    expect(await dbExists(d.scratchDatabase)).toBe(false);
    const audit = await lb.store.db
      .selectFrom('audit_events')
      .select(['actor', 'details'])
      .where('action', '=', 'drill.cancel')
      .execute();
    expect(audit).toEqual([{ actor: 'alice', details: { from: 'running', to: 'cancelled' } }]);
    // a cancel is not a verdict: nothing is notified
    expect(
      await lb.store.db.selectFrom('notification_events').select('type').where('subject_type', '=', 'drill').execute(),
    ).toEqual([]);

    const again = await lifeboat(['drill', 'cancel', String(d.id)], { env: alice });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`drill ${d.id} is cancelled: only a queued or running drill can be cancelled`);
    const show = await lifeboat(['drill', 'show', String(d.id), '--json'], { env: alice });
    expect((JSON.parse(show.stdout) as DrillDetail).status).toBe('cancelled');
  }, 120_000);
});

describe('a drill whose worker is lost', () => {
  it('a queued drill is cancelled before any worker runs it; a worker killed mid-drill: the next worker fails it (worker lost, notified) and drops its scratch database', async () => {
    // no worker in the test process: the only workers are processes of their own, to be killed
    const lb = await startTestLifeboat(fixtureConfig({ databaseExtra: SLOW }), servers.env, { worker: false });
    const env = { ...(await lb.cliEnv('dana')), LIFEBOAT_HEARTBEAT_TIMEOUT: '3s', LIFEBOAT_LOG_LEVEL: 'info' };
    const workers: Daemon[] = [];
    const startWorker = async () => {
      const w = spawnLifeboat(['worker'], { env });
      workers.push(w);
      await w.waitFor(/worker started/, 30_000);
      return w;
    };
    try {
      // queued with no worker: cancelled at once, and never run
      const w0 = await startWorker();
      const b = await lifeboat(['backup', 'run', 'CustomerDB', '--wait', '--json'], { env });
      expect(JSON.parse(b.stdout).status).toBe('verified');
      w0.child.kill('SIGTERM');
      await w0.exited();
      const queued = JSON.parse(
        (await lifeboat(['drill', 'run', 'CustomerDB', '--json'], { env })).stdout,
      ) as DrillDetail;
      expect(queued.status).toBe('queued');
      const c = await lifeboat(['drill', 'cancel', String(queued.id)], { env });
      expect(c.code).toBe(0);
      expect(await drillRow(lb, queued.id)).toMatchObject({
        status: 'cancelled',
        drop_scratch: false,
        started_at: null,
      });

      const w1 = await startWorker();
      const d = JSON.parse((await lifeboat(['drill', 'run', 'CustomerDB', '--json'], { env })).stdout) as DrillDetail;
      await until('the slow check running', () => sleepingIn(d.scratchDatabase));
      // (the cancelled drill's job was taken by this worker too, and left alone)
      expect(await drillRow(lb, queued.id)).toMatchObject({ status: 'cancelled', started_at: null });
      w1.child.kill('SIGKILL');
      await w1.exited();
      await startWorker();
      const row = await until('the lost drill failed and its scratch database dropped', async () => {
        const r = await drillRow(lb, d.id);
        return r.status === 'failed' && !r.drop_scratch ? r : undefined;
      });
      expect(row.error).toMatch(/^worker lost: no heartbeat from .* since /);
      expect(row.error_step).toBe('worker');
      expect(row.kept_dbname).toBeNull();
      expect(row.log).toContain(`reaper: dropped the scratch database ${d.scratchDatabase} on dev-pg01`);
      expect(await dbExists(d.scratchDatabase)).toBe(false);
      expect(await sleepingIn(d.scratchDatabase)).toBeUndefined();
      const events = await lb.store.db
        .selectFrom('notification_events')
        .select(['type', 'subject_id', 'data'])
        .where('subject_type', '=', 'drill')
        .execute();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'drill.failed',
        subject_id: String(d.id),
        data: { errorStep: 'worker', actor: 'reaper', keptDatabase: null },
      });
      // `drill run --wait` and `drill show` answer for a lost drill (it has no evidence pack)
      const show = await lifeboat(['drill', 'show', String(d.id)], { env });
      expect(show.stdout).toContain(`drill ${d.id}  CustomerDB     failed`);
    } finally {
      await stopDaemons(workers);
    }
  }, 180_000);
});
