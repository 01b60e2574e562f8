// A restarted `lifeboat start` on the same data directory fails at once the restore run, the
// backup and the incident execution its killed previous process left running (not after the
// heartbeat timeout; the incident's new-instance directory removed), and only those: a live
// process's work, and the work of another instance, are left alone.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackupDetail } from '../../src/contract/backups.js';
import { freePort } from '../../src/engines/postgres/local-cluster.js';
import { run } from '../../src/lib/process.js';
import { instanceOf } from '../../src/runtime/reclaim.js';
import { lifeboat, spawnLifeboat } from '../harness/cli.js';
import { harnessRoot } from '../harness/cluster.js';
import { type FixtureServers, fixtureConfig, startFixtureServers, tableContents } from '../harness/fixtures.js';
import { startTestLifeboat } from '../harness/lifeboat.js';
import { requestRestoreCli } from '../harness/runs.js';

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
});

describe('a restarted lifeboat start', () => {
  it('fails at once the run and the backup its own killed process left running, and nothing else', async () => {
    // the store and an API in the test process; `lifeboat start` (on that store) is the only worker
    const lb = await startTestLifeboat(
      fixtureConfig({ databaseExtra: '    post_restore:\n      - { command: "sleep 30" }' }),
      servers.env,
      { worker: false },
    );
    const dataDir = join(mkdtempSync(join(harnessRoot(), 'start-')), '.lifeboat');
    const env = { ...(await lb.cliEnv('jsmith')), LIFEBOAT_LOG_LEVEL: 'info' };
    const start = async () => {
      const d = spawnLifeboat(['start', '--data-dir', dataDir, '--port', String(await freePort())], { env });
      await d.waitFor(/worker started/, 60_000);
      return d;
    };
    const first = await start();
    const firstPid = first.child.pid!;
    const asAlice = await lb.cliEnv('alice');
    const b = await lifeboat(['backup', 'run', 'CustomerDB', '--wait', '--json'], { env: asAlice });
    expect(JSON.parse(b.stdout).status).toBe('verified');
    await servers.dev.createDatabase('untouched_restart');
    const before = await tableContents(servers.dev, 'untouched_restart');

    // a run in its post-restore step, and a backup held up by a lock, when the process is killed
    const runId = (await requestRestoreCli(lb, 'untouched_restart', { wait: false })).run.id;
    await until(async () => {
      const r = await lb.store.db.selectFrom('restore_runs').select('phase').where('id', '=', runId).executeTakeFirst();
      return r?.phase === 'post_restore';
    });
    const locker = new pg.Client({ connectionString: servers.prod.url('customer') });
    await locker.connect();
    let second: Awaited<ReturnType<typeof start>> | undefined;
    try {
      await locker.query('begin; lock table customers in access exclusive mode');
      const queued = await lifeboat(['backup', 'run', 'CustomerDB', '--json'], { env: asAlice });
      const backupId = (JSON.parse(queued.stdout) as BackupDetail).id;
      const storage = join(lb.dir, 'backups', 'CustomerDB', backupId);
      await until(async () => (await run('pgrep', ['-f', `pg_dump .*-f ${storage}`])).code === 0);

      // beside it: a live process of the same instance (this test) and a dead one of another
      const liveWorker = { id: 'same-instance-alive', pid: process.pid, instance: instanceOf(dataDir) };
      const otherWorker = { id: 'other-instance-dead', pid: firstPid, instance: `${hostname()}:/elsewhere` };
      for (const w of [liveWorker, otherWorker]) {
        await lb.store.db
          .insertInto('workers')
          .values({ ...w, labels: [], hostname: hostname(), started_at: new Date(), heartbeat_at: new Date() })
          .execute();
        await lb.store.db
          .insertInto('backups')
          .values({
            id: `bk-${w.id}`,
            database: 'CustomerDB',
            server: 'prod-pg01',
            storage: 'main',
            status: 'running',
            trigger: 'manual',
            requested_by: 'test',
            worker_id: w.id,
            started_at: new Date(),
            heartbeat_at: new Date(),
          })
          .execute();
      }

      // an incident the killed process was executing (its restore step), with the directory of
      // the new instance it was making
      const firstWorker = await lb.store.db
        .selectFrom('workers')
        .select('id')
        .where('pid', '=', firstPid)
        .executeTakeFirstOrThrow();
      const scratch = mkdtempSync(join(harnessRoot(), 'reclaim-incident-'));
      writeFileSync(join(scratch, 'password'), 'x');
      const incident = await lb.store.db
        .insertInto('incidents')
        .values({
          database: 'CustomerDB',
          owner_team: 'team-alpha',
          status: 'executing',
          source: 'manual',
          declared_by: 'test',
          started_at: new Date(),
          worker_id: firstWorker.id,
          heartbeat_at: new Date(),
          step: 'restore',
          scratch_dir: scratch,
          scratch_host: hostname(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();

      // kill -9, and what it had started (pg_dump, the post-restore command: process groups of their own)
      const children = (await run('pgrep', ['-P', String(firstPid)])).stdout.trim().split('\n').filter(Boolean);
      first.child.kill('SIGKILL');
      await first.exited();
      for (const c of children) {
        try {
          process.kill(-Number(c), 'SIGKILL');
        } catch {}
      }
      await locker.query('rollback');

      // the next start (the reaper's timeout is the default 60 s): failed before its worker starts
      second = await start();
      const lost = `worker lost: the Lifeboat process that ran it (pid ${firstPid}) stopped`;
      const runRow = await lb.store.db
        .selectFrom('restore_runs')
        .select(['status', 'error', 'error_step'])
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      expect(runRow).toEqual({ status: 'failed', error: lost, error_step: 'post_restore' });
      expect(await lb.store.db.selectFrom('destination_locks').selectAll().execute()).toEqual([]);
      expect(
        await servers.dev.query(
          'postgres',
          `select datname from pg_database where datname like '%\\_\\_lb\\_staging\\_%'`,
        ),
      ).toEqual([]);
      expect(await tableContents(servers.dev, 'untouched_restart')).toEqual(before);
      const backups = await lb.store.db
        .selectFrom('backups')
        .select(['id', 'status', 'error'])
        .where('status', 'in', ['running', 'failed'])
        .orderBy('id')
        .execute();
      expect(backups).toEqual(
        [
          { id: backupId, status: 'failed', error: lost },
          { id: `bk-${liveWorker.id}`, status: 'running', error: null },
          { id: `bk-${otherWorker.id}`, status: 'running', error: null },
        ].sort((x, y) => x.id.localeCompare(y.id)),
      );
      expect(existsSync(storage)).toBe(false);
      const incidentRow = await lb.store.db
        .selectFrom('incidents')
        .select(['status', 'error', 'error_step', 'scratch_dir'])
        .where('id', '=', incident.id)
        .executeTakeFirstOrThrow();
      expect(incidentRow).toEqual({
        status: 'failed',
        error: `worker lost during restore: the Lifeboat process that ran it (pid ${firstPid}) stopped`,
        error_step: 'restore',
        scratch_dir: null,
      });
      expect(existsSync(scratch)).toBe(false);
    } finally {
      await locker.end();
      second?.child.kill('SIGTERM');
      await second?.exited();
    }
  }, 180_000);
});

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
