// The restore engine end to end, through the real CLI and worker: full and table-scoped
// restores, undo, every failing step leaving the destination exactly as it was, cancel, a killed
// worker, serialised runs per destination and the progress stream.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunDoc } from '../../src/contract/runs.js';
import { harnessRoot } from '../harness/cluster.js';
import { lifeboat, spawnLifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers, tableContents } from '../harness/fixtures.js';
import { startTestLifeboat, type TestLifeboat } from '../harness/lifeboat.js';
import {
  backedUp as backedUpWith,
  expectMarkedCorrupt,
  requestRestoreCli,
  existingDestination,
  waitForPhase,
} from '../harness/runs.js';
import { S3RVER_KEY, startS3 } from '../storage/helpers.js';

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
});

const backedUp = (config: string, opts: { worker?: boolean; staleAfterMs?: number } = {}) =>
  backedUpWith(servers, config, opts);
const restore = (lb: TestLifeboat, dbname: string, extra: string[] = []) => requestRestoreCli(lb, dbname, { extra });

async function leftovers(): Promise<string[]> {
  const rows = await servers.dev.query<{ datname: string }>(
    'postgres',
    `select datname from pg_database where datname like '%\\_\\_lb\\_staging\\_%'`,
  );
  return rows.map((r) => r.datname);
}

function scriptFile(lb: TestLifeboat, name: string, sql: string): string {
  writeFileSync(join(lb.dir, name), sql);
  return name;
}

describe('a full restore', () => {
  let lb: TestLifeboat;
  beforeAll(async () => {
    lb = await backedUp(
      fixtureConfig({
        databaseExtra: '    verify:\n      - { name: customers present, sql: "select count(*) > 0 from customers" }',
      }),
    );
  });

  it('creates a missing destination with every row of the source', async () => {
    const r = await restore(lb, 'fresh_copy');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.run.status).toBe('completed');
    expect(r.run.progress.percent).toBe(100);
    expect(await tableContents(servers.dev, 'fresh_copy')).toEqual(await tableContents(servers.prod, 'customer'));
    expect(r.run.previous).toBeNull();
    expect(await leftovers()).toEqual([]);
  });

  it('replaces an existing destination, keeps the old one, and undo brings it back', async () => {
    const before = await existingDestination(servers, 'replace_me');
    const r = await restore(lb, 'replace_me');
    expect(r.run.status).toBe('completed');
    expect(await tableContents(servers.dev, 'replace_me')).toEqual(await tableContents(servers.prod, 'customer'));
    expect(r.run.previous).toMatchObject({ dbname: `replace_me__lb_prev_${r.run.id}`, dropped: false });
    const u = await lifeboat(['restore', 'undo', String(r.run.id), '--json'], { env: await lb.cliEnv('jsmith') });
    expect(u.stderr).toBe('');
    expect(u.code).toBe(0);
    expect(await tableContents(servers.dev, 'replace_me')).toEqual(before);
    const events = await lb.store.db
      .selectFrom('audit_events')
      .select('action')
      .where('subject_id', '=', String(r.run.id))
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.action)).toEqual([
      'restore.request',
      'restore.source',
      'restore.scope',
      'restore.check',
      'restore.preview',
      'restore.submit',
      'restore.enqueue',
      'restore.start',
      'restore.complete',
      'restore.undo',
    ]);
  });

  it('keeps the old copy under a free name when the usual one is taken (never overwriting a database)', async () => {
    const other = await backedUp(fixtureConfig());
    await existingDestination(servers, 'taken_prev');
    // a database left under the name run 1 would use (by another Lifeboat store, say)
    await servers.dev.createDatabase('taken_prev__lb_prev_1');
    await servers.dev.query(
      'taken_prev__lb_prev_1',
      "create table marker (note text); insert into marker values ('not yours')",
    );
    const r = await restore(other, 'taken_prev');
    expect(r.run.id).toBe(1);
    expect(r.run.status).toBe('completed');
    expect(await servers.dev.query('taken_prev__lb_prev_1', 'select note from marker')).toEqual([
      { note: 'not yours' },
    ]);
    const names = await servers.dev.query<{ datname: string }>(
      'postgres',
      "select datname from pg_database where datname like 'taken\\_prev%' order by 1",
    );
    expect(names.map((n) => n.datname)).toEqual(['taken_prev', 'taken_prev__lb_prev_1', 'taken_prev__lb_prev_1_2']);
    const row = await other.store.db
      .selectFrom('restore_runs')
      .select('previous_dbname')
      .where('id', '=', r.run.id)
      .executeTakeFirstOrThrow();
    expect(row.previous_dbname).toBe('taken_prev__lb_prev_1_2');
  });

  it('refuses a confirmation that is not the destination identifier, exit 3', async () => {
    const r = await lifeboat(
      ['restore', 'request', 'CustomerDB', '--to', 'dev-pg01/x', '--execute', '--confirm', 'dev-pg01/y'],
      { env: await lb.cliEnv('jsmith') },
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      'lifeboat: the confirmation "dev-pg01/y" does not match the destination dev-pg01/x\nHINT: type the destination identifier exactly: --confirm "dev-pg01/x"\n',
    );
  });

  it('into production: confirmed as RESTORE <database>, and every output names the real destination', async () => {
    const prod = await backedUp(
      fixtureConfig()
        .replace('destinations: [dev-pg01]', 'destinations: [dev-pg01, prod-pg01]')
        .replace('approvals: 0', 'approvals: 2'),
    );
    const env = await prod.cliEnv('jsmith');
    const wrong = await lifeboat(
      ['restore', 'request', 'CustomerDB', '--to', 'prod-pg01', '--execute', '--confirm', 'prod-pg01/customer'],
      { env },
    );
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toBe(
      'lifeboat: the confirmation "prod-pg01/customer" does not match the destination prod-pg01/customer\nHINT: type the destination identifier exactly: --confirm "RESTORE CustomerDB"\n',
    );
    const dry = await lifeboat(['restore', 'request', 'CustomerDB', '--to', 'prod-pg01', '--json'], { env });
    const run = JSON.parse(dry.stdout) as RunDoc;
    expect(run.destination).toEqual({
      server: 'prod-pg01',
      dbname: 'customer',
      tier: 'production',
      identifier: 'RESTORE CustomerDB',
      target: 'prod-pg01/customer',
    });
    const show = await lifeboat(['restore', 'show', String(run.id)], { env });
    expect(show.stdout.split('\n')[0]).toBe(
      `run ${run.id}: previewed  CustomerDB → prod-pg01/customer (production; confirmed as "RESTORE CustomerDB")`,
    );
    const list = await lifeboat(['restore', 'list'], { env });
    expect(list.stdout).toMatch(new RegExp(`^ +${run.id}  previewed +CustomerDB → prod-pg01/customer  jsmith  `));
  });

  it('without --execute is a dry run that stops at the preview', async () => {
    const r = await lifeboat(['restore', 'request', 'CustomerDB', '--to', 'dev-pg01/dry', '--json'], {
      env: await lb.cliEnv('jsmith'),
    });
    const run = JSON.parse(r.stdout) as RunDoc;
    expect(run.status).toBe('previewed');
    expect((run.preview as { tables: unknown[] }).tables).toHaveLength(3);
    expect((await servers.dev.query('postgres', `select 1 from pg_database where datname = 'dry'`)).length).toBe(0);
    // watching a dry run does not wait forever: it says what would make it move
    const w = await lifeboat(['restore', 'status', String(run.id), '--watch'], { env: await lb.cliEnv('jsmith') });
    expect(w.code).toBe(0);
    expect(w.stdout).toMatch(new RegExp(`run ${run.id} previewed 0%`));
    expect(w.stderr).toBe(
      `run ${run.id} is a dry run (previewed): nothing happens until it is submitted\nHINT: submit it with \`lifeboat restore submit ${run.id} --confirm "dev-pg01/dry" --wait\`\n`,
    );
  });

  it('streams progress over server-sent events up to 100% and completed', async () => {
    const sub = await lifeboat(
      [
        'restore',
        'request',
        'CustomerDB',
        '--to',
        'dev-pg01/sse_copy',
        '--execute',
        '--confirm',
        'dev-pg01/sse_copy',
        '--json',
      ],
      {
        env: await lb.cliEnv('jsmith'),
      },
    );
    const run = JSON.parse(sub.stdout) as RunDoc;
    const res = await fetch(`${lb.url}/api/v1/runs/${run.id}/events`, {
      headers: { authorization: `Bearer ${await lb.token('jsmith')}` },
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await res.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({
      event: m[1],
      doc: JSON.parse(m[2]!) as RunDoc,
    }));
    expect(events.at(-1)!.event).toBe('end');
    expect(events.at(-1)!.doc.status).toBe('completed');
    expect(events.at(-1)!.doc.progress.percent).toBe(100);
    const percents = events.map((e) => e.doc.progress.percent ?? 0);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
  });

  it('restore status --watch --json prints one document with id and status', async () => {
    const sub = await lifeboat(
      [
        'restore',
        'request',
        'CustomerDB',
        '--to',
        'dev-pg01/watched',
        '--execute',
        '--confirm',
        'dev-pg01/watched',
        '--json',
      ],
      {
        env: await lb.cliEnv('jsmith'),
      },
    );
    const id = JSON.parse(sub.stdout).id;
    const w = await lifeboat(['restore', 'status', String(id), '--watch', '--json'], {
      env: await lb.cliEnv('jsmith'),
    });
    expect(w.code).toBe(0);
    expect(JSON.parse(w.stdout)).toMatchObject({ id, status: 'completed' });
    const plain = await lifeboat(['restore', 'status', String(id), '--watch'], { env: await lb.cliEnv('jsmith') });
    expect(plain.stdout).toMatch(new RegExp(`run ${id} completed \\(done\\) 100%`));
    // the progress stream answers errors as the API does
    const missing = await lifeboat(['restore', 'status', '99999', '--watch'], { env: await lb.cliEnv('jsmith') });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe('lifeboat: no restore run 99999\nHINT: list runs with `lifeboat restore list`\n');
  });

  it('table scope replaces only the selected rows in one transaction and reports FKs that cross it', async () => {
    await servers.dev.createDatabase('scoped', 'template0');
    // a destination with the schema and different data
    const seed = await restore(lb, 'scoped');
    expect(seed.run.status).toBe('completed');
    await servers.dev.query(
      'scoped',
      `update customers set full_name = 'changed'; update orders set status = 'changed'`,
    );
    const r = await restore(lb, 'scoped', ['--tables', 'customers']);
    expect(r.run.status).toBe('completed');
    expect(r.run.tables).toEqual(['public.customers']);
    const dest = await tableContents(servers.dev, 'scoped');
    const src = await tableContents(servers.prod, 'customer');
    expect(dest['public.customers']).toEqual(src['public.customers']);
    expect(dest['public.orders']!.every((row) => row.includes(',changed)'))).toBe(true);
    // only the table of contents was fetched: the customers' data is read from storage as
    // pg_restore asks for it, no other table's
    const log = await lifeboat(['restore', 'show', String(r.run.id), '--log', '--json'], {
      env: await lb.cliEnv('jsmith'),
    });
    expect(JSON.parse(log.stdout).log).toMatch(/fetched and verified 1 files/);
    expect(r.run.warnings).toEqual([
      {
        code: 'fk_outside_scope',
        message: 'public.orders (outside the scope) references public.customers through orders_customer_id_fkey',
      },
    ]);
  });
});

describe('restores from every kind of archive', () => {
  it('an S3 storage (every table streamed into pg_restore through a pipe): every row of the source', async () => {
    const s3 = await startS3('restore-src');
    try {
      const storage = `  main: { type: s3, bucket: restore-src, endpoint: "${s3.endpoint}", region: auto, prefix: lifeboat, force_path_style: true, access_key_id: env:S3_KEY_ID, secret_access_key: env:S3_SECRET }`;
      const lb = await backedUpWith(servers, fixtureConfig({ storage }), {
        env: { S3_KEY_ID: S3RVER_KEY.id, S3_SECRET: S3RVER_KEY.secret },
      });
      const r = await restore(lb, 'from_s3');
      expect(r.run.error ?? null).toBeNull();
      expect(r.run.status).toBe('completed');
      expect(await tableContents(servers.dev, 'from_s3')).toEqual(await tableContents(servers.prod, 'customer'));
    } finally {
      await s3.close();
    }
  });

  it('zstd on the stream and age-encrypted: every row of the source', async () => {
    const lb = await backedUp(
      fixtureConfig({
        backupExtra:
          '      compression: { method: zstd, level: 3 }\n      encrypt: { passphrase: env:BACKUP_PASSPHRASE }',
      }),
    );
    const r = await restore(lb, 'from_zstd_age');
    expect(r.run.error ?? null).toBeNull();
    expect(r.run.status).toBe('completed');
    expect(await tableContents(servers.dev, 'from_zstd_age')).toEqual(await tableContents(servers.prod, 'customer'));
  });
});

describe('a failing step leaves the destination exactly as it was', () => {
  const cases: Array<[string, (lb: TestLifeboat) => string | Promise<string>, string, RegExp]> = [
    [
      'a failing post-restore script',
      () => '    post_restore:\n      - sql/broken.sql',
      'post_restore',
      /^post-restore script .*broken\.sql failed: relation "no_such_table" does not exist$/,
    ],
    [
      'a failing verify check',
      () => '    verify:\n      - { name: never true, sql: "select false" }',
      'verify',
      /^verify check "never true" did not pass \(got false\)$/,
    ],
    [
      'a row-count mismatch',
      () => '    post_restore:\n      - sql/delete-one.sql',
      'verify',
      /^row counts differ from the backup: public\.orders: \d+ rows, the backup has \d+$/,
    ],
  ];
  for (const [name, extra, step, error] of cases) {
    it(name, async () => {
      const dir = mkdtempSync(join(harnessRoot(), 'sql-'));
      chmodSync(dir, 0o755);
      const lb = await backedUp(fixtureConfig({ databaseExtra: await extra({} as TestLifeboat) }));
      scriptFile(lb, 'sql/broken.sql'.replace('sql/', ''), '');
      const fs = await import('node:fs');
      fs.mkdirSync(join(lb.dir, 'sql'), { recursive: true });
      fs.writeFileSync(join(lb.dir, 'sql', 'broken.sql'), 'update no_such_table set x = 1;');
      fs.writeFileSync(
        join(lb.dir, 'sql', 'delete-one.sql'),
        'delete from orders where id = (select min(id) from orders);',
      );
      const dbname = `untouched_${step}_${Math.random().toString(36).slice(2, 6)}`;
      const before = await existingDestination(servers, dbname);
      const r = await restore(lb, dbname);
      expect(r.code).toBe(1);
      expect(r.run.status).toBe('failed');
      expect(r.run.errorStep).toBe(step);
      expect(r.run.error).toMatch(error);
      expect(await tableContents(servers.dev, dbname)).toEqual(before);
      expect(await leftovers()).toEqual([]);
    });
  }

  it('a manifest whose row count the data does not have (counted, not trusted)', async () => {
    const lb = await backedUp(fixtureConfig());
    const b = await lb.store.db.selectFrom('backups').select(['id']).executeTakeFirstOrThrow();
    const fs = await import('node:fs');
    const file = join(lb.dir, 'backups', 'CustomerDB', b.id, 'manifest.json');
    const m = JSON.parse(fs.readFileSync(file, 'utf8'));
    const orders = m.tables.find((t: { name: string }) => t.name === 'orders');
    orders.rows += 1;
    fs.writeFileSync(file, JSON.stringify(m));
    const before = await existingDestination(servers, 'untouched_manifest');
    const r = await restore(lb, 'untouched_manifest');
    expect(r.run.status).toBe('failed');
    expect(r.run.errorStep).toBe('verify');
    expect(r.run.error).toBe(
      `row counts differ from the backup: public.orders: ${orders.rows - 1} rows, the backup has ${orders.rows}`,
    );
    expect(await tableContents(servers.dev, 'untouched_manifest')).toEqual(before);
    expect(await leftovers()).toEqual([]);
  });

  /** Damages one byte of the biggest stored file ending in `suffix`: at `at(buffer)`. */
  const corruptCases: Array<[string, string, string, (buf: Buffer) => number]> = [
    // a file read in place (pg_dump's gzip on a filesystem storage), the last byte of its CRC
    ['read in place', '', '.dat.gz', (buf) => buf.length - 5],
    // a file streamed through a pipe (zstd on the stream), in the middle of its frame
    ['streamed through a pipe', '      compression: { method: zstd }', '.dat.zst', (buf) => Math.floor(buf.length / 2)],
    // an uncompressed file read in place whose damage pg_restore trips over first (a column
    // separator in the middle of the data becomes another byte: COPY fails on that row)
    [
      'uncompressed, pg_restore fails first',
      '      compression: { method: none }',
      '.dat',
      (buf) => buf.indexOf(0x09, Math.floor(buf.length / 2)),
    ],
  ];
  for (const [how, backupExtra, suffix, at] of corruptCases) {
    it(`a corrupt archive, ${how}: the run says which file fails its checksum, and the backup is marked corrupt`, async () => {
      const lb = await backedUp(fixtureConfig({ backupExtra }));
      const b = await lb.store.db.selectFrom('backups').select(['id', 'manifest']).executeTakeFirstOrThrow();
      const fs = await import('node:fs');
      const dir = join(lb.dir, 'backups', 'CustomerDB', b.id);
      // the biggest data file
      const file = fs
        .readdirSync(dir)
        .filter((n) => n.endsWith(suffix) && /^\d+\.dat/.test(n))
        .sort((x, y) => fs.statSync(join(dir, y)).size - fs.statSync(join(dir, x)).size)[0]!;
      const buf = fs.readFileSync(join(dir, file));
      buf[at(buf)]! ^= 0x41;
      fs.writeFileSync(join(dir, file), buf);
      const dbname = `untouched_corrupt_${suffix.slice(5) || 'none'}`;
      const before = await existingDestination(servers, dbname);
      const r = await restore(lb, dbname);
      expect(r.run.status).toBe('failed');
      // table data is checked as it streams into the staging database: the step is the restore
      expect(r.run.errorStep).toBe('restore');
      const damage = `${file.replace(/\./g, '\\.')} does not match its SHA-256 \\(expected [0-9a-f]{64}, got [0-9a-f]{64}\\)`;
      expect(r.run.error).toMatch(new RegExp(`^backup ${b.id} is corrupt: ${damage}$`));
      expect(await tableContents(servers.dev, dbname)).toEqual(before);
      expect(await leftovers()).toEqual([]);
      await expectMarkedCorrupt(lb, b.id, new RegExp(`^${damage}$`), `restore run ${r.run.id}`);
    });
  }

  it('a pg_restore error', async () => {
    // a table in a tablespace the destination server does not have makes pg_restore fail
    const tsDir = mkdtempSync(join(harnessRoot(), 'ts-'));
    chmodSync(tsDir, 0o700);
    const { execFileSync } = await import('node:child_process');
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', tsDir]);
    await servers.prod.query('postgres', `create tablespace lb_test_ts location '${tsDir}'`);
    await servers.prod.createDatabase('customer_ts', 'customer_fixture');
    await servers.prod.query(
      'customer_ts',
      'create table in_ts (id int) tablespace lb_test_ts; insert into in_ts values (1)',
    );
    const lb = await backedUp(fixtureConfig().replace('name: customer', 'name: customer_ts'));
    const before = await existingDestination(servers, 'untouched_pgrestore');
    const r = await restore(lb, 'untouched_pgrestore');
    expect(r.run.status).toBe('failed');
    expect(r.run.errorStep).toBe('restore');
    expect(r.run.error).toBe(
      'pg_restore failed: could not set default_tablespace to lb_test_ts: ERROR: invalid value for parameter "default_tablespace": "lb_test_ts"',
    );
    expect(await tableContents(servers.dev, 'untouched_pgrestore')).toEqual(before);
    expect(await leftovers()).toEqual([]);
  });
});

describe('cancel, lost workers and concurrency', () => {
  const slow = '    post_restore:\n      - { command: "sleep 20" }';

  async function submit(lb: TestLifeboat, dbname: string): Promise<number> {
    return (await requestRestoreCli(lb, dbname, { wait: false })).run.id;
  }

  it('cancel stops the running step, cleans up, and leaves the destination as it was', async () => {
    const lb = await backedUp(fixtureConfig({ databaseExtra: slow }));
    const before = await existingDestination(servers, 'untouched_cancel');
    const id = await submit(lb, 'untouched_cancel');
    await waitForPhase(lb, id, 'post_restore');
    const c = await lifeboat(['restore', 'cancel', String(id)], { env: await lb.cliEnv('jsmith') });
    expect(c.code).toBe(0);
    const w = await lifeboat(['restore', 'status', String(id), '--watch', '--json'], {
      env: await lb.cliEnv('jsmith'),
    });
    expect(JSON.parse(w.stdout).status).toBe('cancelled');
    expect(await tableContents(servers.dev, 'untouched_cancel')).toEqual(before);
    expect(await leftovers()).toEqual([]);
  });

  it('a worker killed mid-restore: a fresh worker fails the run as worker lost, drops staging, frees the lock', async () => {
    // no worker in the test process: the only worker is a process of its own, to be killed
    const lb = await startTestLifeboat(fixtureConfig({ databaseExtra: slow }), servers.env, { worker: false });
    const env = { ...(await lb.cliEnv('jsmith')), LIFEBOAT_HEARTBEAT_TIMEOUT: '3s', LIFEBOAT_LOG_LEVEL: 'info' };
    const w1 = spawnLifeboat(['worker'], { env });
    await w1.waitFor(/worker started/, 30_000);
    const b = await lifeboat(['backup', 'run', 'CustomerDB', '--wait', '--json'], { env: await lb.cliEnv('alice') });
    expect(JSON.parse(b.stdout).status).toBe('verified');
    const before = await existingDestination(servers, 'untouched_kill');
    const id = await submit(lb, 'untouched_kill');
    await waitForPhase(lb, id, 'post_restore');
    const staging = (
      await lb.store.db
        .selectFrom('restore_runs')
        .select('staging_dbname')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).staging_dbname;
    expect(staging).toBe(`untouched_kill__lb_staging_${id}`);
    const scratchOf = async (pid: number | undefined) =>
      (await readdir(tmpdir())).filter((n) => n.startsWith(`lifeboat-restore-${id}-p${pid}-`));
    expect(await scratchOf(w1.child.pid)).toHaveLength(1);
    w1.child.kill('SIGKILL');
    await w1.exited();
    const w2 = spawnLifeboat(['worker'], { env });
    try {
      const r = await lifeboat(['restore', 'status', String(id), '--watch', '--json'], { env });
      const run = JSON.parse(r.stdout) as RunDoc;
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/^worker lost: no heartbeat from .* since /);
      expect(await leftovers()).toEqual([]);
      // the killed worker's scratch directory went with it: the next worker removed it on start
      expect(await scratchOf(w1.child.pid)).toEqual([]);
      expect(await tableContents(servers.dev, 'untouched_kill')).toEqual(before);
      expect(await lb.store.db.selectFrom('destination_locks').selectAll().execute()).toEqual([]);
    } finally {
      w2.child.kill('SIGTERM');
      await w2.exited();
    }
  }, 120_000);

  it('two runs for one destination never overlap', async () => {
    const lb = await backedUp(fixtureConfig({ databaseExtra: '    post_restore:\n      - { command: "sleep 1" }' }));
    const a = await submit(lb, 'contended');
    const b = await submit(lb, 'contended');
    for (const id of [a, b]) {
      const w = await lifeboat(['restore', 'status', String(id), '--watch', '--json'], {
        env: await lb.cliEnv('jsmith'),
      });
      expect(JSON.parse(w.stdout).status).toBe('completed');
    }
    const runs = await lb.store.db
      .selectFrom('restore_runs')
      .select(['id', 'started_at', 'finished_at'])
      .where('id', 'in', [a, b])
      .orderBy('started_at')
      .execute();
    expect(runs[0]!.finished_at!.getTime()).toBeLessThanOrEqual(runs[1]!.started_at!.getTime());
  }, 120_000);
});

describe('awkward schemas restore exactly', () => {
  it('inheritance with a column added later, quoted names, a zero-column table, escapes, sequences', async () => {
    await servers.prod.query(
      'customer',
      String.raw`create table parent (a int, b text);
       create table child (c text) inherits (parent);
       alter table parent add column d int;
       insert into child (a, b, c, d) values (1, 'b1', 'c1', 10), (2, null, E'tab	here', 20);
       create table "Odd ""Name"" (x" ("we (ird" int, "Col, 2" text);
       insert into "Odd ""Name"" (x" values (1, 'ends in a backslash-dot \.'), (2, '\.'), (3, E'line
break');
       create table nocols ();
       insert into nocols default values; insert into nocols default values;
       create table counter (id serial primary key, v text);
       insert into counter (v) select 'x' from generate_series(1, 5);
       select setval('counter_id_seq', 42);`,
    );
    const lb = await backedUp(fixtureConfig());
    const r = await restore(lb, 'awkward_copy');
    expect(r.run.error ?? null).toBeNull();
    expect(r.run.status).toBe('completed');
    // pg_dump recreates an inheritance child with its columns in another order (stock pg_restore
    // does the same), so rows are compared by column name; every other table as a whole
    const byName = 'select a, b, c, d from child order by a';
    expect(await servers.dev.query('awkward_copy', byName)).toEqual(await servers.prod.query('customer', byName));
    const { 'public.child': _d, ...dest } = await tableContents(servers.dev, 'awkward_copy');
    const { 'public.child': _s, ...src } = await tableContents(servers.prod, 'customer');
    expect(dest).toEqual(src);
    expect(dest['public."Odd ""Name"" (x"']).toEqual([
      '(1,"ends in a backslash-dot \\\\.")',
      '(2,"\\\\.")',
      '(3,"line\nbreak")',
    ]);
    const [n] = await servers.dev.query<{ n: string }>('awkward_copy', 'select count(*) as n from nocols');
    expect(n!.n).toBe('2');
    const [seq] = await servers.dev.query<{ v: string }>('awkward_copy', "select nextval('counter_id_seq') as v");
    expect(seq!.v).toBe('43');
  });
});
