// "A table as it was at time T", masked, self-service (issue 18 item 3), with the real pgBackRest:
// a source that archives its WAL, a full backup; rows written, T noted, more rows written, then
// the table dropped. `restore request --at T --tables customers` into a development destination,
// executed and approved through the ordinary engine: the destination holds exactly the rows
// committed before T, the email column masked, and the scratch instance recovered to T is gone;
// `--tables customers` at T replaces only that table's rows, masked inside its transaction.
// The state at T is prepared by a worker (POST /api/v1/backups/as-at), its progress shown on the
// backup — restoring files, replaying WAL, dumping — and followed by the CLI on stderr. A T beyond
// the archived WAL is refused before anything is written or restored.
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/catalog/load.js';
import type { BackupDetail } from '../../src/contract/backups.js';
import type { RunDoc } from '../../src/contract/runs.js';
import { takePhysicalBackup } from '../../src/physical/backup.js';
import { setupStanza } from '../../src/physical/setup.js';
import { lifeboat, spawnLifeboat } from '../harness/cli.js';
import { archivingSettings, socketDir, waitArchived } from '../harness/archiving.js';
import { harnessRoot, startTestCluster, type TestCluster } from '../harness/cluster.js';
import { startTestLifeboat, type TestLifeboat } from '../harness/lifeboat.js';
import { PASSWORD, SUPERUSER } from '../harness/paths.js';
import { newBackupId, PITR_TRIGGER } from '../../src/backup/status.js';
import { listenForChanges } from '../../src/store/changes.js';
import { silentLogger } from '../../src/lib/logger.js';
import { prepareBackupAsAt } from '../../src/restore/pitr-source.js';

let root: string;
let sockDir: string;
let source: TestCluster;
let dev: TestCluster;
let lb: TestLifeboat;

const config = () => `version: 1
teams:
  team-shop:
    members: [jsmith]
    approvers: [alice]
users:
  jsmith: { email: jsmith@example.com, roles: [developer] }
  alice: { email: alice@example.com, roles: [db-owner] }
  dana: { email: dana@example.com, roles: [dba-admin] }
servers:
  prod:
    engine: postgres
    tier: production
    url: env:PROD_URL
    pgbackrest:
      stanza: shop
      pg_data: ${source?.dataDir ?? '/unknown'}
      socket_path: ${sockDir}
      repo: vault
      config_dir: ${join(root, 'pgbr')}
      archive_timeout: 60s
  dev: { engine: postgres, tier: development, url: env:DEV_URL }
storage:
  vault: { type: filesystem, path: ${join(root, 'vault')} }
  main: { type: filesystem, path: ${join(root, 'backups')} }
databases:
  Shop:
    server: prod
    name: shop
    owner: team-shop
    destinations: [dev]
    approvals: 1
    backup:
      storage: main
    masking:
      key: env:MASKING_KEY
      rules:
        - { table: public.customers, column: email, transform: token }
`;

/** This file's scratch instances (its worker runs in this process; other files' workers make theirs). */
const scratchDirs = () => readdirSync(tmpdir()).filter((f) => f.startsWith(`lifeboat-pitr-prod-p${process.pid}-`));

const api = (user: string, method: string, path: string, body?: unknown) => lb.api(user, method, path, body);

beforeAll(async () => {
  root = mkdtempSync(join(harnessRoot(), 'pitr-restore-'));
  chmodSync(root, 0o755);
  sockDir = socketDir();
  const pre = parseConfig(config(), {
    baseDir: root,
    env: {
      PROD_URL: 'postgres://p:x@127.0.0.1:1/postgres',
      DEV_URL: 'postgres://p:x@127.0.0.1:1/postgres',
      MASKING_KEY: 'k',
    },
  });
  const settings = archivingSettings(pre, 'prod', sockDir);
  [source, dev] = await Promise.all([startTestCluster('pitrr-src', { settings }), startTestCluster('pitrr-dev')]);
  lb = await startTestLifeboat(config(), {
    PROD_URL: `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${source.port}/postgres`,
    DEV_URL: `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${dev.port}/postgres`,
    MASKING_KEY: 'pitr-test-key-0123456789abcdef',
  });
}, 120_000);

afterAll(() => rmSync(sockDir, { recursive: true, force: true }));

const customers = 'create table customers (id int primary key, email text not null, note text)';
const orders = 'create table orders (id int primary key, amount int not null)';

describe('restore request --at T on a database with physical backups', () => {
  /** `restore request Shop --at T --execute` as jsmith, approved by alice, followed to its end. */
  let lastStderr = '';
  async function restoreAt(t: Date, extra: string[]) {
    const before = scratchDirs();
    const requested = await lifeboat(
      [
        'restore',
        'request',
        'Shop',
        '--to',
        'dev/shop_dev',
        '--at',
        t.toISOString(),
        ...extra,
        '--execute',
        '--confirm',
        'dev/shop_dev',
        '--json',
      ],
      { env: await lb.cliEnv('jsmith') },
    );
    expect(requested.code).toBe(0);
    lastStderr = requested.stderr;
    // stderr: the preparation followed phase by phase (or nothing, when the state at T was ready)
    for (const l of requested.stderr.split('\n').filter(Boolean)) {
      expect(l).toMatch(
        /^\S+Z (preparing Shop as it was at \S+ on a worker: backup \S+|backup \S+ (\w+|restoring files|replaying WAL|dumping|verifying)\b.*)$/,
      );
    }
    const run = JSON.parse(requested.stdout) as RunDoc;
    expect(run.status).toBe('pending_approval');
    // the scratch instance recovered to T was removed once the state at T was backed up
    expect(scratchDirs().filter((d) => !before.includes(d))).toEqual([]);
    const approved = await lifeboat(['restore', 'approve', String(run.id)], { env: await lb.cliEnv('alice') });
    expect(approved.stderr).toBe('');
    expect(approved.code).toBe(0);
    const done = await lifeboat(['restore', 'status', String(run.id), '--watch', '--json'], {
      env: await lb.cliEnv('jsmith'),
    });
    const end = JSON.parse(done.stdout) as RunDoc;
    expect(end.status).toBe('completed');
    return end;
  }

  let t: Date;

  it('restores the database as it was at T, masked, after approval; the scratch instance is removed', async () => {
    await source.createDatabase('shop');
    await source.query('shop', customers);
    await source.query('shop', orders);
    await setupStanza(lb.catalog, 'prod');
    await takePhysicalBackup(lb.store.db, lb.catalog, {
      server: 'prod',
      type: 'full',
      trigger: 'manual',
      actor: 'dana',
    });
    // pgBackRest keeps a backup's stop time in whole seconds and restores to a time only from a
    // set that stopped before it: T is made a second later than the backup's end
    await source.query('shop', 'select pg_sleep(1.1)');

    await source.query(
      'shop',
      "insert into customers select g, 'user' || g || '@example.com', 'before' from generate_series(1, 20) g",
    );
    await source.query('shop', 'insert into orders select g, g * 10 from generate_series(1, 5) g');
    [{ t }] = (await source.query<{ t: Date }>('shop', 'select clock_timestamp() as t')) as [{ t: Date }];
    await source.query('shop', 'select pg_sleep(0.05)'); // the clock moves past T before the next commit
    await source.query(
      'shop',
      "insert into customers select g, 'user' || g || '@example.com', 'after' from generate_series(21, 30) g",
    );
    await source.query('shop', 'insert into orders select g, g * 10 from generate_series(6, 8) g');
    await source.query('shop', 'drop table customers');
    await source.query('shop', 'select pg_switch_wal()');
    await waitArchived(source);

    const run = await restoreAt(t, []);
    const followed = run.source.backupId!;
    // the CLI followed the preparation on stderr, a line per phase, in order
    const phases = lastStderr
      .split('\n')
      .map((l) => /^\S+ backup \S+ (restoring files|replaying WAL|dumping|verifying)/.exec(l)?.[1])
      .filter((p, i, all) => p !== undefined && p !== all[i - 1]);
    expect(phases.slice(0, 3)).toEqual(['restoring files', 'replaying WAL', 'dumping']);
    expect(lastStderr).toMatch(/ restoring files \d+%/);
    // the source is recorded: a backup of the state at T (trigger pitr), from stanza shop
    const backup = await lb.store.db
      .selectFrom('backups')
      .select(['id', 'status', 'trigger', 'rows'])
      .where('id', '=', run.source.backupId!)
      .executeTakeFirstOrThrow();
    expect(backup).toMatchObject({ trigger: 'pitr', status: 'verified', rows: 25 });
    expect(followed).toBe(backup.id);
    const sourced = await lb.store.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'restore.source')
      .where('subject_id', '=', String(run.id))
      .executeTakeFirstOrThrow();
    expect(sourced.details).toMatchObject({
      backupId: backup.id,
      at: t.toISOString(),
      source: 'physical',
      physical: { server: 'prod', stanza: 'shop', at: t.toISOString() },
    });

    // the dropped table is back with exactly the rows committed before T, its emails masked
    const rows = await dev.query<{ id: number; email: string; note: string }>(
      'shop_dev',
      'select id, email, note from customers order by id',
    );
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(rows.every((r) => r.note === 'before')).toBe(true);
    // masked: no original email is in the copy, every one is still an email, distinct inputs stay distinct
    expect(rows.filter((r) => r.email === `user${r.id}@example.com`)).toEqual([]);
    expect(rows.every((r) => /^[^@\s]+@[^@\s]+\.[a-z]+$/.test(r.email))).toBe(true);
    expect(new Set(rows.map((r) => r.email)).size).toBe(20);
    expect(await dev.query('shop_dev', 'select id from orders order by id')).toEqual(
      [1, 2, 3, 4, 5].map((id) => ({ id })),
    );
  }, 300_000);

  it("--tables: replaces only that table's rows with those it held at T", async () => {
    await dev.query(
      'shop_dev',
      "delete from orders; insert into orders values (900, 1); update customers set note = 'dev'",
    );
    const backupsBefore = await lb.store.db.selectFrom('backups').select('id').orderBy('id').execute();
    const run = await restoreAt(t, ['--tables', 'orders']);
    expect(run.tables).toEqual(['public.orders']);
    // the state at T prepared for the first request is used again: no second recovery
    expect(await lb.store.db.selectFrom('backups').select('id').orderBy('id').execute()).toEqual(backupsBefore);
    expect(await dev.query('shop_dev', 'select id, amount from orders order by id')).toEqual(
      [1, 2, 3, 4, 5].map((id) => ({ id, amount: id * 10 })),
    );
    const notes = await dev.query<{ note: string }>('shop_dev', 'select distinct note from customers');
    expect(notes).toEqual([{ note: 'dev' }]);
  }, 300_000);

  it('--tables customers (masked): exactly the rows committed before T, the email masked in the transaction', async () => {
    // the first restore's masked emails: the same key masks the same originals to the same values
    const masked = await dev.query<{ id: number; email: string }>(
      'shop_dev',
      'select id, email from customers order by id',
    );
    await dev.query(
      'shop_dev',
      "delete from customers where id > 10; update customers set email = 'dev' || id || '@dev.example', note = 'dev'; insert into orders values (901, 1)",
    );
    const ordersBefore = await dev.query('shop_dev', 'select id, amount from orders order by id');
    const run = await restoreAt(t, ['--tables', 'customers']);
    expect(run.tables).toEqual(['public.customers']);
    const rows = await dev.query<{ id: number; email: string; note: string }>(
      'shop_dev',
      'select id, email, note from customers order by id',
    );
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(rows.every((r) => r.note === 'before')).toBe(true);
    expect(rows.filter((r) => r.email === `user${r.id}@example.com` || r.email.endsWith('@dev.example'))).toEqual([]);
    expect(rows.every((r) => /^[^@\s]+@[^@\s]+\.[a-z]+$/.test(r.email))).toBe(true);
    expect(rows.map(({ id, email }) => ({ id, email }))).toEqual(masked);
    expect(await dev.query('shop_dev', 'select id, amount from orders order by id')).toEqual(ordersBefore);
    const log = await lifeboat(['restore', 'show', String(run.id), '--log', '--json'], {
      env: await lb.cliEnv('jsmith'),
    });
    expect(JSON.parse(log.stdout).log).toMatch(/leak check public\.customers\.email: 0 of 20 sampled originals found/);
  }, 300_000);

  it('prepares the state at T on a worker; its progress goes restoring files → replaying WAL → dumping', async () => {
    const before = scratchDirs();
    const t2 = new Date(t.getTime() + 1); // another T: a new preparation, not the backup of T
    // two requests for the same T at once (a double click, two developers) prepare it once
    const both = await Promise.all([
      api('jsmith', 'POST', '/api/v1/backups/as-at', { database: 'Shop', at: t2.toISOString() }),
      api('jsmith', 'POST', '/api/v1/backups/as-at', { database: 'Shop', at: t2.toISOString() }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 202]);
    expect(both[0].body.id).toBe(both[1].body.id);
    const queued = both.find((r) => r.status === 202)!;
    expect(await lb.store.db.selectFrom('backups').select('id').where('point_in_time', '=', t2).execute()).toHaveLength(
      1,
    );
    const b = queued.body as unknown as BackupDetail;
    expect(b).toMatchObject({ status: 'queued', trigger: 'pitr', at: t2.toISOString(), requestedBy: 'jsmith' });
    // followed through the API as the CLI does: an answer at every change of status or progress
    const phases: string[] = [];
    let seen: BackupDetail = b;
    for (let i = 0; i < 10_000 && !['verified', 'failed', 'corrupt', 'unverifiable'].includes(seen.status); i++) {
      const r = await api('jsmith', 'GET', `/api/v1/backups/${b.id}?wait=10&changed=true`);
      seen = r.body as unknown as BackupDetail;
      if (seen.progress && phases.at(-1) !== seen.progress.phase) phases.push(seen.progress.phase);
      // (the size is unknown — null — while pgBackRest reads the backup set's manifest)
      const total = seen.progress?.phase === 'restoring_files' ? seen.progress.totalBytes : undefined;
      if (typeof total === 'number') {
        expect(total).toBeGreaterThan(0);
        expect(seen.progress?.bytes ?? 0).toBeLessThanOrEqual(total);
      }
      if (seen.progress?.phase === 'dumping') expect(seen.progress.totalTables).toBe(2);
    }
    expect(seen).toMatchObject({ status: 'verified', rows: 25, progress: null, at: t2.toISOString() });
    // every phase seen is in order (a phase can pass between two answers: the first three are always long enough)
    const order = ['restoring_files', 'replaying_wal', 'dumping', 'verifying'];
    expect(phases.map((p) => order.indexOf(p))).toEqual([...phases.map((p) => order.indexOf(p))].sort());
    expect(phases.slice(0, 3)).toEqual(['restoring_files', 'replaying_wal', 'dumping']);
    // the scratch instance recovered to T2 is gone
    expect(scratchDirs()).toEqual(before);
    // a second request for the same T answers the same backup
    const again = await api('jsmith', 'POST', '/api/v1/backups/as-at', { database: 'Shop', at: t2.toISOString() });
    expect(again).toMatchObject({ status: 200, body: { id: b.id, status: 'verified' } });
    // the run request body's `at` takes the prepared state, without preparing anything
    const run = await api('jsmith', 'POST', '/api/v1/runs', {
      database: 'Shop',
      to: 'dev/shop_dev',
      at: t2.toISOString(),
      tables: ['orders'],
    });
    expect(run.status).toBe(201);
    expect((run.body as unknown as RunDoc).source.backupId).toBe(b.id);
  }, 300_000);

  it('Ctrl-C while preparing leaves the backup being prepared and says how to go on', async () => {
    const t3 = new Date(t.getTime() + 3);
    const env = await lb.cliEnv('jsmith');
    const cli = spawnLifeboat(['restore', 'request', 'Shop', '--to', 'dev/shop_dev', '--at', t3.toISOString()], {
      env,
    });
    await cli.waitFor(/backup \S+ (restoring files|replaying WAL)/);
    cli.child.kill('SIGINT');
    expect(await cli.exited()).toBe(130);
    const hint =
      /interrupted: backup (\S+) goes on being prepared on a worker\nHINT: follow it with `lifeboat backup show \1 --wait`, then request the restore from it: `(lifeboat restore request Shop --to dev\/shop_dev --backup \1)`/.exec(
        cli.output(),
      );
    expect(hint).not.toBeNull();
    const id = hint![1]!;
    // the worker goes on without the client: followed with the command the hint gave, it ends verified
    const shown = await lifeboat(['backup', 'show', id, '--wait', '--json'], { env });
    expect(shown.code).toBe(0);
    expect(shown.stderr).toMatch(new RegExp(`backup ${id} verified\\n$`));
    expect(JSON.parse(shown.stdout)).toMatchObject({ id, status: 'verified', at: t3.toISOString(), progress: null });
    // the command it printed makes the dry run from it, its point in time recorded on the run
    const again = await lifeboat([...hint![2]!.split(' ').slice(1), '--json'], { env });
    expect(again.stderr).toBe('');
    const run = JSON.parse(again.stdout) as RunDoc;
    expect(run.source.backupId).toBe(id);
    const sourced = await lb.store.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'restore.source')
      .where('subject_id', '=', String(run.id))
      .executeTakeFirstOrThrow();
    expect(sourced.details).toMatchObject({ source: 'physical', at: t3.toISOString() });
  }, 300_000);

  it('a worker shutting down mid-recovery fails the backup and removes the scratch instance', async () => {
    const before = scratchDirs();
    // a backup as at T4 that no job runs: prepared here, as the worker would, and cancelled
    const id = newBackupId(new Date(), 'c0de');
    await lb.store.db
      .insertInto('backups')
      .values({
        id,
        database: 'Shop',
        server: 'prod',
        storage: 'main',
        status: 'queued',
        trigger: PITR_TRIGGER,
        requested_by: 'jsmith',
        point_in_time: new Date(t.getTime() + 4),
      })
      .execute();
    const shutdown = new AbortController();
    const preparing = prepareBackupAsAt(
      { db: lb.store.db, catalog: lb.catalog, logger: silentLogger(), signal: shutdown.signal, workerId: 'w-test' },
      id,
    );
    const changes = await listenForChanges(lb.store.url, silentLogger());
    try {
      for (;;) {
        const changed = changes.next(`backup:${id}`, 1000);
        const row = await lb.store.db
          .selectFrom('backups')
          .select(['status', 'progress'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        if ((row.progress as { phase?: string } | null)?.phase === 'replaying_wal') break;
        expect(['queued', 'running']).toContain(row.status);
        await changed;
      }
    } finally {
      await changes.close();
    }
    // replaying WAL: the scratch instance is there (and this file's filter sees it)
    expect(scratchDirs()).toHaveLength(before.length + 1);
    shutdown.abort(new Error('worker shutting down'));
    expect(await preparing).toBe('failed');
    const row = await lb.store.db
      .selectFrom('backups')
      .select(['status', 'error', 'log'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    // (stopped in WAL replay, or in the dump if replay had just ended)
    expect(row).toMatchObject({ status: 'failed', error: expect.stringMatching(/cancelled|abort|shutting down/i) });
    expect(scratchDirs()).toEqual(before);
  }, 300_000);

  it('cancelled while it is prepared: its worker stops and removes the scratch instance; a new request prepares it anew', async () => {
    const before = scratchDirs();
    const t5 = new Date(t.getTime() + 5);
    const asAt = () => api('dana', 'POST', '/api/v1/backups/as-at', { database: 'Shop', at: t5.toISOString() });
    const queued = await asAt();
    expect(queued.status).toBe(202);
    const id = String(queued.body.id);
    // followed until the worker is recovering it
    const untilRecovering = async (b: BackupDetail) => {
      for (let i = 0; i < 1000 && !b.progress && b.status !== 'verified'; i++) {
        b = (await api('dana', 'GET', `/api/v1/backups/${b.id}?wait=10&changed=true`)).body as unknown as BackupDetail;
      }
      expect(b.status).toBe('running');
    };
    await untilRecovering(queued.body as unknown as BackupDetail);
    // a developer who did not request it may not stop it
    expect((await api('jsmith', 'POST', `/api/v1/backups/${id}/cancel`)).status).toBe(403);
    const cancelled = await lifeboat(['backup', 'cancel', id], { env: await lb.cliEnv('dana') });
    expect(cancelled.stderr).toBe('');
    expect(cancelled.code).toBe(0);
    // its worker notices at its next heartbeat, stops the recovery (or the dump, had it just
    // begun) and removes the scratch instance; what it did is in the backup's log
    const row = (b: string) =>
      lb.store.db
        .selectFrom('backups')
        .select(['status', 'error', 'log', 'progress'])
        .where('id', '=', b)
        .executeTakeFirstOrThrow();
    const untilStopped = async (b: string) => {
      await expect
        .poll(async () => (await row(b)).log ?? '', { timeout: 60_000 })
        .toMatch(/stopped: the backup was ended while this worker/);
      await expect.poll(() => scratchDirs(), { timeout: 60_000 }).toEqual(before);
    };
    await untilStopped(id);
    expect(await row(id)).toMatchObject({ status: 'cancelled', error: 'cancelled by dana', progress: null });
    // a new request for the same T is a new preparation, not the cancelled backup
    const anew = await asAt();
    expect(anew.status).toBe(202);
    expect(anew.body.id).not.toBe(id);
    await untilRecovering(anew.body as unknown as BackupDetail);
    const stopped = await api('dana', 'POST', `/api/v1/backups/${String(anew.body.id)}/cancel`);
    expect(stopped).toMatchObject({ status: 200, body: { status: 'cancelled', error: 'cancelled by dana' } });
    await untilStopped(String(anew.body.id));
  }, 300_000);

  it('answers a run request with `at` not prepared yet 409, pointing at POST /api/v1/backups/as-at', async () => {
    const backupsBefore = await lb.store.db.selectFrom('backups').select('id').orderBy('id').execute();
    const r = await api('jsmith', 'POST', '/api/v1/runs', {
      database: 'Shop',
      to: 'dev/shop_dev',
      at: new Date(t.getTime() + 2).toISOString(),
    });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({
      code: 'conflict',
      hint: expect.stringContaining('POST /api/v1/backups/as-at'),
    });
    expect(await lb.store.db.selectFrom('backups').select('id').orderBy('id').execute()).toEqual(backupsBefore);
  });

  it('refuses a T beyond the archived WAL before anything is written or restored', async () => {
    const runsBefore = await lb.store.db.selectFrom('restore_runs').select('id').orderBy('id').execute();
    const backupsBefore = await lb.store.db.selectFrom('backups').select('id').orderBy('id').execute();
    const backupAudits = () =>
      lb.store.db.selectFrom('audit_events').select('id').where('action', '=', 'backup.run').execute();
    const auditsBefore = await backupAudits();
    const before = scratchDirs();
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const r = await lifeboat(
      ['restore', 'request', 'Shop', '--to', 'dev/shop_dev', '--at', later, '--tables', 'customers'],
      { env: await lb.cliEnv('jsmith') },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /^lifeboat: unable to restore from server prod \(stanza shop\) as at \S+: \S+ is later than the archived WAL reaches: its last transaction ended at \S+Z \(newest segment [0-9A-F]{24}, archived at \S+Z\); PostgreSQL cannot recover to a time after it\nHINT: choose a time at or before /,
    );
    expect(await lb.store.db.selectFrom('restore_runs').select('id').orderBy('id').execute()).toEqual(runsBefore);
    expect(await lb.store.db.selectFrom('backups').select('id').orderBy('id').execute()).toEqual(backupsBefore);
    expect(scratchDirs()).toEqual(before);
    // the same refusal at the endpoint that prepares the state at T
    const refused = await api('jsmith', 'POST', '/api/v1/backups/as-at', { database: 'Shop', at: later });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/is later than the archived WAL reaches/),
      hint: expect.stringMatching(/^choose a time at or before /),
    });
    expect(await lb.store.db.selectFrom('backups').select('id').orderBy('id').execute()).toEqual(backupsBefore);
    expect(await backupAudits()).toEqual(auditsBefore);
    expect(scratchDirs()).toEqual(before);
  });
});
