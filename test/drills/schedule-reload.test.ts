// A drill schedule added to lifeboat.yaml of a running `lifeboat start` and put in force by a
// reload (SIGHUP) is scheduled and fires without a restart; removed by another reload, it is
// unscheduled.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/access/tokens.js';
import { freePort } from '../../src/engines/postgres/local-cluster.js';
import { lifeboat, spawnLifeboat } from '../harness/cli.js';
import { harnessRoot } from '../harness/cluster.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import { freshStore, type TestStore } from '../harness/store.js';

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
});

const DRILL = `    drill:
      target: dev-pg01
`;

const drillSchedules = async (store: TestStore) =>
  (
    await sql<{ name: string; cron: string }>`select name, cron from pgboss.schedule where name like 'drill.%'`.execute(
      store.db,
    )
  ).rows;

describe('drill schedules follow a reload', () => {
  it('a schedule added by a reload fires without a restart; removed by a reload, it is unscheduled', async () => {
    const store = await freshStore();
    const dir = mkdtempSync(join(harnessRoot(), 'drill-reload-'));
    const file = join(dir, 'lifeboat.yaml');
    writeFileSync(file, fixtureConfig({ databaseExtra: DRILL }));
    const port = await freePort();
    const lb = spawnLifeboat(['start', '--port', String(port), '--data-dir', join(dir, 'data')], {
      env: {
        ...servers.env,
        LIFEBOAT_DATABASE_URL: store.url.reveal(),
        LIFEBOAT_CONFIG: file,
        LIFEBOAT_LOG_LEVEL: 'info',
      },
      cwd: dir,
    });
    const reloads = () => lb.output().split('lifeboat.yaml reloaded (SIGHUP)').length - 1;
    const reload = async (text: string) => {
      const before = reloads();
      writeFileSync(file, text);
      lb.child.kill('SIGHUP');
      const deadline = Date.now() + 30_000;
      while (reloads() === before) {
        if (Date.now() > deadline) throw new Error(`not reloaded:\n${lb.output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await lb.waitFor(/ {2}stop: {3}Ctrl-C/);
      const env = {
        ...servers.env,
        LIFEBOAT_URL: `http://127.0.0.1:${port}`,
        LIFEBOAT_TOKEN: (await issueToken(store.db, { user: 'dana', actor: 'test' })).token,
      };
      const b = await lifeboat(['backup', 'run', 'CustomerDB', '--wait', '--json'], { env });
      expect(JSON.parse(b.stdout).status).toBe('verified');
      expect(await drillSchedules(store)).toEqual([]);

      await reload(fixtureConfig({ databaseExtra: `${DRILL}      schedule: "* * * * *"\n` }));
      expect(await drillSchedules(store)).toEqual([{ name: 'drill.scheduled.CustomerDB', cron: '* * * * *' }]);
      // fired by pg-boss's cron within a minute, then run by the worker: polled with a deadline
      const deadline = Date.now() + 150_000;
      let drill;
      for (;;) {
        drill = await store.db.selectFrom('drills').select(['id', 'status', 'trigger']).executeTakeFirst();
        if (drill && drill.status !== 'queued' && drill.status !== 'running') break;
        if (Date.now() > deadline) throw new Error(`no scheduled drill finished: ${JSON.stringify(drill)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(drill).toMatchObject({ status: 'passed', trigger: 'schedule' });

      await reload(readFileSync(file, 'utf8').replace('      schedule: "* * * * *"\n', ''));
      expect(await drillSchedules(store)).toEqual([]);
    } finally {
      lb.child.kill('SIGTERM');
      await lb.exited();
    }
  }, 240_000);
});
