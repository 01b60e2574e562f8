// A restore's safety checks (src/restore/assess), each produced by a real situation: real
// clusters, a real verified backup of the fixture CustomerDB, a session held open on the
// destination, a run holding its lock, a server on a closed port, rows written after the backup,
// an altered table, a backup marked corrupt through the store, a script that is gone, an
// extension the destination server does not have.
import { accessSync, constants, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackupStatus } from '../../src/backup/set-status.js';
import { pgBin } from '../../src/engines/postgres/binaries.js';
import { run } from '../../src/lib/process.js';
import { parseConfig } from '../../src/catalog/load.js';
import type { CheckDoc } from '../../src/contract/runs.js';
import { assessChecks } from '../../src/restore/assess/index.js';
import { lockDestination } from '../../src/restore/lock.js';
import { assessInput, backUpAgain } from '../harness/assess.js';
import { type FixtureServers, startFixtureServers } from '../harness/fixtures.js';
import type { TestLifeboat } from '../harness/lifeboat.js';
import { backedUp, existingDestination } from '../harness/runs.js';
import { CUSTOMER_TEMPLATE_DB } from '../harness/paths.js';

const GONE_PASSWORD = 'gone-secret-pw-4711';

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function config(): string {
  return `version: 1
teams:
  team-alpha:
    members: [jsmith]
    approvers: [alice, bob]
users:
  jsmith: { email: jsmith@example.com, roles: [developer] }
  alice:  { email: alice@example.com,  roles: [db-owner] }
  bob:    { email: bob@example.com,    roles: [db-owner] }
servers:
  prod-pg01: { engine: postgres, tier: production,  url: env:PROD_PG01_URL }
  dev-pg01:  { engine: postgres, tier: development, url: env:DEV_PG01_URL }
  gone-pg01: { engine: postgres, tier: development, url: env:GONE_URL }
  qa-pg01:   { engine: postgres, tier: test,        url: env:DEV_PG01_URL }
storage:
  main: { type: filesystem, path: ./backups }
databases:
  CustomerDB:
    server: prod-pg01
    name: customer
    owner: team-alpha
    destinations: [dev-pg01, prod-pg01, gone-pg01]
    approvals: 2
    rpo: 1h
    backup:
      storage: main
    masking:
      key: env:MASKING_KEY
      sensitive: [{ table: public.customers, column: email }]
      rules:
        - { table: public.customers, column: email, transform: token }
        - { table: public.customers, column: full_name, transform: name }
    post_restore:
      - fixup.sql
`;
}

let servers: FixtureServers;
let lb: TestLifeboat;
beforeAll(async () => {
  servers = await startFixtureServers();
  const gone = `postgres://postgres:${GONE_PASSWORD}@127.0.0.1:${await closedPort()}/postgres`;
  lb = await backedUp(servers, config(), { env: { GONE_URL: gone } });
  writeFileSync(join(lb.dir, 'fixup.sql'), 'update customers set notes = null;\n');
});

const byCode = (checks: CheckDoc[], code: string) => {
  const c = checks.find((x) => x.code === code);
  if (!c) throw new Error(`no check ${code}`);
  return c;
};

describe('checks of a restore into a new database on a development server', () => {
  it('are all safe, each saying what was looked at', async () => {
    const input = await assessInput(lb, 'dev-pg01/fresh');
    const id = input.backup.id;
    const checks = await assessChecks(input);
    expect(checks.map((c) => [c.severity, c.code, c.message])).toEqual([
      ['safe', 'destination_not_allowed', 'dev-pg01 (development) is an allowed destination of CustomerDB'],
      [
        'safe',
        'destination_forbidden',
        'dev-pg01/fresh is not a system database, a Lifeboat name or another catalogued database',
      ],
      ['safe', 'destination_production', 'dev-pg01 is a development server, not production'],
      ['safe', 'backup_not_verified', `backup ${id} is verified`],
      ['safe', 'rpo_exceeded', `the newest usable backup (${id}) is within the RPO of 1h`],
      ['safe', 'sensitive_unmasked', 'every column declared sensitive has a masking rule (2 rules)'],
      ['safe', 'scope_needs_masking', 'the whole database is restored: masking applies in the stream'],
      ['safe', 'masking_key_missing', 'the masking key is set (2 rules use it)'],
      ['safe', 'post_restore_script_missing', 'every post-restore script can be read (1 script)'],
      ['safe', 'destination_unreachable', 'dev-pg01 answered; fresh does not exist yet (the restore creates it)'],
      [
        'safe',
        'server_version_older',
        `dev-pg01 runs PostgreSQL 15; the backup was taken on PostgreSQL ${input.backup.manifest.serverVersion}`,
      ],
      ['safe', 'extension_missing', 'dev-pg01 has every extension the backup uses (plpgsql)'],
      ['safe', 'destination_run_active', 'no other run is going to write dev-pg01/fresh'],
      ['safe', 'destination_sessions', 'dev-pg01/fresh does not exist yet: nobody is connected to it'],
      [
        'safe',
        'destination_changed',
        `dev-pg01/fresh is not the database backup ${id} was taken from: it holds no later changes of it`,
      ],
      ['safe', 'schema_differs', 'the destination database does not exist: the restore creates it'],
      ['safe', 'foreign_keys_outside_scope', 'the whole database is restored: no reference leaves it'],
    ]);
    expect(checks.every((c) => c.hint === undefined)).toBe(true);
  });
});

describe('the destination', () => {
  it('not among the allowed destinations, or a system database: blocking', async () => {
    const qa = await assessChecks(await assessInput(lb, 'qa-pg01/copy'));
    expect(byCode(qa, 'destination_not_allowed')).toEqual({
      code: 'destination_not_allowed',
      severity: 'blocking',
      message: 'CustomerDB may not be restored to qa-pg01',
      hint: 'allowed destinations: dev-pg01, prod-pg01, gone-pg01; add it to databases.CustomerDB.destinations',
    });
    const system = await assessChecks(await assessInput(lb, 'dev-pg01/template1'));
    expect(byCode(system, 'destination_forbidden')).toEqual({
      code: 'destination_forbidden',
      severity: 'blocking',
      message: 'unable to restore CustomerDB into dev-pg01/template1: template1 is a PostgreSQL system database',
      hint: 'choose another database name: --to dev-pg01/<dbname>',
      details: { rule: 'system_database' },
    });
  });

  it('production: a warning that names the approvals and the typed confirmation; nothing is masked', async () => {
    const checks = await assessChecks(await assessInput(lb, 'prod-pg01/customer'));
    expect(byCode(checks, 'destination_production')).toEqual({
      code: 'destination_production',
      severity: 'warning',
      message: "prod-pg01 is a production server: prod-pg01/customer is replaced with the backup's data, unmasked",
      hint: 'this needs at least two approvals and the typed confirmation "RESTORE CustomerDB"; the replaced database is kept for `lifeboat restore undo`',
    });
    expect(byCode(checks, 'destination_forbidden').severity).toBe('safe'); // a rollback restores over itself
    for (const code of ['sensitive_unmasked', 'masking_key_missing'])
      expect(byCode(checks, code).message).toBe(
        'not masked: a production destination gets the data as it was (a rollback)',
      );
  });

  it('a server on a closed port: blocking, and what depends on it is not checked; no secret in any message', async () => {
    const checks = await assessChecks(await assessInput(lb, 'gone-pg01/copy'));
    const gone = byCode(checks, 'destination_unreachable');
    expect(gone.severity).toBe('blocking');
    expect(gone.message).toMatch(
      /^gone-pg01 could not be reached: unable to connect to database postgres: .*ECONNREFUSED/,
    );
    expect(gone.hint).toBe(
      'check that gone-pg01 is up and its URL and credentials in lifeboat.yaml are right, then check again',
    );
    const notChecked = checks.filter((c) => c.message === 'not checked: gone-pg01 could not be reached');
    expect(notChecked.map((c) => `${c.severity} ${c.code}`)).toEqual([
      'warning server_version_older',
      'warning extension_missing',
      'warning destination_sessions',
      'warning destination_changed',
      'warning schema_differs',
      'warning foreign_keys_outside_scope',
    ]);
    expect(JSON.stringify(checks)).not.toContain(GONE_PASSWORD);
  });

  it('a session held open on the destination: a warning that it will be ended at the swap', async () => {
    await existingDestination(servers, 'busy');
    const held = new pg.Client({ connectionString: servers.dev.url('busy') });
    await held.connect();
    try {
      const checks = await assessChecks(await assessInput(lb, 'dev-pg01/busy'));
      expect(byCode(checks, 'destination_sessions')).toEqual({
        code: 'destination_sessions',
        severity: 'warning',
        message: 'dev-pg01/busy has 1 active session (postgres: 1): they will be ended at the swap',
        hint: 'tell the people and applications connected to it, or choose another database name',
        details: { sessions: 1 },
      });
    } finally {
      await held.end();
    }
  });

  it('another run holding the destination lock: a warning that this one waits for it; the run itself is not another', async () => {
    const row = await lb.store.db
      .insertInto('restore_runs')
      .values({
        database: 'CustomerDB',
        owner_team: 'team-alpha',
        source_server: 'prod-pg01',
        destination_server: 'dev-pg01',
        destination_dbname: 'locked',
        destination_tier: 'development',
        identifier: 'dev-pg01/locked',
        status: 'running',
        requested_by: 'alice',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(row.id);
    expect(await lockDestination(lb.store.db, 'dev-pg01/locked', id)).toEqual({ ok: true, taken: true });
    const checks = await assessChecks(await assessInput(lb, 'dev-pg01/locked'));
    expect(byCode(checks, 'destination_run_active')).toEqual({
      code: 'destination_run_active',
      severity: 'warning',
      message: `another run is going to write dev-pg01/locked: run ${id} (running, holds its lock); this one waits for it, then replaces what it wrote`,
      hint: `check with its requester (\`lifeboat restore show ${id}\`), or choose another database name`,
      details: { runs: [id] },
    });
    const itself = await assessChecks(await assessInput(lb, 'dev-pg01/locked', { runId: id }));
    expect(byCode(itself, 'destination_run_active').severity).toBe('safe');
  });

  it('an altered table: a warning with the differences; a table-scoped restore into a database lacking the table: blocking', async () => {
    await servers.dev.createDatabase('altered', CUSTOMER_TEMPLATE_DB);
    await servers.dev.query(
      'altered',
      `alter table customers add column loyalty int;
       alter table customers alter column phone type varchar(20);
       alter table customers alter column address set not null;
       alter table customers drop column notes;
       create table audit_trail (id int)`,
    );
    const checks = await assessChecks(await assessInput(lb, 'dev-pg01/altered'));
    expect(byCode(checks, 'schema_differs')).toEqual({
      code: 'schema_differs',
      severity: 'warning',
      message:
        "the schema of dev-pg01/altered differs from the backup's: table public.audit_trail removed; public.customers.phone: character varying(20) → text; public.customers.address: text not null → text; column public.customers.notes added (text); column public.customers.loyalty removed (integer)",
      hint: "the restore replaces the destination's schema with the backup's: check that applications using it expect that",
      details: { tablesAdded: [], tablesRemoved: ['public.audit_trail'], columns: 4 },
    });

    await servers.dev.query('altered', 'drop table orders');
    const scoped = await assessChecks(await assessInput(lb, 'dev-pg01/altered', { tables: ['orders'] }));
    expect(byCode(scoped, 'schema_differs')).toMatchObject({
      severity: 'blocking',
      message: 'a table-scoped restore copies rows into tables of dev-pg01/altered, and it lacks public.orders',
    });
  });

  it('a table-scoped restore: foreign keys leaving the scope warn; a masked table in the scope is masked', async () => {
    await servers.dev.createDatabase('scoped', CUSTOMER_TEMPLATE_DB);
    const orders = await assessChecks(await assessInput(lb, 'dev-pg01/scoped', { tables: ['orders'] }));
    expect(byCode(orders, 'foreign_keys_outside_scope')).toEqual({
      code: 'foreign_keys_outside_scope',
      severity: 'warning',
      message:
        'foreign keys cross the scope, and the restore does not check them: public.orders references public.customers (outside the scope) through orders_customer_id_fkey',
      hint: 'rows on either side may end up referencing rows that do not exist; add the referenced tables to --tables, or restore the whole database',
      details: {
        foreignKeys: ['public.orders references public.customers (outside the scope) through orders_customer_id_fkey'],
      },
    });
    expect(byCode(orders, 'scope_needs_masking')).toMatchObject({
      severity: 'safe',
      message: 'no masking rule covers public.orders',
    });
    const both = await assessChecks(await assessInput(lb, 'dev-pg01/scoped', { tables: ['orders', 'customers'] }));
    expect(byCode(both, 'foreign_keys_outside_scope').severity).toBe('safe');
    expect(byCode(both, 'scope_needs_masking')).toEqual({
      code: 'scope_needs_masking',
      severity: 'safe',
      message:
        "masked on its way in, in the transaction that replaces the rows: public.customers (2 rules); each rule is checked to fit the destination's column before any row changes",
      details: { tables: ['public.customers'] },
    });
  });
});

describe('the backup', () => {
  it('older than the RPO by the clock passed in: a warning', async () => {
    const input = await assessInput(lb, 'dev-pg01/fresh');
    const now = new Date(input.backup.finishedAt.getTime() + 2 * 3_600_000);
    const checks = await assessChecks({ ...input, now });
    expect(byCode(checks, 'rpo_exceeded')).toEqual({
      code: 'rpo_exceeded',
      severity: 'warning',
      message: `the newest usable backup of CustomerDB (${input.backup.id}, finished ${input.backup.finishedAt.toISOString()}) is older than its RPO of 1h`,
      hint: 'backups are not keeping up with the RPO; take one: `lifeboat backup run CustomerDB`',
      details: { newestBackupId: input.backup.id, ageMs: 2 * 3_600_000 },
    });
  });

  it('unverifiable (a warning), then corrupt (blocking), as the store records it; verified again: safe', async () => {
    const id = (await assessInput(lb, 'dev-pg01/fresh')).backup.id;
    await setBackupStatus(lb.store.db, id, 'verify_unreadable', { set: { verify_error: 'storage timed out' } });
    const unverifiable = await assessChecks(await assessInput(lb, 'dev-pg01/fresh'));
    expect(byCode(unverifiable, 'backup_not_verified')).toEqual({
      code: 'backup_not_verified',
      severity: 'warning',
      message: `backup ${id} could not be verified: its last verification could not read the storage (storage timed out)`,
      hint: `verify it again once the storage answers: \`lifeboat backup verify ${id}\`; its checksums are checked as it is restored`,
    });
    await setBackupStatus(lb.store.db, id, 'verify_failed', { set: { verify_error: '3.dat.gz: sha256 mismatch' } });
    const corrupt = await assessChecks(await assessInput(lb, 'dev-pg01/fresh'));
    expect(byCode(corrupt, 'backup_not_verified')).toEqual({
      code: 'backup_not_verified',
      severity: 'blocking',
      message: `backup ${id} is corrupt and cannot be restored (3.dat.gz: sha256 mismatch)`,
      hint: 'choose another backup (`lifeboat backup list CustomerDB`)',
      details: { status: 'corrupt' },
    });
    // and with no usable backup left, the RPO is not met either
    expect(byCode(corrupt, 'rpo_exceeded')).toMatchObject({
      severity: 'warning',
      message: 'CustomerDB has no usable backup within its RPO of 1h',
    });
    await setBackupStatus(lb.store.db, id, 'verify_ok', { set: { verify_error: null } });
    expect(byCode(await assessChecks(await assessInput(lb, 'dev-pg01/fresh')), 'backup_not_verified').severity).toBe(
      'safe',
    );
  });
});

describe('what the run needs', () => {
  it('a post-restore script that is gone: blocking', async () => {
    const path = join(lb.dir, 'fixup.sql');
    rmSync(path);
    try {
      const checks = await assessChecks(await assessInput(lb, 'dev-pg01/fresh'));
      expect(byCode(checks, 'post_restore_script_missing')).toEqual({
        code: 'post_restore_script_missing',
        severity: 'blocking',
        message: `post-restore script ${path} does not exist`,
        hint: 'put the script back, or fix the path in databases.CustomerDB.post_restore (relative to lifeboat.yaml)',
        details: { scripts: [path] },
      });
    } finally {
      writeFileSync(path, 'update customers set notes = null;\n');
    }
  });

  it('sensitive columns without a rule (a config that declares one more): blocking', async () => {
    const catalog = parseConfig(
      config().replace(
        'sensitive: [{ table: public.customers, column: email }]',
        'sensitive: [{ table: public.customers, column: email }, { table: customers, column: phone }]',
      ),
      { baseDir: lb.dir, env: lb.env },
    );
    const checks = await assessChecks(await assessInput(lb, 'dev-pg01/fresh', { catalog }));
    expect(byCode(checks, 'sensitive_unmasked')).toEqual({
      code: 'sensitive_unmasked',
      severity: 'blocking',
      message: 'CustomerDB has sensitive columns without a masking rule: customers.phone',
      hint: 'add masking rules for them in databases.CustomerDB.masking.rules',
      details: { columns: ['customers.phone'] },
    });
  });

  // A loaded lifeboat.yaml cannot lack the key while a rule needs it: loading refuses it
  // (src/catalog/cross-checks.ts), and secrets are read at load. The check guards a catalog built
  // otherwise, so the database's config is given here without its key.
  it('the masking key missing while keyed rules need it: blocking', async () => {
    const database = lb.catalog.databases.CustomerDB!;
    const withoutKey = { ...database, masking: { ...database.masking, key: undefined } };
    const checks = await assessChecks(await assessInput(lb, 'dev-pg01/fresh', { database: withoutKey }));
    expect(byCode(checks, 'masking_key_missing')).toEqual({
      code: 'masking_key_missing',
      severity: 'blocking',
      message: 'the masking key is not set, and the rule for public.customers.email (token) and 1 other needs it',
      hint: 'set databases.CustomerDB.masking.key (e.g. key: env:MASKING_KEY) to a long random value',
    });
  });
});

describe("a production rollback over the backup's own source", () => {
  it('sees writes after the backup by the write counters, and by row counts once the statistics were reset', async () => {
    const input = await assessInput(lb, 'prod-pg01/customer');
    expect(byCode(await assessChecks(input), 'destination_changed')).toEqual({
      code: 'destination_changed',
      severity: 'safe',
      message: `prod-pg01/customer was not written since backup ${input.backup.id} was taken (by its write counters)`,
    });
    // an insert and its delete: the counts are the same, the counters are not
    await servers.prod.query(
      'customer',
      `insert into "Sales Dept"."Order" (customer_email, amount, region) values ('late@example.com', 1, 'north');
       delete from "Sales Dept"."Order" where customer_email = 'late@example.com'`,
    );
    // (the counters reach the statistics when the writing session ends; poll until they do)
    const changed = await until(
      async () => byCode(await assessChecks(input), 'destination_changed'),
      (c) => c.severity === 'warning',
    );
    expect(changed).toEqual({
      code: 'destination_changed',
      severity: 'warning',
      message: `prod-pg01/customer was written after backup ${input.backup.id} was taken (Sales Dept.Order: 2 rows written): the restore loses those changes`,
      hint: 'if they may be needed, take a backup first (`lifeboat backup run CustomerDB`); the replaced database is also kept for `lifeboat restore undo`',
      details: { tables: ['Sales Dept.Order: 2 rows written'], basis: 'write_counters' },
    });

    await servers.prod.query('customer', 'select pg_stat_reset()');
    expect(byCode(await assessChecks(input), 'destination_changed')).toMatchObject({
      severity: 'safe',
      message: `prod-pg01/customer was not written since backup ${input.backup.id} was taken (by its row counts only (the server's statistics were reset since the backup): updates that keep counts equal are not seen)`,
    });
    const before = input.backup.manifest.tables.find((t) => t.name === 'orders')!.rows;
    await servers.prod.query('customer', 'delete from orders where id = (select max(id) from orders)');
    expect(byCode(await assessChecks(input), 'destination_changed')).toMatchObject({
      severity: 'warning',
      details: {
        tables: [
          `public.orders: ${(before - 1).toLocaleString('en-US')} rows now, ${before.toLocaleString('en-US')} in the backup`,
        ],
        basis: 'row_counts',
      },
    });
  });
});

describe('the destination server', () => {
  // Both test clusters run the same PostgreSQL binaries, so an extension only one server has is
  // made real this way: a throwaway extension's control file is installed, the extension created
  // in the source and backed up, then the control file removed — the server then lacks what the
  // backup needs, as a server without the package would. Skipped where the extension directory
  // cannot be written (not root).
  const sharedir = async () => (await run(pgBin('pg_config'), ['--sharedir'])).stdout.trim();
  const writable = (() => {
    try {
      accessSync('/usr/share/postgresql', constants.W_OK);
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!writable)('lacking an extension the backup uses: blocking', async () => {
    const name = `lbtest_${process.pid}`;
    const dir = join(await sharedir(), 'extension');
    const control = join(dir, `${name}.control`);
    const script = join(dir, `${name}--1.0.sql`);
    const install = () => {
      writeFileSync(control, "comment = 'a Lifeboat test extension'\ndefault_version = '1.0'\nrelocatable = true\n");
      writeFileSync(script, `create function ${name}_answer() returns int language sql as 'select 42';\n`);
    };
    install();
    try {
      await servers.prod.query('customer', `create extension ${name}`);
      const id = await backUpAgain(lb);
      rmSync(control);
      rmSync(script);
      const checks = await assessChecks(await assessInput(lb, 'dev-pg01/fresh', { backupId: id }));
      expect(byCode(checks, 'extension_missing')).toEqual({
        code: 'extension_missing',
        severity: 'blocking',
        message: `dev-pg01 lacks an extension the backup uses: ${name} 1.0`,
        hint: `install it on dev-pg01 (the package that provides ${name}), then check again`,
        details: { extensions: [name] },
      });
    } finally {
      install();
      await servers.prod.query('customer', `drop extension if exists ${name}`);
      rmSync(control, { force: true });
      rmSync(script, { force: true });
    }
  });
});

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}
