// Restore drills against real clusters through the real CLI (PRODUCT.md journey 4): the newest
// verified backup of CustomerDB is restored into a scratch database on dev-pg01, checked (row
// counts against the manifest, the seed 002 checks), dropped, and its evidence pack stored and
// verified; a failing check fails the drill, naming it, and keeps the scratch database; a
// production target is refused by the CLI/API and by the config; a developer views, never runs.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DrillDetail } from '../../src/contract/drills.js';
import { pruneEvidence } from '../../src/drills/evidence-retention.js';
import { lifeboat } from '../harness/cli.js';
import { harnessRoot } from '../harness/cluster.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import { backedUp } from '../harness/runs.js';

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
  // what seed 002's checks look at: a migrations table, row-level security and its policies
  await servers.prod.query(
    'customer',
    `create table schema_migrations (version text primary key);
     insert into schema_migrations values ('20240101_init'), ('20240201_orders');
     alter table customers enable row level security;
     alter table orders enable row level security;
     create policy customers_all on customers using (true);
     create policy orders_all on orders using (true);`,
  );
});

const SEED_CHECKS = `    verify:
      - { name: migrations applied, sql: "select count(*) > 0 from schema_migrations" }
    drill:
      target: dev-pg01
      keep_on_failure: true
      checks:
        - { name: key tables non-empty, sql: "select (select count(*) from customers) > 0 and (select count(*) from orders) > 0" }
        - name: rls enabled
          sql: "select bool_and(relrowsecurity) from pg_class where oid in ('public.customers'::regclass, 'public.orders'::regclass)"
        - name: policies present
          sql: "select count(distinct tablename) from pg_policies where schemaname = 'public' and tablename in ('customers', 'orders')"
          expect: 2
        - { name: join sanity, sql: "select count(*) >= 0 from orders o join customers c on c.id = o.customer_id" }
`;

async function dbExists(name: string): Promise<boolean> {
  const r = await servers.dev.query<{ n: string }>(
    'postgres',
    `select count(*) as n from pg_database where datname = '${name}'`,
  );
  return Number(r[0]!.n) === 1;
}

describe('lifeboat drill', () => {
  it('drills the newest verified backup into dev-pg01: checks pass, scratch dropped, evidence verifies (and a tampered file does not)', async () => {
    const lb = await backedUp(servers, fixtureConfig({ databaseExtra: SEED_CHECKS }));
    const alice = await lb.cliEnv('alice');
    const run = await lifeboat(['drill', 'run', 'CustomerDB', '--wait', '--json'], { env: alice });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const d = JSON.parse(run.stdout) as DrillDetail;
    const newest = await lb.store.db
      .selectFrom('backups')
      .select('id')
      .where('status', '=', 'verified')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(d).toMatchObject({ status: 'passed', database: 'CustomerDB', backupId: newest.id, target: 'dev-pg01' });
    expect(d.error).toBeNull();
    expect(d.keptDatabase).toBeNull();
    expect(d.checks.map((c) => [c.name, c.passed])).toEqual([
      ['row counts match the backup', true],
      ['migrations applied', true],
      ['key tables non-empty', true],
      ['rls enabled', true],
      ['policies present', true],
      ['join sanity', true],
    ]);
    expect(d.checks.find((c) => c.name === 'policies present')?.value).toBe('2');
    // written by pg_restore alone: the row counts are settled as the restore's are, scanning no table
    expect(d.checks[0]!.value).toMatch(
      /^\d+ tables, \d+ rows \((\d+) by the server's count of inserted rows, 0 by count\(\*\)\)$/,
    );
    expect(d.restoreMs).toBeGreaterThan(0);
    expect(d.rows).toBeGreaterThan(0);
    expect(d.scratchDatabase).toBe(`customer__lb_drill_${d.id}`);
    expect(await dbExists(d.scratchDatabase)).toBe(false);
    expect(Object.keys(d.evidence!.files).sort()).toEqual(['manifest.json', 'result.json', 'run.log']);

    // the evidence, downloaded and verified
    const dir = mkdtempSync(join(harnessRoot(), 'evidence-'));
    const ev = await lifeboat(['drill', 'evidence', String(d.id), dir], { env: alice });
    expect(ev.stderr).toBe('');
    expect(ev.code).toBe(0);
    expect(ev.stdout).toContain(`evidence of drill ${d.id} verified (4 files`);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as Record<string, unknown>;
    expect(result).toMatchObject({ drill: d.id, database: 'CustomerDB', backup: newest.id, verdict: 'passed' });
    const proof = JSON.parse(readFileSync(join(dir, 'proof.json'), 'utf8')) as { audit: { seq: number } };
    const event = await lb.store.db
      .selectFrom('audit_events')
      .select(['action', 'subject_id'])
      .where('seq', '=', proof.audit.seq)
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ action: 'drill.pass', subject_id: String(d.id) });
    // the log names no secret
    expect(readFileSync(join(dir, 'run.log'), 'utf8')).not.toContain(servers.env.DEV_PG01_URL!.split('@')[0]);

    // a tampered file in the storage is found
    const stored = join(lb.dir, 'backups', '_drills', String(d.id), 'result.json');
    writeFileSync(stored, readFileSync(stored, 'utf8').replace('"passed"', '"failed"'));
    const tampered = await lifeboat(['drill', 'evidence', String(d.id), mkdtempSync(join(harnessRoot(), 'ev-'))], {
      env: alice,
    });
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain('result.json does not match its hash in proof.json');

    // list and show; a developer views, but may not run
    const jsmith = await lb.cliEnv('jsmith');
    const list = await lifeboat(['drill', 'list', 'CustomerDB'], { env: jsmith });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`drill ${d.id}  CustomerDB     passed`);
    const show = await lifeboat(['drill', 'show', String(d.id)], { env: jsmith });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('pass  policies present: "2"');
    const denied = await lifeboat(['drill', 'run', 'CustomerDB'], { env: jsmith });
    expect(denied.code).toBe(3);

    // a production target is refused, and nothing is queued
    const prod = await lifeboat(['drill', 'run', 'CustomerDB', '--target', 'prod-pg01'], { env: alice });
    expect(prod.code).toBe(3);
    expect(prod.stderr).toContain('unable to drill CustomerDB on prod-pg01: it is a production server');
    const drills = await lb.store.db.selectFrom('drills').select('id').execute();
    expect(drills).toHaveLength(1);
  });

  it('a failing check fails the drill, naming the check, and keeps the scratch database (keep_on_failure)', async () => {
    const config = fixtureConfig({
      databaseExtra: `${SEED_CHECKS}        - { name: no customers at all, sql: "select count(*) = 0 from customers" }\n`,
    });
    const lb = await backedUp(servers, config);
    const run = await lifeboat(['drill', 'run', 'CustomerDB', '--wait', '--json'], { env: await lb.cliEnv('dana') });
    expect(run.code).toBe(1);
    const d = JSON.parse(run.stdout) as DrillDetail;
    expect(d.status).toBe('failed');
    expect(d.errorStep).toBe('verify');
    expect(d.error).toBe('check "no customers at all" did not pass (got false)');
    expect(d.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual(['no customers at all']);
    expect(d.keptDatabase).toBe(d.scratchDatabase);
    expect(await dbExists(d.scratchDatabase)).toBe(true);
    expect(d.evidence).not.toBeNull();

    // evidence is kept 13 months (apart from backup retention), then removed from storage
    const pack = join(lb.dir, 'backups', '_drills', String(d.id));
    const month = 31 * 24 * 3600 * 1000;
    expect(await pruneEvidence({ db: lb.store.db, catalog: lb.catalog }, new Date(Date.now() + 12 * month))).toEqual(
      [],
    );
    expect(existsSync(join(pack, 'proof.json'))).toBe(true);
    expect(await pruneEvidence({ db: lb.store.db, catalog: lb.catalog }, new Date(Date.now() + 14 * month))).toEqual([
      d.id,
    ]);
    expect(existsSync(join(pack, 'proof.json'))).toBe(false);
    const after = await lb.store.db
      .selectFrom('drills')
      .select(['status', 'evidence'])
      .where('id', '=', d.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'failed', evidence: null });
    await servers.dev.query('postgres', `drop database "${d.scratchDatabase}"`);
  });

  it('a scheduled drill fires on its cron, restores, checks and stores its evidence', async () => {
    const lb = await backedUp(
      servers,
      fixtureConfig({
        databaseExtra: SEED_CHECKS.replace('target: dev-pg01', 'target: dev-pg01\n      schedule: "* * * * *"'),
      }),
    );
    // fired by pg-boss's cron within a minute, then run by the worker: polled with a deadline
    const deadline = Date.now() + 150_000;
    let drill;
    for (;;) {
      drill = await lb.store.db
        .selectFrom('drills')
        .select(['id', 'status', 'trigger', 'requested_by', 'evidence'])
        .executeTakeFirst();
      if (drill && drill.status !== 'queued' && drill.status !== 'running' && drill.evidence) break;
      if (Date.now() > deadline) throw new Error(`no scheduled drill finished: ${JSON.stringify(drill)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(drill).toMatchObject({ status: 'passed', trigger: 'schedule', requested_by: 'scheduler' });
    const ev = await lifeboat(['drill', 'evidence', String(drill.id), mkdtempSync(join(harnessRoot(), 'ev-'))], {
      env: await lb.cliEnv('alice'),
    });
    expect(ev.code).toBe(0);
  }, 200_000);

  it('a production drill.target is a config error with a hint', async () => {
    const dir = mkdtempSync(join(harnessRoot(), 'drill-config-'));
    writeFileSync(
      join(dir, 'lifeboat.yaml'),
      fixtureConfig({ databaseExtra: SEED_CHECKS.replace('target: dev-pg01', 'target: prod-pg01') }),
    );
    const r = await lifeboat(['config', 'validate'], { cwd: dir, env: servers.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('drill target "prod-pg01" of CustomerDB is a production server');
    expect(r.stderr).toContain('aim it at a staging, development or test server (dev-pg01)');
  });
});
