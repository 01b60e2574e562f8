// Kept previous copies: which ones are dropped (a pure table), and against real servers, that
// restores into one destination leave at most keep_previous_count copies there, listed with
// their size; and that `restore undo` undoes only the latest swap of a destination.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunDoc } from '../../src/contract/runs.js';
import { formatBytes } from '../../src/lib/bytes.js';
import { type KeptCopy, keptCopiesToDrop } from '../../src/restore/kept-copies.js';
import { lifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers, tableContents } from '../harness/fixtures.js';
import type { TestLifeboat } from '../harness/lifeboat.js';
import { backedUp, requestRestoreCli, existingDestination } from '../harness/runs.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000);
const copy = (runId: number, o: Partial<KeptCopy> = {}): KeptCopy => ({
  runId,
  destination: 'dev-pg01/app',
  dbname: `app__lb_prev_${runId}`,
  keptAt: at(100 - runId),
  expiresAt: at(-60),
  keepCount: 1,
  ...o,
});

describe('keptCopiesToDrop', () => {
  const cases: Array<[string, KeptCopy[], Array<[number, 'expired' | 'over_count']>]> = [
    ['nothing kept', [], []],
    ['one copy, within its time', [copy(1)], []],
    [
      'count 1: all but the newest',
      [copy(1), copy(2), copy(3)],
      [
        [2, 'over_count'],
        [1, 'over_count'],
      ],
    ],
    [
      'count 2: all but the two newest',
      [copy(1, { keepCount: 2 }), copy(2, { keepCount: 2 }), copy(3, { keepCount: 2 })],
      [[1, 'over_count']],
    ],
    ['count 3: none', [copy(1, { keepCount: 3 }), copy(2, { keepCount: 3 }), copy(3, { keepCount: 3 })], []],
    ["the newest copy's database sets the count", [copy(1), copy(2), copy(3, { keepCount: 3 })], []],
    [
      'order in the input does not matter',
      [copy(3), copy(1), copy(2)],
      [
        [2, 'over_count'],
        [1, 'over_count'],
      ],
    ],
    [
      'newest by when it was kept, not by run id (an undo keeps a copy later)',
      [copy(1, { keptAt: at(1) }), copy(2)],
      [[2, 'over_count']],
    ],
    [
      'the same time: the higher run id is newer',
      [copy(1, { keptAt: at(5) }), copy(2, { keptAt: at(5) })],
      [[1, 'over_count']],
    ],
    [
      'past keep_previous: expired, even within the count',
      [copy(1, { keepCount: 3, expiresAt: at(1) }), copy(2, { keepCount: 3 })],
      [[1, 'expired']],
    ],
    ['expiring exactly now: expired', [copy(1, { expiresAt: NOW })], [[1, 'expired']]],
    ['no expiry time: kept', [copy(1, { expiresAt: null })], []],
    [
      'a copy production replaced is kept past its time and beyond the count',
      [copy(1, { pinned: true, expiresAt: at(10) }), copy(2, { pinned: true }), copy(3)],
      [],
    ],
    [
      'pinned copies still count as newer: an unpinned older one goes',
      [copy(1), copy(2, { pinned: true })],
      [[1, 'over_count']],
    ],
    ['a count below 1 keeps one', [copy(1, { keepCount: 0 }), copy(2, { keepCount: 0 })], [[1, 'over_count']]],
    [
      'destinations are counted apart',
      [copy(1), copy(2, { destination: 'dev-pg01/other' }), copy(3), copy(4, { destination: 'dev-pg01/other' })],
      [
        [1, 'over_count'],
        [2, 'over_count'],
      ],
    ],
  ];
  for (const [name, copies, expected] of cases) {
    it(name, () => {
      const r = keptCopiesToDrop(copies, NOW).map((d) => [d.copy.runId, d.reason]);
      expect(r).toEqual(expected);
    });
  }
});

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
});

async function namesLike(prefix: string): Promise<string[]> {
  const rows = await servers.dev.query<{ datname: string }>(
    'postgres',
    `select datname from pg_database where starts_with(datname, $1) order by 1`,
    [prefix],
  );
  return rows.map((r) => r.datname);
}

describe('kept copies beyond keep_previous_count', () => {
  let lb: TestLifeboat;
  beforeAll(async () => {
    lb = await backedUp(servers, fixtureConfig());
  });

  it('three restores into one destination (count 1) leave one kept copy, listed with its size', async () => {
    await existingDestination(servers, 'thrice');
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await requestRestoreCli(lb, 'thrice');
      expect(r.run.status).toBe('completed');
      ids.push(r.run.id);
    }
    const [a, b, c] = ids as [number, number, number];
    expect(await namesLike('thrice')).toEqual(['thrice', `thrice__lb_prev_${c}`]);
    const rows = await lb.store.db
      .selectFrom('restore_runs')
      .select(['id', 'previous_dbname', 'previous_dropped_at'])
      .where('id', 'in', ids)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.id, r.previous_dbname, r.previous_dropped_at !== null])).toEqual([
      [a, `thrice__lb_prev_${a}`, true],
      [b, `thrice__lb_prev_${b}`, true],
      [c, `thrice__lb_prev_${c}`, false],
    ]);
    const drops = await lb.store.db
      .selectFrom('audit_events')
      .select(['actor', 'subject_id', 'details'])
      .where('action', '=', 'restore.drop_previous')
      .orderBy('seq')
      .execute();
    expect(drops).toEqual([
      {
        actor: 'worker',
        subject_id: String(a),
        details: {
          dbname: `thrice__lb_prev_${a}`,
          destination: 'dev-pg01/thrice',
          reason: 'over_count',
          keepPreviousCount: 1,
        },
      },
      {
        actor: 'worker',
        subject_id: String(b),
        details: {
          dbname: `thrice__lb_prev_${b}`,
          destination: 'dev-pg01/thrice',
          reason: 'over_count',
          keepPreviousCount: 1,
        },
      },
    ]);

    const [{ size }] = (await servers.dev.query<{ size: string }>(
      'postgres',
      'select pg_database_size($1)::text as size',
      [`thrice__lb_prev_${c}`],
    )) as [{ size: string }];
    const env = await lb.cliEnv('jsmith');
    const json = await lifeboat(['restore', 'list', '--json'], { env });
    expect(json.stderr).toBe('');
    const runs = (JSON.parse(json.stdout) as { runs: RunDoc[] }).runs;
    expect(runs.map((r) => [r.id, r.previous])).toEqual([
      [c, { dbname: `thrice__lb_prev_${c}`, expiresAt: expect.any(String), dropped: false, sizeBytes: Number(size) }],
      [b, { dbname: `thrice__lb_prev_${b}`, expiresAt: expect.any(String), dropped: true, sizeBytes: null }],
      [a, { dbname: `thrice__lb_prev_${a}`, expiresAt: expect.any(String), dropped: true, sizeBytes: null }],
    ]);
    const expiresAt = runs[0]!.previous!.expiresAt;
    const text = await lifeboat(['restore', 'list'], { env });
    expect(text.stdout.split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(new RegExp(`^ +${c}  completed +CustomerDB → dev-pg01/thrice  jsmith  `)),
      `       kept copy dev-pg01/thrice__lb_prev_${c} (${formatBytes(Number(size))}) until ${expiresAt}`,
    ]);
  });
});

describe('restore undo', () => {
  let lb: TestLifeboat;
  beforeAll(async () => {
    // three copies kept, so that the older run still has its copy when its undo is asked
    lb = await backedUp(servers, fixtureConfig({ databaseExtra: '    keep_previous_count: 3' }));
  });

  it('of an older run is refused while a newer one has completed into the destination', async () => {
    const before = await existingDestination(servers, 'twice');
    const first = (await requestRestoreCli(lb, 'twice')).run;
    await servers.dev.query('twice', `update customers set full_name = 'work of the first run'`);
    const afterFirst = await tableContents(servers.dev, 'twice');
    const second = (await requestRestoreCli(lb, 'twice')).run;
    expect([first.status, second.status]).toEqual(['completed', 'completed']);
    const afterSecond = await tableContents(servers.dev, 'twice');
    const env = await lb.cliEnv('jsmith');

    const refused = await lifeboat(['restore', 'undo', String(first.id)], { env });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toBe(
      `lifeboat: run ${first.id} is not the latest restore into dev-pg01/twice: run ${second.id} completed into it at ${second.finishedAt}, and undoing run ${first.id} would move that work aside\nHINT: undo run ${second.id} first (\`lifeboat restore undo ${second.id}\`)\n`,
    );
    expect(await tableContents(servers.dev, 'twice')).toEqual(afterSecond);

    // the latest first: the database the first run left (with its work) comes back
    const undoSecond = await lifeboat(['restore', 'undo', String(second.id)], { env });
    expect(undoSecond.stderr).toBe('');
    expect(undoSecond.stdout).toBe(
      `run ${second.id} undone: dev-pg01/twice is back as it was before run ${second.id}; the database that was in place (the run's restored copy) is moved aside as twice__lb_undone_${second.id}\n`,
    );
    expect(await tableContents(servers.dev, 'twice')).toEqual(afterFirst);
    // kept copies refuse connections (swapIntoPlace): their content is what was swapped out, unread
    expect(await namesLike('twice__lb_undone_')).toEqual([`twice__lb_undone_${second.id}`]);

    // then the first one may be undone: the destination as it was before both
    const undoFirst = await lifeboat(['restore', 'undo', String(first.id), '--json'], { env });
    expect(undoFirst.code).toBe(0);
    expect((JSON.parse(undoFirst.stdout) as RunDoc).previous?.dbname).toBe(`twice__lb_undone_${first.id}`);
    expect(await tableContents(servers.dev, 'twice')).toEqual(before);

    const audit = await lb.store.db
      .selectFrom('audit_events')
      .select(['subject_id', 'details'])
      .where('action', '=', 'restore.undo')
      .orderBy('seq')
      .execute();
    expect(audit).toEqual([
      {
        subject_id: String(second.id),
        details: {
          destination: 'dev-pg01/twice',
          restored: `twice__lb_prev_${second.id}`,
          movedAside: `twice__lb_undone_${second.id}`,
        },
      },
      {
        subject_id: String(first.id),
        details: {
          destination: 'dev-pg01/twice',
          restored: `twice__lb_prev_${first.id}`,
          movedAside: `twice__lb_undone_${first.id}`,
        },
      },
    ]);
  });

  it('shows what an undo would move aside', async () => {
    await existingDestination(servers, 'shown');
    const r = (await requestRestoreCli(lb, 'shown')).run;
    const show = await lifeboat(['restore', 'show', String(r.id)], { env: await lb.cliEnv('jsmith') });
    // (the checks and the preview follow)
    expect(show.stdout.split('\n').slice(2, 4)).toEqual([
      expect.stringMatching(
        new RegExp(`^  previous copy kept as dev-pg01/shown__lb_prev_${r.id} \\(\\d+\\.\\d (KiB|MiB)\\) until `),
      ),
      `  \`lifeboat restore undo ${r.id}\` puts it back and moves the current shown aside as shown__lb_undone_${r.id}`,
    ]);
  });
});
