// Progress of a real restore: the worker counts the indexes and constraints pg_restore builds
// against the archive's own list of them, and ends at 100 % in phase done.
import { beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import { backedUp, requestRestoreCli } from '../harness/runs.js';

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
});

describe("a restore run's progress", () => {
  it('counts every index and constraint of the source as built, and ends at 100 %', async () => {
    const lb = await backedUp(servers, fixtureConfig());
    const r = await requestRestoreCli(lb, 'progress_copy');
    expect(r.run.status).toBe('completed');
    // what pg_dump writes to the post-data section: indexes, and constraints other than NOT NULL and CHECK
    const [row] = await servers.prod.query<{ n: string }>(
      'customer',
      `select (select count(*) from pg_indexes where schemaname not in ('pg_catalog', 'information_schema')
                and indexname not in (select conname from pg_constraint))
            + (select count(*) from pg_constraint c join pg_namespace s on s.oid = c.connamespace
                where s.nspname not in ('pg_catalog', 'information_schema') and c.contype in ('p', 'u', 'f', 'x')) as n`,
    );
    const n = Number(row!.n);
    expect(n).toBeGreaterThan(0);
    expect(r.run.progress).toMatchObject({ phase: 'done', percent: 100, itemsTotal: n, itemsDone: n });
    expect(r.run.phase).toBe('done');
  });
});
