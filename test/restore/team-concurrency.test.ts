// Per-team concurrency (`teams.<team>.max_concurrent_restores`, issue 14 item 6) against real
// clusters: with a limit of 1, a second run into another destination (so that the destination
// lock is not what holds it) waits, queued, saying why, while the first runs, then completes;
// three runs start in the order they were queued, whichever job fires first; and the decision is
// taken under the team's advisory lock, so two workers cannot both take the last place.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { readingCatalog } from '../../src/catalog/live.js';
import type { RunDoc } from '../../src/contract/runs.js';
import { silentLogger } from '../../src/lib/logger.js';
import { type RestoreDeps, runRestore } from '../../src/restore/run-restore.js';
import { ADMISSION_LOCK_CLASS } from '../../src/restore/team-admission.js';
import { jobHandlers } from '../../src/runtime/jobs.js';
import { startWorker } from '../../src/worker/worker.js';
import { lifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import type { TestLifeboat } from '../harness/lifeboat.js';
import { backedUp, gate, requestRestoreCli, waitForPhase } from '../harness/runs.js';

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
});

/** The fixture catalog with team-alpha limited to `limit` concurrent restores, every restore held by `g`. */
const limited = (limit: number, g: ReturnType<typeof gate>) =>
  fixtureConfig({ databaseExtra: g.extra }).replace(
    '    approvers: [alice, bob]\n',
    `    approvers: [alice, bob]\n    max_concurrent_restores: ${limit}\n`,
  );

/** `restore request … --execute` without --wait: the run's id (queued). */
async function queued(lb: TestLifeboat, dbname: string): Promise<number> {
  const r = await requestRestoreCli(lb, dbname, { wait: false });
  expect([r.code, r.run.status]).toEqual([0, 'queued']);
  return r.run.id;
}

async function runRow(lb: TestLifeboat, id: number) {
  return lb.store.db
    .selectFrom('restore_runs')
    .select(['status', 'phase', 'progress', 'started_at', 'finished_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

/** Waits (a minute at most) until queued run `id` says it waits for `waiting`. */
async function waitForWaiting(lb: TestLifeboat, id: number, waiting: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await runRow(lb, id);
    if (r.status === 'queued' && (r.progress as { waiting?: string }).waiting === waiting) return;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${r.status}, ${JSON.stringify(r.progress)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe('max_concurrent_restores: 1, through the worker', () => {
  it('a second run waits, queued and saying why, while the first runs, then completes', async () => {
    const g = gate();
    const lb = await backedUp(servers, limited(1, g));
    const env = await lb.cliEnv('jsmith');
    // a second worker: the harness's own one is busy with the first run
    const logger = silentLogger();
    const other = await startWorker({
      db: lb.store.db,
      queue: lb.queue,
      logger,
      labels: [],
      handlers: jobHandlers(readingCatalog({ db: lb.store.db, queue: lb.queue, logger }, lb.config)),
      heartbeatMs: 500,
    });
    try {
      const first = await queued(lb, 'team_first');
      await waitForPhase(lb, first, 'post_restore');
      const second = await queued(lb, 'team_second');
      await waitForWaiting(lb, second, 'team team-alpha has 1 of 1 restores running');

      const shown = await lifeboat(['restore', 'show', String(second)], { env });
      expect(shown.stdout.split('\n').slice(0, 3)).toEqual([
        `run ${second}: queued  CustomerDB → dev-pg01/team_second (development)`,
        expect.stringMatching(/^ {2}backup \S+, requested by jsmith$/),
        '  waiting: team team-alpha has 1 of 1 restores running',
      ]);
      const list = await lifeboat(['restore', 'list'], { env });
      expect(list.stdout).toContain('\n       waiting: team team-alpha has 1 of 1 restores running\n');
      expect((await runRow(lb, first)).status).toBe('running');

      g.open();
      const done = await lifeboat(['restore', 'status', String(second), '--watch', '--json'], { env });
      const doc = JSON.parse(done.stdout) as RunDoc;
      expect(doc.status).toBe('completed');
      const a = await runRow(lb, first);
      expect(a.status).toBe('completed');
      expect(Date.parse(doc.startedAt!)).toBeGreaterThanOrEqual(a.finished_at!.getTime());
      // waiting is not a change of status: nothing of it is in the audit trail
      const actions = await lb.store.db
        .selectFrom('audit_events')
        .select('action')
        .where('subject_id', '=', String(second))
        .orderBy('seq')
        .execute();
      expect(actions.map((x) => x.action)).toEqual([
        'restore.request',
        'restore.source',
        'restore.scope',
        'restore.check',
        'restore.preview',
        'restore.submit',
        'restore.enqueue',
        'restore.start',
        'restore.complete',
      ]);
    } finally {
      await other.stop(1000);
    }
  });
});

describe('max_concurrent_restores: 1, runRestore called in a chosen order', () => {
  const depsOf = (lb: TestLifeboat): RestoreDeps => ({
    db: lb.store.db,
    queue: lb.queue,
    catalog: lb.catalog,
    logger: silentLogger(),
  });
  const run = (lb: TestLifeboat, id: number) =>
    runRestore(depsOf(lb), id, { signal: new AbortController().signal, workerId: 'test-worker' });
  /** A Lifeboat with the backup taken, whose worker then stops: the test calls runRestore itself. */
  const withoutWorker = async (config: string) => {
    const lb = await backedUp(servers, config);
    await lb.worker!.stop(1000);
    return lb;
  };
  const waitingOf = async (lb: TestLifeboat, id: number) =>
    ((await runRow(lb, id)).progress as { waiting?: string }).waiting;

  it('three runs start in the order they were queued, whichever job fires first', async () => {
    const g = gate();
    const lb = await withoutWorker(limited(1, g));
    const [a, b, c] = [await queued(lb, 'order_a'), await queued(lb, 'order_b'), await queued(lb, 'order_c')];

    // nothing runs, but the earlier runs take the one place first
    expect(await run(lb, c)).toBe('waiting');
    expect(await waitingOf(lb, c)).toBe(
      `runs ${a} and ${b} of team team-alpha queued earlier and go first (0 of 1 restores running)`,
    );
    expect(await run(lb, b)).toBe('waiting');
    expect(await waitingOf(lb, b)).toBe(
      `run ${a} of team team-alpha queued earlier and goes first (0 of 1 restores running)`,
    );

    const first = run(lb, a);
    await waitForPhase(lb, a, 'post_restore');
    expect(await run(lb, c)).toBe('waiting');
    expect(await waitingOf(lb, c)).toBe('team team-alpha has 1 of 1 restores running');

    g.open();
    expect(await first).toBe('completed');
    // the place is free, and c's job fires before b's: b still goes first
    expect(await run(lb, c)).toBe('waiting');
    expect(await waitingOf(lb, c)).toBe(
      `run ${b} of team team-alpha queued earlier and goes first (0 of 1 restores running)`,
    );
    expect((await runRow(lb, c)).status).toBe('queued');
    expect(await run(lb, b)).toBe('completed');
    expect(await run(lb, c)).toBe('completed');

    const started = await Promise.all([a, b, c].map(async (id) => (await runRow(lb, id)).started_at!.getTime()));
    expect([...started].sort((x, y) => x - y)).toEqual(started);
  });

  it('decides under the team advisory lock: a start waits while another holds it', async () => {
    const g = gate();
    g.open();
    const lb = await withoutWorker(limited(1, g));
    const id = await queued(lb, 'locked_out');
    const held = lb.store.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${ADMISSION_LOCK_CLASS}::int4, hashtext('team-alpha'))`.execute(trx);
      const attempt = run(lb, id);
      // the worker's transaction is blocked on the lock this one holds: it cannot have decided
      const deadline = Date.now() + 30_000;
      while (
        Number(
          (
            await sql<{ n: string }>`select count(*) as n from pg_locks
              where locktype = 'advisory' and classid = ${ADMISSION_LOCK_CLASS} and not granted`.execute(lb.store.db)
          ).rows[0]!.n,
        ) !== 1
      ) {
        if (Date.now() > deadline) throw new Error('the worker never waited for the team admission lock');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await runRow(lb, id)).status).toBe('queued');
      return { attempt }; // (not the promise itself: the transaction would wait for it, and it for the lock)
    });
    expect(await (await held).attempt).toBe('completed');
  });
});
