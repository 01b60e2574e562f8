// A restore's preview (src/restore/assess/preview.ts) against real clusters: rows in the backup
// against rows in the destination (counted exactly where cheap, the planner's estimate for a big
// table, flagged), a table the destination lacks, the schema differences, the masking plan, a
// destination that is not there or cannot be reached, and the duration estimate with and without
// the history of a real completed restore.
import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { assessChecks, assessPreview, estimateDuration } from '../../src/restore/assess/index.js';
import { assessInput } from '../harness/assess.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import type { TestLifeboat } from '../harness/lifeboat.js';
import { CUSTOMER_TEMPLATE_DB } from '../harness/paths.js';
import { backedUp, requestRestoreCli } from '../harness/runs.js';

const MASKING = `    masking:
      key: env:MASKING_KEY
      rules:
        - { table: public.customers, column: email, transform: token }
        - { table: public.customers, column: full_name, transform: name }`;

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

let servers: FixtureServers;
let lb: TestLifeboat;
beforeAll(async () => {
  servers = await startFixtureServers();
  const config = fixtureConfig({ databaseExtra: MASKING }).replace(
    '  dev-pg01:  { engine: postgres, tier: development, url: env:DEV_PG01_URL }',
    '  dev-pg01:  { engine: postgres, tier: development, url: env:DEV_PG01_URL }\n  gone-pg01: { engine: postgres, tier: development, url: env:GONE_URL }',
  );
  lb = await backedUp(servers, config, {
    env: { GONE_URL: `postgres://postgres:pw@127.0.0.1:${await closedPort()}/postgres` },
  });
});

const FIXTURE_ROWS = { 'Sales Dept.Order': 1358, 'public.customers': 500, 'public.orders': 1358 };

describe('rows in the backup against rows in the destination', () => {
  it('counts small tables exactly, takes the estimate of a big one (flagged), and says which table is absent', async () => {
    await servers.dev.createDatabase('counted', CUSTOMER_TEMPLATE_DB);
    // a table past both limits of a cheap count (100,000 estimated rows, 16 MB)
    await servers.dev.query(
      'counted',
      `insert into "Sales Dept"."Order" (customer_email, amount, region)
         select 'x' || g || '@example.com', g, repeat('r', 80) from generate_series(1, 150000) g;
       analyze "Sales Dept"."Order";
       delete from customers where id > 490 and id not in (select customer_id from orders);
       drop table orders`,
    );
    const [{ estimate }] = (await servers.dev.query<{ estimate: number }>(
      'counted',
      `select reltuples::float8 as estimate from pg_class where oid = '"Sales Dept"."Order"'::regclass`,
    )) as [{ estimate: number }];
    const [{ customers }] = (await servers.dev.query<{ customers: number }>(
      'counted',
      'select count(*)::int as customers from customers',
    )) as [{ customers: number }];
    const preview = await assessPreview(await assessInput(lb, 'dev-pg01/counted'));
    expect(preview.tables.map(({ masking: _m, ...t }) => t)).toEqual([
      {
        table: 'Sales Dept.Order',
        rowsInBackup: FIXTURE_ROWS['Sales Dept.Order'],
        rowsInDestination: Math.round(estimate),
        rowsInDestinationEstimated: true,
        inDestination: 'present',
      },
      { table: 'public.customers', rowsInBackup: 500, rowsInDestination: customers, inDestination: 'present' },
      { table: 'public.orders', rowsInBackup: 1358, rowsInDestination: 0, inDestination: 'absent' },
    ]);
    expect(Math.round(estimate)).toBeGreaterThan(100_000);
    expect(preview.destination).toEqual({
      reachable: true,
      exists: true,
      note: 'dev-pg01/counted exists: the restore replaces it',
    });
  });

  it('a destination that does not exist yet: every table absent; one that cannot be reached: unknown', async () => {
    const fresh = await assessPreview(await assessInput(lb, 'dev-pg01/not_there'));
    expect(fresh.tables.map((t) => [t.table, t.rowsInDestination, t.inDestination])).toEqual([
      ['Sales Dept.Order', 0, 'absent'],
      ['public.customers', 0, 'absent'],
      ['public.orders', 0, 'absent'],
    ]);
    expect(fresh.schema).toEqual({
      status: 'destination_absent',
      note: 'the destination database does not exist: the restore creates it',
      tablesAdded: ['Sales Dept.Order', 'public.customers', 'public.orders'],
      tablesRemoved: [],
      columns: [],
    });
    const gone = await assessPreview(await assessInput(lb, 'gone-pg01/copy'));
    expect(gone.tables.map((t) => [t.table, t.rowsInBackup, t.rowsInDestination, t.inDestination])).toEqual([
      ['Sales Dept.Order', 1358, null, 'unknown'],
      ['public.customers', 500, null, 'unknown'],
      ['public.orders', 1358, null, 'unknown'],
    ]);
    expect(gone.destination).toEqual({
      reachable: false,
      exists: null,
      note: 'gone-pg01 could not be reached: the rows in the destination are unknown',
    });
    expect(gone.schema?.status).toBe('destination_unknown');
  });
});

describe('schema differences', () => {
  it('tables and columns added, removed and changed, against the columns the backup recorded', async () => {
    await servers.dev.createDatabase('reshaped', CUSTOMER_TEMPLATE_DB);
    await servers.dev.query(
      'reshaped',
      `alter table customers add column loyalty int not null default 0;
       alter table customers drop column birth_date;
       alter table orders alter column status type varchar(20);
       alter table orders alter column customer_email drop not null;
       drop table "Sales Dept"."Order";
       create table public.audit_trail (id int)`,
    );
    const preview = await assessPreview(await assessInput(lb, 'dev-pg01/reshaped'));
    expect(preview.schema).toEqual({
      status: 'compared',
      note: 'table Sales Dept.Order added; table public.audit_trail removed; column public.customers.birth_date added (date); column public.customers.loyalty removed (integer not null); public.orders.customer_email: text → text not null; public.orders.status: character varying(20) not null → text not null',
      tablesAdded: ['Sales Dept.Order'],
      tablesRemoved: ['public.audit_trail'],
      columns: [
        { table: 'public.customers', column: 'birth_date', change: 'added', backup: 'date' },
        { table: 'public.customers', column: 'loyalty', change: 'removed', destination: 'integer not null' },
        {
          table: 'public.orders',
          column: 'customer_email',
          change: 'changed',
          backup: 'text not null',
          destination: 'text',
        },
        {
          table: 'public.orders',
          column: 'status',
          change: 'changed',
          backup: 'text not null',
          destination: 'character varying(20) not null',
        },
      ],
    });
  });

  it('indexes, constraints, defaults, triggers and functions that differ, from the schema snapshots; a table scope limits them', async () => {
    await servers.dev.createDatabase('tuned', CUSTOMER_TEMPLATE_DB);
    await servers.dev.query(
      'tuned',
      `create index customers_phone_idx on customers (phone);
       alter table orders drop constraint orders_customer_id_fkey;
       alter table customers alter column notes set default 'none';
       create function touch() returns trigger language plpgsql as $$ begin return new; end $$;
       create trigger customers_touch before update on customers for each row execute function touch()`,
    );
    const preview = await assessPreview(await assessInput(lb, 'dev-pg01/tuned'));
    expect(preview.schema).toMatchObject({ status: 'compared', tablesAdded: [], tablesRemoved: [], columns: [] });
    // relative to the destination: `added` is what the restore creates, `removed` what it drops
    const objects = (preview.schema as { objects?: Array<{ change: string; kind: string; name: string }> }).objects;
    expect(objects?.map((o) => `${o.change} ${o.kind} ${o.name}`)).toEqual([
      'changed column public.customers.notes',
      'removed index public.customers_phone_idx',
      'removed trigger public.customers.customers_touch',
      'added constraint public.orders.orders_customer_id_fkey',
      'removed function public.touch()',
    ]);
    const checks = await assessChecks(await assessInput(lb, 'dev-pg01/tuned'));
    const check = checks.find((c) => c.code === 'schema_differs')!;
    expect(check.severity).toBe('warning');
    expect(check.message).toContain(
      'column public.customers.notes changed (default); index public.customers_phone_idx removed; trigger public.customers.customers_touch removed; constraint public.orders.orders_customer_id_fkey added; function public.touch() removed',
    );
    expect(check.details).toMatchObject({ objects: 5 });

    const scoped = await assessPreview(await assessInput(lb, 'dev-pg01/tuned', { tables: ['orders'] }));
    const scopedObjects = (scoped.schema as { objects?: Array<{ change: string; kind: string; name: string }> })
      .objects;
    expect(scopedObjects?.map((o) => `${o.change} ${o.kind} ${o.name}`)).toEqual([
      'added constraint public.orders.orders_customer_id_fkey',
    ]);
  });

  it('the same schema: nothing listed, and the check says every object was compared', async () => {
    await servers.dev.createDatabase('same', CUSTOMER_TEMPLATE_DB);
    const preview = await assessPreview(await assessInput(lb, 'dev-pg01/same'));
    expect(preview.schema).toEqual({
      status: 'compared',
      note: 'the same schema',
      tablesAdded: [],
      tablesRemoved: [],
      columns: [],
    });
    const checks = await assessChecks(await assessInput(lb, 'dev-pg01/same'));
    expect(checks.find((c) => c.code === 'schema_differs')).toMatchObject({
      severity: 'safe',
      message: "the destination has the backup's schema: tables, columns and every other object",
    });
  });

  // A backup taken before Lifeboat recorded columns has no `schema` in its manifest: its
  // manifest is given here as such a backup's would be read.
  it('a backup that did not record its columns says so, and compares table names only', async () => {
    const input = await assessInput(lb, 'dev-pg01/reshaped');
    const { schema: _recorded, ...older } = input.backup.manifest;
    const preview = await assessPreview({ ...input, backup: { ...input.backup, manifest: older } });
    expect(preview.schema).toEqual({
      status: 'tables_only',
      note: 'schema of this backup not recorded (taken before Lifeboat recorded it): only table names are compared',
      tablesAdded: ['Sales Dept.Order'],
      tablesRemoved: ['public.audit_trail'],
      columns: [],
    });
  });
});

describe('the masking plan', () => {
  it('every masked column into development; nothing into production (a rollback is not masked)', async () => {
    const dev = await assessPreview(await assessInput(lb, 'dev-pg01/not_there'));
    expect(dev.maskingPlan).toEqual([
      { table: 'public.customers', column: 'email', transform: 'token' },
      { table: 'public.customers', column: 'full_name', transform: 'name' },
    ]);
    expect(dev.tables.map((t) => [t.table, t.masking])).toEqual([
      ['Sales Dept.Order', []],
      ['public.customers', ['email: token', 'full_name: name']],
      ['public.orders', []],
    ]);
    expect(dev.masking).toEqual({ applied: true, note: '2 masking rule(s) applied in the stream' });
    const prod = await assessPreview(await assessInput(lb, 'prod-pg01/customer'));
    expect(prod.maskingPlan).toEqual([]);
    expect(prod.masking).toEqual({
      applied: false,
      note: 'not masked: a production destination gets the data as it was (a rollback)',
    });
  });
});

describe('the estimated duration', () => {
  it('no history, then the history of a real completed restore of the same backup onto the server', async () => {
    const input = await assessInput(lb, 'dev-pg01/not_there');
    const bytes = input.backup.manifest.totals.bytes;
    const before = await assessPreview(input);
    expect(before.duration?.estimateMs).toBeNull();
    expect(before.duration?.basis).toMatch(
      /^no history: no past restore to dev-pg01 of a similar size \(\d+ kB–\d+ kB\)$/,
    );

    const done = await requestRestoreCli(lb, 'restored_once');
    expect(done.run.status).toBe('completed');
    const after = await assessPreview(input);
    const run = await lb.store.db
      .selectFrom('restore_runs')
      .select(['started_at', 'finished_at'])
      .where('id', '=', done.run.id)
      .executeTakeFirstOrThrow();
    // the same backup: scaled by 1, the estimate is that restore's duration (the store keeps
    // microseconds, a Date milliseconds)
    expect(after.duration?.basis).toBe(`1 past restore to dev-pg01 of ${Math.round(bytes / 1024)} kB, scaled by size`);
    const took = run.finished_at!.getTime() - run.started_at!.getTime();
    expect(Math.abs(after.duration!.estimateMs! - took)).toBeLessThanOrEqual(1);
    // another server has no history of its own
    expect((await assessPreview(await assessInput(lb, 'prod-pg01/customer'))).duration?.estimateMs).toBeNull();
    // a table-scoped restore is not estimated from whole-database restores
    expect((await assessPreview(await assessInput(lb, 'dev-pg01/x', { tables: ['orders'] }))).duration).toEqual({
      estimateMs: null,
      basis: "no estimate for a table-scoped restore: past restores record their backup's size, not their scope's",
    });
  });
});

describe('estimateDuration (pure)', () => {
  const MB = 1024 * 1024;
  const past = (runId: number, seconds: number, mb: number, wholeDatabase = true) => ({
    runId,
    durationMs: seconds * 1000,
    bytes: mb * MB,
    wholeDatabase,
  });

  it('the median of restores from half to twice the size, each scaled to this size', () => {
    const history = [
      past(1, 60, 10), // 20 MB: 120 s
      past(2, 100, 20), // 100 s
      past(3, 160, 40), // 80 s
      past(4, 10, 9), // under half the size: not similar
      past(5, 500, 41), // over twice the size: not similar
      past(6, 1, 20, false), // table-scoped: not compared
    ];
    expect(estimateDuration(history, 20 * MB, 'dev-pg01', true)).toEqual({
      estimateMs: 100_000,
      basis: 'median of 3 past restores to dev-pg01 of 10 MB–40 MB, scaled by size',
    });
    expect(estimateDuration(history.slice(0, 2), 20 * MB, 'dev-pg01', true).estimateMs).toBe(110_000);
  });

  it('no similar restore: no estimate, and the size range it looked for', () => {
    expect(estimateDuration([past(1, 60, 100)], 20 * MB, 'dev-pg01', true)).toEqual({
      estimateMs: null,
      basis: 'no history: no past restore to dev-pg01 of a similar size (10 MB–40 MB)',
    });
  });
});
