// A reference SQL file (schema.reference, and .sql files as diff sides), applied to a throwaway
// cluster on the Lifeboat host: drift against `pg_dump --schema-only` of the database is clean; a
// column added by hand is drift (exit 1) with the SQL that removes it; hostile files (not SQL, a
// psql shell escape, COPY … TO PROGRAM) get a clear error naming the file and line, and the
// scratch cluster is always removed. Then drift_schedule: a scheduled drift notifies a real HTTP
// receiver once, and a second firing with the same drift does not notify again.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftResult } from '../../src/contract/schema.js';
import { pgBin } from '../../src/engines/postgres/binaries.js';
import { libpqEnv } from '../../src/engines/postgres/libpq.js';
import { run } from '../../src/lib/process.js';
import { Secret } from '../../src/lib/secret.js';
import { type HttpReceiver, startHttpReceiver } from '../notify/receivers.js';
import { lifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import { startTestLifeboat, type TestLifeboat } from '../harness/lifeboat.js';
import { scratchPrefix } from '../../src/engines/postgres/scratch-cluster.js';
import { CUSTOMER_TEMPLATE_DB } from '../harness/paths.js';

// RefDB: a copy of CustomerDB whose drift reference is a SQL file
const REF_DB = `  RefDB:
    server: prod-pg01
    name: refdb
    owner: team-alpha
    schema:
      reference: schema/customer.sql`;

let servers: FixtureServers;
let http: HttpReceiver;
let lb: TestLifeboat;
let referenceSql: string;

const scratchDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith(scratchPrefix()));

async function cli(user: string, args: string[], cwd?: string) {
  return lifeboat(args, { env: await lb.cliEnv(user), ...(cwd ? { cwd } : {}) });
}

async function schemaDump(dbname: string): Promise<string> {
  const r = await run(pgBin('pg_dump'), ['--schema-only', dbname], {
    env: libpqEnv(new Secret(servers.prod.url(dbname)), dbname),
    maxOutput: 64 << 20,
  });
  expect(r.code).toBe(0);
  return r.stdout;
}

function writeFile(name: string, text: string): string {
  const file = join(lb.dir, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  servers = await startFixtureServers();
  http = await startHttpReceiver();
  await servers.prod.createDatabase('refdb', CUSTOMER_TEMPLATE_DB);
  lb = await startTestLifeboat(fixtureConfig({ databaseExtra: REF_DB }), servers.env, { worker: false });
  // what a DBA keeps in the repository: pg_dump --schema-only of the database as it should be
  referenceSql = await schemaDump('refdb');
  writeFile('schema/customer.sql', referenceSql);
});

afterAll(async () => {
  await http?.close();
});

describe('a reference SQL file', () => {
  it('pg_dump --schema-only of the database is a clean reference; the scratch cluster is removed', async () => {
    const r = await cli('jsmith', ['schema', 'drift', 'RefDB']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('RefDB: live schema vs reference reference file schema/customer.sql (report 1)\nno drift\n');
    expect(scratchDirs()).toEqual([]);
  });

  it('finds a column added by hand: exit 1, naming table and column, with the SQL that removes it', async () => {
    await servers.prod.query('refdb', 'alter table customers add column nickname text');
    const r = await cli('jsmith', ['schema', 'drift', 'RefDB']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      [
        'DRIFT:',
        'public.customers',
        '  + column public.customers.nickname  text',
        '1 difference(s): 1 added, 0 removed, 0 changed',
        'SQL that turns the live schema back into the reference:',
        'alter table "public"."customers" drop column "nickname";',
      ].join('\n'),
    );
    expect(r.stdout).toContain('HINT: undo the change (the SQL above), or change the reference file');
    const json = JSON.parse((await cli('jsmith', ['schema', 'drift', 'RefDB', '--json'])).stdout) as DriftResult;
    expect(json.reference.label).toBe('reference file schema/customer.sql');
    const reports = await lb.store.db
      .selectFrom('schema_drift_reports')
      .select(['reference', 'drift'])
      .where('database', '=', 'RefDB')
      .orderBy('id')
      .execute();
    expect(reports).toEqual([
      { reference: 'file schema/customer.sql', drift: false },
      { reference: 'file schema/customer.sql', drift: true },
      { reference: 'file schema/customer.sql', drift: true },
    ]);
    // the drift is undone with the SQL given: clean again
    await servers.prod.query('refdb', json.sql!);
    expect((await cli('jsmith', ['schema', 'drift', 'RefDB'])).code).toBe(0);
    expect(scratchDirs()).toEqual([]);
  });

  it('accept is refused while the reference is a file, with a hint', async () => {
    const r = await cli('alice', ['schema', 'accept', 'RefDB']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the drift reference of RefDB is the file schema/customer.sql');
    expect(r.stderr).toContain('change the reference file, or remove schema.reference');
  });

  it('is a diff side, with --sql', async () => {
    await servers.prod.query('refdb', 'create index customers_email_lower_idx on customers (lower(email))');
    const r = await cli('jsmith', ['schema', 'diff', 'schema/customer.sql', 'live:RefDB'], lb.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('a: schema/customer.sql\nb: live:RefDB\n');
    expect(r.stdout).toContain('  + index public.customers_email_lower_idx');
    const sql = await cli('jsmith', ['schema', 'diff', 'live:RefDB', 'schema/customer.sql', '--sql'], lb.dir);
    expect(sql.code).toBe(0);
    expect(sql.stdout).toContain('drop index if exists "public"."customers_email_lower_idx";');
    await servers.prod.query('refdb', 'drop index customers_email_lower_idx');
    expect(scratchDirs()).toEqual([]);
  });

  it('the same schema in a file with roles, policies and an extension applies (missing roles are created)', async () => {
    const file = writeFile(
      'roles.sql',
      `create extension if not exists pgcrypto;
create role app_reader;
create table public.secrets (id int primary key, owner_name text);
alter table public.secrets owner to app_owner;
alter table public.secrets enable row level security;
create policy mine on public.secrets to app_user using (owner_name = current_user);
grant select on public.secrets to app_reader;
`,
    );
    const r = await cli('jsmith', ['schema', 'diff', file, 'live:RefDB']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // the file is side a: what it has and the live database has not is "removed"
    expect(r.stdout).toContain('- extension pgcrypto\n');
    expect(r.stdout).toContain('- table public.secrets\n');
    expect(r.stdout).toContain('  - policy public.secrets.mine\n');
  });

  const HOSTILE: Array<[string, string, string, string]> = [
    [
      'a file that is not SQL',
      'notes.sql',
      'These are my notes;\nnothing to see here',
      'unable to apply notes.sql: the statement at line 1 failed: syntax error at or near "These"',
    ],
    [
      'a statement that fails on line 3',
      'broken.sql',
      'create table a (id int);\n\ncreate table b (\n  id int,\n  x nosuchtype\n);',
      'unable to apply broken.sql: the statement at line 5 failed: type "nosuchtype" does not exist',
    ],
    [
      'a psql shell escape',
      'shell.sql',
      'select 1;\n\\! touch /tmp/pwned\n',
      'unable to apply shell.sql at line 2: psql meta-command \\! is not run',
    ],
    [
      'COPY … TO PROGRAM (a superuser-only statement)',
      'program.sql',
      "copy (select 1) to program 'touch /tmp/pwned-by-copy';",
      'unable to apply program.sql: the statement at line 1 failed: must be superuser or have privileges of the pg_execute_server_program role',
    ],
    ['a binary file', 'binary.sql', 'PGDMP\u0000\u0001\u0002', 'unable to apply binary.sql: it is not a text file'],
    ['an empty file', 'empty.sql', '-- nothing\n', 'unable to apply empty.sql: it holds no SQL statement'],
  ];
  for (const [what, name, text, message] of HOSTILE) {
    it(`${what}: a clear error naming the file, and no scratch left`, async () => {
      writeFile(name, text);
      const r = await cli('jsmith', ['schema', 'diff', name, 'live:RefDB'], lb.dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain('HINT:');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(scratchDirs()).toEqual([]);
    });
  }
  it('nothing a hostile file asked for happened on the host', async () => {
    expect(readdirSync('/tmp').filter((f) => f.startsWith('pwned'))).toEqual([]);
  });

  it('a reference file that is not SQL fails the drift check with the file and line', async () => {
    writeFile('schema/customer.sql', 'this is not SQL');
    const r = await cli('jsmith', ['schema', 'drift', 'RefDB']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unable to apply schema/customer.sql: the statement at line 1 failed');
    writeFile('schema/customer.sql', referenceSql);
  });
});

describe('drift_schedule', () => {
  it('a scheduled drift notifies once, and a second firing with the same drift does not notify again', async () => {
    http.script('/drift/hook', [], { status: 200, body: 'ok' });
    const scheduled = await startTestLifeboat(
      fixtureConfig({
        databaseExtra: `${REF_DB}\n      drift_schedule: "* * * * *"`,
        teamExtra: '    notify: [alpha-hook]',
        extra: `notifications:
  alpha-hook: { type: webhook, url: env:ALPHA_HOOK }`,
      }),
      { ...servers.env, ALPHA_HOOK: `${http.url}/drift/hook` },
      { dispatcher: { sweepMs: 200 } },
    );
    mkdirSync(join(scheduled.dir, 'schema'));
    writeFileSync(join(scheduled.dir, 'schema', 'customer.sql'), referenceSql);
    await servers.prod.query('refdb', 'alter table customers add column added_by_hand text');
    // fired by pg-boss's cron once a minute: the two reports polled for with a deadline
    const deadline = Date.now() + 200_000;
    let reports: Array<{ drift: boolean; checked_by: string }> = [];
    for (;;) {
      reports = await scheduled.store.db
        .selectFrom('schema_drift_reports')
        .select(['drift', 'checked_by'])
        .where('database', '=', 'RefDB')
        .orderBy('id')
        .execute();
      if (reports.length >= 2) break;
      if (Date.now() > deadline) throw new Error(`fewer than two scheduled checks: ${JSON.stringify(reports)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(reports.slice(0, 2)).toEqual([
      { drift: true, checked_by: 'scheduler' },
      { drift: true, checked_by: 'scheduler' },
    ]);
    const events = await scheduled.store.db
      .selectFrom('notification_events')
      .select(['type', 'data'])
      .where('type', '=', 'schema.drift')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({
      database: 'RefDB',
      differences: 1,
      objects: ['added column public.customers.added_by_hand'],
      actor: 'scheduler',
    });
    // delivered to the receiver once
    for (;;) {
      const n = await scheduled.store.db
        .selectFrom('notifications')
        .select('status')
        .where('status', '=', 'delivered')
        .execute();
      if (n.length >= 1) break;
      if (Date.now() > deadline) throw new Error('the drift notification was not delivered');
      await new Promise((r) => setTimeout(r, 100));
    }
    const hooks = http.received.filter((m) => m.path === '/drift/hook');
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.body).toContain('RefDB');
    expect(await scheduled.store.db.selectFrom('notifications').select('id').execute()).toHaveLength(1);
    await scheduled.stop();
    await servers.prod.query('refdb', 'alter table customers drop column added_by_hand');
  }, 260_000);

  it('follows config reloads: the schedule is removed when drift_schedule goes', async () => {
    const s = await startTestLifeboat(
      fixtureConfig({ databaseExtra: `${REF_DB}\n      drift_schedule: "0 */6 * * *"` }),
      servers.env,
      { worker: false },
    );
    const names = async () => (await s.queue.getSchedules()).map((x) => x.name).filter((n) => n.startsWith('schema.'));
    expect(await names()).toEqual(['schema.drift.scheduled.RefDB']);
    writeFileSync(s.configFile, fixtureConfig({ databaseExtra: REF_DB }));
    await s.config.reload();
    expect(await names()).toEqual([]);
    await s.stop();
  });
});
