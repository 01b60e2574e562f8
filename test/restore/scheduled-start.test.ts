// Scheduled start through the real CLI and real clusters (issue 14, item 6): a dry run requested
// with --start-at and submitted stays `scheduled` until then (`restore show` and `list` say for
// when), starts no earlier, and completes; a scheduled run that is cancelled stays cancelled when
// its job comes due (the job does nothing); a start time already past when the run is submitted
// starts it at once.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunDoc } from '../../src/contract/runs.js';
import { lifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import type { TestLifeboat } from '../harness/lifeboat.js';
import { backedUp } from '../harness/runs.js';

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
});

/** `restore request` (a dry run) into dev-pg01/<dbname> starting at `startAt`, then `restore submit`. */
async function submitted(lb: TestLifeboat, dbname: string, startAt: Date): Promise<RunDoc> {
  const env = await lb.cliEnv('jsmith');
  const dry = await lifeboat(
    ['restore', 'request', 'CustomerDB', '--to', `dev-pg01/${dbname}`, '--start-at', startAt.toISOString(), '--json'],
    { env },
  );
  expect(dry.stderr).toBe('');
  const run = JSON.parse(dry.stdout) as RunDoc;
  expect([run.status, run.startAt]).toEqual(['previewed', startAt.toISOString()]);
  const r = await lifeboat(['restore', 'submit', String(run.id), '--confirm', `dev-pg01/${dbname}`, '--json'], { env });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as RunDoc;
}

async function watched(lb: TestLifeboat, id: number): Promise<RunDoc> {
  const r = await lifeboat(['restore', 'status', String(id), '--watch', '--json'], { env: await lb.cliEnv('jsmith') });
  return JSON.parse(r.stdout) as RunDoc;
}

async function auditOf(lb: TestLifeboat, id: number): Promise<string[]> {
  const rows = await lb.store.db
    .selectFrom('audit_events')
    .select(['action', 'actor'])
    .where('subject_id', '=', String(id))
    .orderBy('seq')
    .execute();
  return rows.map((r) => `${r.action} by ${r.actor}`);
}

/** The pg-boss states of the run's jobs. */
async function jobStates(lb: TestLifeboat, id: number): Promise<string[]> {
  const r = await sql<{ state: string }>`select state from pgboss.job
    where name = 'restore.run' and (data->>'runId')::int = ${id} order by created_on`.execute(lb.store.db);
  return r.rows.map((x) => x.state);
}

describe('restore request --start-at, submitted', () => {
  it('stays scheduled until its start time, says so, then runs no earlier and completes; a cancelled one never starts', async () => {
    const lb = await backedUp(servers, fixtureConfig());
    const env = await lb.cliEnv('jsmith');
    // far enough ahead that the dry runs and submits (a few CLI processes) are done before it
    const startAt = new Date(Date.now() + 12_000);
    startAt.setMilliseconds(0);
    const later = await submitted(lb, 'sched_later', startAt);
    expect(later.status).toBe('scheduled');
    const dropped = await submitted(lb, 'sched_dropped', startAt);
    expect(dropped.status).toBe('scheduled');

    const shown = await lifeboat(['restore', 'show', String(later.id)], { env });
    expect(shown.stdout.split('\n')[0]).toBe(
      `run ${later.id}: scheduled for ${startAt.toISOString()}  CustomerDB → dev-pg01/sched_later (development)`,
    );
    const list = await lifeboat(['restore', 'list'], { env });
    expect(list.stdout).toContain(`\n       scheduled for ${startAt.toISOString()}\n`);
    expect(list.stdout.split('\n').filter((l) => l === `       scheduled for ${startAt.toISOString()}`)).toHaveLength(
      2,
    );

    const cancel = await lifeboat(['restore', 'cancel', String(dropped.id)], { env });
    expect(cancel.stdout).toBe(`run ${dropped.id} cancelled\n`);

    const done = await watched(lb, later.id);
    expect(done.status).toBe('completed');
    expect(Date.parse(done.startedAt!)).toBeGreaterThanOrEqual(startAt.getTime());
    expect(await auditOf(lb, later.id)).toEqual([
      'restore.request by jsmith',
      'restore.source by jsmith',
      'restore.scope by jsmith',
      'restore.check by jsmith',
      'restore.preview by jsmith',
      'restore.submit by jsmith',
      'restore.schedule by jsmith',
      'restore.enqueue by scheduler',
      'restore.start by worker',
      'restore.complete by worker',
    ]);

    // the cancelled run's job came due too (same start time) and did nothing
    const deadline = Date.now() + 30_000;
    while ((await jobStates(lb, dropped.id)).join() !== 'completed') {
      if (Date.now() > deadline) throw new Error(`job of run ${dropped.id}: ${await jobStates(lb, dropped.id)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = JSON.parse((await lifeboat(['restore', 'show', String(dropped.id), '--json'], { env })).stdout);
    expect([after.status, after.startedAt]).toEqual(['cancelled', null]);
    expect(await auditOf(lb, dropped.id)).toEqual([
      'restore.request by jsmith',
      'restore.source by jsmith',
      'restore.scope by jsmith',
      'restore.check by jsmith',
      'restore.preview by jsmith',
      'restore.submit by jsmith',
      'restore.schedule by jsmith',
      'restore.cancel by jsmith',
    ]);
    expect(await servers.dev.query('postgres', `select 1 from pg_database where datname = 'sched_dropped'`)).toEqual(
      [],
    );
  });

  it('starts at once when its start time has passed by the time it is submitted', async () => {
    const lb = await backedUp(servers, fixtureConfig());
    const startAt = new Date(Date.now() - 60_000);
    const run = await submitted(lb, 'sched_past', startAt);
    expect(['queued', 'running']).toContain(run.status);
    const done = await watched(lb, run.id);
    expect(done.status).toBe('completed');
    expect(await auditOf(lb, run.id)).toEqual([
      'restore.request by jsmith',
      'restore.source by jsmith',
      'restore.scope by jsmith',
      'restore.check by jsmith',
      'restore.preview by jsmith',
      'restore.submit by jsmith',
      'restore.enqueue by jsmith',
      'restore.start by worker',
      'restore.complete by worker',
    ]);
  });
});
