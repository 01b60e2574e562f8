// The worker's own guards, against real servers, with runRestore called directly on run rows
// written here (no queue): a destination that is forbidden is never written however the run got
// there, a run that stopped being this worker's (reaped) never swaps, and setup that fails (the
// destination lock, the scratch directory) ends the run failed instead of leaving it behind.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/catalog/load.js';
import { silentLogger } from '../../src/lib/logger.js';
import { type RestoreDeps, runRestore } from '../../src/restore/run-restore.js';
import { harnessRoot } from '../harness/cluster.js';
import { type FixtureServers, fixtureConfig, startFixtureServers, tableContents } from '../harness/fixtures.js';
import type { TestLifeboat } from '../harness/lifeboat.js';
import { backedUp, existingDestination, gate, waitForPhase } from '../harness/runs.js';

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
});

const WORKER = 'test-worker';

/** A database of the catalog on the dev server, appended to a fixture config. */
const catalogued = (name: string, dbname: string) =>
  `  ${name}:\n    server: dev-pg01\n    name: ${dbname}\n    owner: team-alpha\n    destinations: [dev-pg01]\n`;

/** A run row as a submitted request leaves it (queued), for any destination name: no request-time check ran. */
async function queuedRun(lb: TestLifeboat, dbname: string): Promise<number> {
  const backup = await lb.store.db.selectFrom('backups').select('id').executeTakeFirstOrThrow();
  const r = await lb.store.db
    .insertInto('restore_runs')
    .values({
      database: 'CustomerDB',
      owner_team: 'team-alpha',
      source_server: 'prod-pg01',
      destination_server: 'dev-pg01',
      destination_dbname: dbname,
      destination_tier: 'development',
      identifier: `dev-pg01/${dbname}`,
      backup_id: backup.id,
      point_in_time: null,
      tables: null,
      status: 'queued',
      requested_by: 'jsmith',
      justification: null,
      start_at: null,
      confirmed_at: new Date(),
      preview: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

const depsOf = (lb: TestLifeboat): RestoreDeps => ({
  db: lb.store.db,
  queue: lb.queue,
  catalog: lb.catalog,
  logger: silentLogger(),
});
const run = (deps: RestoreDeps, id: number) =>
  runRestore(deps, id, { signal: new AbortController().signal, workerId: WORKER });

async function row(lb: TestLifeboat, id: number) {
  return lb.store.db
    .selectFrom('restore_runs')
    .select(['status', 'error', 'error_step', 'worker_id', 'log'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

async function databasesLike(pattern: string): Promise<string[]> {
  const rows = await servers.dev.query<{ datname: string }>(
    'postgres',
    'select datname from pg_database where datname like $1 order by 1',
    [pattern],
  );
  return rows.map((r) => r.datname);
}

describe('a run into a forbidden destination', () => {
  let lb: TestLifeboat;
  beforeAll(async () => {
    lb = await backedUp(servers, fixtureConfig() + catalogued('OtherDB', 'other_app'));
  });

  const long = 'l'.repeat(64);
  const cases: Array<[string, string]> = [
    ['template1', 'template1 is a PostgreSQL system database'],
    ['postgres', 'postgres is a PostgreSQL system database'],
    ['customer__lb_prev_1', `names containing "__lb_prev_" are Lifeboat's own (staging databases and kept copies)`],
    [long, 'the name is 64 bytes long, and PostgreSQL would silently truncate it to 63'],
    ['other_app', 'that is OtherDB of team-alpha, and a restore never overwrites another catalogued database'],
  ];
  for (const [dbname, reason] of cases) {
    it(`${dbname.length > 20 ? 'a 64-byte name' : dbname}: failed by the worker, the destination untouched`, async () => {
      if (dbname === 'other_app') await existingDestination(servers, 'other_app');
      const exists = (await databasesLike(dbname.slice(0, 63))).length > 0;
      const before = exists ? await tableContents(servers.dev, dbname) : undefined;
      const id = await queuedRun(lb, dbname);
      expect(await run(depsOf(lb), id)).toBe('failed');
      const shown = dbname === long ? `${'l'.repeat(63)}…` : dbname;
      expect(await row(lb, id)).toMatchObject({
        status: 'failed',
        error: `unable to restore CustomerDB into dev-pg01/${shown}: ${reason}`,
        error_step: 'lock',
      });
      if (before) expect(await tableContents(servers.dev, dbname)).toEqual(before);
      else expect(await databasesLike(`${dbname.slice(0, 63)}%`)).toEqual([]);
      expect(await databasesLike('%\\_\\_lb\\_staging\\_%')).toEqual([]);
      expect(await lb.store.db.selectFrom('destination_locks').selectAll().execute()).toEqual([]);
    });
  }

  it('a destination that became a catalogued database during the run is refused right before the swap', async () => {
    const g = gate();
    const config = fixtureConfig({ databaseExtra: g.extra });
    const gated = await backedUp(servers, config);
    const before = await existingDestination(servers, 'became_catalogued');
    const id = await queuedRun(gated, 'became_catalogued');
    const deps = depsOf(gated);
    const outcome = run(deps, id);
    await waitForPhase(gated, id, 'post_restore');
    // lifeboat.yaml now declares the destination (as a reload would bring it)
    deps.catalog = parseConfig(config + catalogued('BecameDB', 'became_catalogued'), {
      baseDir: gated.dir,
      env: servers.env,
    });
    g.open();
    expect(await outcome).toBe('failed');
    expect(await row(gated, id)).toMatchObject({
      status: 'failed',
      error:
        'unable to restore CustomerDB into dev-pg01/became_catalogued: that is BecameDB of team-alpha, and a restore never overwrites another catalogued database',
      error_step: 'swap',
    });
    expect(await tableContents(servers.dev, 'became_catalogued')).toEqual(before);
    expect(await databasesLike('became\\_catalogued%')).toEqual(['became_catalogued']);
  });
});

describe('a run that is no longer this worker’s', () => {
  it('reaped between its restore and its swap: never swaps, and leaves the status to the reaper', async () => {
    const g = gate();
    const lb = await backedUp(servers, fixtureConfig({ databaseExtra: g.extra }));
    const before = await existingDestination(servers, 'reaped_dest');
    const id = await queuedRun(lb, 'reaped_dest');
    const outcome = run(depsOf(lb), id);
    await waitForPhase(lb, id, 'post_restore');
    // what the reaper does to a run whose heartbeat it found stale (control.ts reapLostRuns)
    await lb.store.db
      .updateTable('restore_runs')
      .set({ status: 'failed', error: 'worker lost: simulated', error_step: 'post_restore', finished_at: new Date() })
      .where('id', '=', id)
      .execute();
    await lb.store.db.updateTable('restore_runs').set({ worker_id: 'worker-b' }).where('id', '=', id).execute();
    g.open();
    expect(await outcome).toBe('lost');
    const r = await row(lb, id);
    expect(r).toMatchObject({ status: 'failed', error: 'worker lost: simulated', error_step: 'post_restore' });
    expect(r.log).toContain(
      "not swapping: the run is failed and belongs to worker worker-b, no longer this worker's; the destination was not touched",
    );
    expect(await tableContents(servers.dev, 'reaped_dest')).toEqual(before);
    expect(await databasesLike('reaped\\_dest%')).toEqual(['reaped_dest']);
    expect(await lb.store.db.selectFrom('destination_locks').selectAll().execute()).toEqual([]);
  });
});

describe('setup that fails ends the run failed', () => {
  let lb: TestLifeboat;
  beforeAll(async () => {
    lb = await backedUp(servers, fixtureConfig());
  });

  it('the scratch directory cannot be made: failed with the reason, the lock freed', async () => {
    const id = await queuedRun(lb, 'no_scratch');
    const missing = join(harnessRoot(), 'no-such-dir');
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = missing;
    let outcome: string;
    try {
      outcome = await run(depsOf(lb), id);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(outcome).toBe('failed');
    const r = await row(lb, id);
    expect(r).toMatchObject({ status: 'failed', error_step: 'lock' });
    // mkdtemp names the directory it tried, with the random suffix it chose
    expect(r.error).toMatch(
      new RegExp(
        `^ENOENT: no such file or directory, mkdtemp '${missing}/lifeboat-restore-${id}-p${process.pid}-[A-Za-z0-9]{6}'$`,
      ),
    );
    expect(await lb.store.db.selectFrom('destination_locks').selectAll().execute()).toEqual([]);
    expect(await databasesLike('no\\_scratch%')).toEqual([]);
  });

  it('the destination lock cannot be taken: failed with the reason, not left queued', async () => {
    const id = await queuedRun(lb, 'no_lock');
    await lb.store.pool.query(`
      create function lb_test_broken_lock() returns trigger language plpgsql as
        $$ begin raise exception 'destination_locks is broken'; end $$;
      create trigger broken before insert on destination_locks for each row execute function lb_test_broken_lock()`);
    try {
      expect(await run(depsOf(lb), id)).toBe('failed');
    } finally {
      await lb.store.pool.query('drop trigger broken on destination_locks; drop function lb_test_broken_lock()');
    }
    expect(await row(lb, id)).toMatchObject({
      status: 'failed',
      error: 'destination_locks is broken',
      error_step: 'lock',
      worker_id: null,
    });
    const audit = await lb.store.db
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('subject_id', '=', String(id))
      .execute();
    expect(audit).toEqual([
      {
        action: 'restore.fail',
        details: { from: 'queued', to: 'failed', step: 'lock', reason: 'destination_locks is broken' },
      },
    ]);
  });
});
