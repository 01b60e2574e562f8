// Schema snapshots, diffs and drift through the real CLI and API against the fixture clusters:
// journey 6 (a column added by hand is found, exit 1; accept makes the next check clean), a
// backup against the live database, --sql from migra applied to the older side, the access
// matrix of the new routes, hostile sides, and no password in any output.
import { readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DiffResult, DriftResult, SnapshotDoc } from '../../src/contract/schema.js';
import { lifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import type { TestLifeboat } from '../harness/lifeboat.js';
import { scratchPrefix } from '../../src/engines/postgres/scratch-cluster.js';
import { CUSTOMER_TEMPLATE_DB, PASSWORD } from '../harness/paths.js';
import { backedUp } from '../harness/runs.js';

// a second catalog database on the development server: a copy of CustomerDB's fixture
const STAGING = `  StagingDB:
    server: dev-pg01
    name: staging
    owner: team-alpha`;

let servers: FixtureServers;
let lb: TestLifeboat;
let backupId: string;
const outputs: string[] = [];

/** Throwaway clusters' directories left behind (there must be none). */
const scratchDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith(scratchPrefix()));

async function cli(user: string, args: string[]) {
  const r = await lifeboat(args, { env: await lb.cliEnv(user) });
  outputs.push(r.stdout, r.stderr);
  return r;
}

async function api(user: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${lb.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await lb.token(user)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  outputs.push(text);
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
}

async function auditCount(action: string): Promise<number> {
  const r = await lb.store.db
    .selectFrom('audit_events')
    .select((e) => e.fn.countAll<string>().as('n'))
    .where('action', '=', action)
    .where('outcome', '!=', 'denied')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

beforeAll(async () => {
  servers = await startFixtureServers();
  await servers.dev.createDatabase('staging', CUSTOMER_TEMPLATE_DB);
  lb = await backedUp(servers, fixtureConfig({ databaseExtra: STAGING }));
  const b = await lb.store.db.selectFrom('backups').select('id').executeTakeFirstOrThrow();
  backupId = b.id;
});

describe('journey 6: schema drift CustomerDB', () => {
  it('has no reference before the first accept, and says how to make one', async () => {
    const r = await cli('jsmith', ['schema', 'drift', 'CustomerDB']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('CustomerDB has no schema reference to check drift against');
    expect(r.stderr).toContain('lifeboat schema accept CustomerDB');
  });

  it('finds a column added by hand (exit 1, naming table and column), once in the audit; accept makes it clean', async () => {
    const accepted = await cli('alice', ['schema', 'accept', 'CustomerDB', '--comment', 'baseline']);
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/^snapshot 1 of CustomerDB: \d+ objects, .* accepted by alice \(baseline\)\n/);

    const clean = await cli('jsmith', ['schema', 'drift', 'CustomerDB']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('no drift');

    await servers.prod.query('customer', 'alter table customers add column nickname text');
    const drift = await cli('jsmith', ['schema', 'drift', 'CustomerDB']);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain(
      [
        'DRIFT:',
        'public.customers',
        '  + column public.customers.nickname  text',
        '1 difference(s): 1 added, 0 removed, 0 changed',
      ].join('\n'),
    );
    const json = JSON.parse((await cli('jsmith', ['schema', 'drift', 'CustomerDB', '--json'])).stdout) as DriftResult;
    expect(json.drift).toBe(true);
    expect(json.changes).toEqual([
      {
        change: 'added',
        kind: 'column',
        name: 'public.customers.nickname',
        table: 'public.customers',
        definition: { type: 'text' },
      },
    ]);
    // every check stores a report; the same drift is recorded and notified (through the outbox) once
    const reports = await lb.store.db.selectFrom('schema_drift_reports').select(['drift']).orderBy('id').execute();
    expect(reports.map((r) => r.drift)).toEqual([false, true, true]);
    expect(await auditCount('schema.drift')).toBe(1);
    const events = await lb.store.db
      .selectFrom('notification_events')
      .select(['type', 'subject_id', 'data'])
      .where('type', '=', 'schema.drift')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      subject_id: 'CustomerDB',
      data: { database: 'CustomerDB', differences: 1, objects: ['added column public.customers.nickname'] },
    });

    const again = await cli('alice', ['schema', 'accept', 'CustomerDB', '--comment', 'nickname is wanted']);
    expect(again.code).toBe(0);
    expect((await cli('jsmith', ['schema', 'drift', 'CustomerDB'])).code).toBe(0);
    expect(await auditCount('schema.accept')).toBe(2);
  });
});

describe('schema snapshot, list, show and diff', () => {
  it('two snapshots of an unchanged database have the same fingerprint; list and show them', async () => {
    const one = JSON.parse((await cli('jsmith', ['schema', 'snapshot', 'CustomerDB', '--json'])).stdout) as SnapshotDoc;
    const two = JSON.parse((await cli('jsmith', ['schema', 'snapshot', 'CustomerDB', '--json'])).stdout) as SnapshotDoc;
    expect(two.fingerprint).toBe(one.fingerprint);
    const list = await cli('jsmith', ['schema', 'list', 'CustomerDB']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(new RegExp(`^snapshot ${two.id} of CustomerDB: \\d+ objects`));
    const show = await cli('jsmith', ['schema', 'show', one.id]);
    expect(show.stdout).toContain('  column public.customers.nickname\n');
    expect(show.stdout).toContain('  table "Sales Dept"."Order"\n');
  });

  it('a backup against the live database, without restoring it', async () => {
    const r = await cli('jsmith', ['schema', 'diff', backupId, 'live:CustomerDB']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        `a: backup ${backupId} of CustomerDB`,
        'b: live:CustomerDB',
        'public.customers',
        '  + column public.customers.nickname  text',
        '1 difference(s): 1 added, 0 removed, 0 changed',
        '',
      ].join('\n'),
    );
  });

  it('--sql (migra) between two live databases, applied to the older side, leaves no difference', async () => {
    await servers.dev.query('staging', 'create index orders_placed_idx on orders (customer_id, id)');
    const sql = await cli('jsmith', ['schema', 'diff', 'live:StagingDB', 'live:CustomerDB', '--sql']);
    expect(sql.stderr).toBe('');
    expect(sql.code).toBe(0);
    expect(sql.stdout).toContain('alter table "public"."customers" add column "nickname" text;');
    expect(sql.stdout).toContain('drop index if exists "public"."orders_placed_idx";');
    await servers.dev.query('staging', sql.stdout);
    const after = JSON.parse(
      (await cli('jsmith', ['schema', 'diff', 'live:StagingDB', 'live:CustomerDB', '--json'])).stdout,
    ) as DiffResult;
    expect(after.changes).toEqual([]);
    expect(after.equal).toBe(true);
  });

  it('--sql from a backup: its schema restored into a throwaway cluster, then migra', async () => {
    const r = await cli('jsmith', ['schema', 'diff', backupId, 'live:CustomerDB', '--sql']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('alter table "public"."customers" add column "nickname" text;');
    const back = await cli('jsmith', ['schema', 'diff', 'live:CustomerDB', `backup:${backupId}`, '--sql']);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('alter table "public"."customers" drop column "nickname";');
    expect(scratchDirs()).toEqual([]);
  });

  it('refuses --sql for a snapshot side, with a hint', async () => {
    const r = await cli('jsmith', ['schema', 'diff', '1', 'live:CustomerDB', '--sql']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'unable to produce SQL for snapshot 1 of CustomerDB: a snapshot holds no SQL to build a database from',
    );
    expect(r.stderr).toContain('a live database, a backup or a reference .sql file');
  });

  it('a snapshot document file is a side', async () => {
    const shown = await cli('jsmith', ['schema', 'show', '1', '--json']);
    const file = join(lb.dir, 'reference.json');
    writeFileSync(file, shown.stdout);
    const r = await cli('jsmith', ['schema', 'diff', file, 'live:CustomerDB']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('a: reference.json\n');
    expect(r.stdout).toContain('  + column public.customers.nickname  text');
  });

  it('hostile sides get a clear error', async () => {
    const unknown = await cli('jsmith', ['schema', 'diff', '20200101T000000Z-dead', 'live:CustomerDB']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('backup 20200101T000000Z-dead does not exist');
    const notJson = join(lb.dir, 'notes.txt');
    writeFileSync(notJson, 'DROP TABLE everything; -- not a snapshot');
    const bad = await cli('jsmith', ['schema', 'diff', notJson, 'live:CustomerDB']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`unable to read ${notJson}: not JSON`);
    const missing = await cli('jsmith', ['schema', 'diff', 'schema/customer.sql', 'live:CustomerDB']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('unable to read diff side "schema/customer.sql": no such file');
    const noSnapshot = await cli('jsmith', ['schema', 'show', '999']);
    expect(noSnapshot.code).toBe(4);
    expect(noSnapshot.stderr).toContain('schema snapshot 999 does not exist');
    const unknownDb = await cli('jsmith', ['schema', 'diff', 'live:Nope', 'live:CustomerDB']);
    expect(unknownDb.code).toBe(4);
  });
});

describe('access to the schema routes', () => {
  const live = { a: { kind: 'live', database: 'CustomerDB' }, b: { kind: 'live', database: 'CustomerDB' } };
  const CASES: Array<[string, string, string, unknown, number]> = [
    // user, method, path, body, status
    ['jsmith', 'GET', '/api/v1/databases/CustomerDB/schema/snapshots', undefined, 200],
    ['jsmith', 'POST', '/api/v1/schema/diff', live, 200],
    ['jsmith', 'POST', '/api/v1/databases/CustomerDB/schema/snapshots', undefined, 200],
    ['jsmith', 'POST', '/api/v1/databases/CustomerDB/schema/drift', undefined, 200],
    ['jsmith', 'POST', '/api/v1/databases/CustomerDB/schema/accept', {}, 403],
    ['audrey', 'GET', '/api/v1/databases/CustomerDB/schema/snapshots', undefined, 200],
    ['audrey', 'GET', '/api/v1/schema/snapshots/1', undefined, 200],
    ['audrey', 'POST', '/api/v1/schema/diff', live, 200],
    ['audrey', 'POST', '/api/v1/databases/CustomerDB/schema/snapshots', undefined, 403],
    ['audrey', 'POST', '/api/v1/databases/CustomerDB/schema/drift', undefined, 403],
    ['audrey', 'POST', '/api/v1/databases/CustomerDB/schema/accept', {}, 403],
    ['rita', 'POST', '/api/v1/schema/diff', live, 200],
    ['rita', 'POST', '/api/v1/databases/CustomerDB/schema/accept', {}, 403],
    ['alice', 'POST', '/api/v1/databases/CustomerDB/schema/accept', {}, 200],
    ['dana', 'POST', '/api/v1/databases/CustomerDB/schema/accept', { comment: 'dba' }, 200],
  ];
  for (const [user, method, path, body, status] of CASES) {
    it(`${user} ${method} ${path} → ${status}`, async () => {
      const r = await api(user, method, path, body);
      expect(r.status).toBe(status);
    });
  }

  it('a developer may not accept: the refusal names the rule', async () => {
    const r = await cli('jsmith', ['schema', 'accept', 'CustomerDB']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      "unable to schema accept: jsmith's roles (developer) do not allow schema.accept on CustomerDB",
    );
  });
});

describe('secrets', () => {
  it('no output of any command above holds the servers password', () => {
    expect(outputs.length).toBeGreaterThan(20);
    // (the harness's temporary directories are named lifeboat-test-…, like the password)
    for (const o of outputs) expect(o.replaceAll(/lifeboat-test-\w+/g, '')).not.toContain(PASSWORD);
  });
});
