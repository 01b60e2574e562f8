// Backups of the fixture CustomerDB through the real CLI against a running Lifeboat: the manifest
// counts every row in the dump's snapshot, the archive restores with stock pg_restore, encryption
// and S3 work, and corruption, wrong keys and failures are reported naming what is wrong.
import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import process from 'node:process';
import { sql } from 'kysely';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/backup/manifest.js';
import { BACKUP_VERIFY_QUEUE } from '../../src/backup/service.js';
import { verifyBackup } from '../../src/backup/verify-backup.js';
import { parseConfig } from '../../src/catalog/load.js';
import type { BackupDetail } from '../../src/contract/backups.js';
import { pgBin } from '../../src/engines/postgres/binaries.js';
import { silentLogger } from '../../src/lib/logger.js';
import { run } from '../../src/lib/process.js';
import { jobHandlers } from '../../src/runtime/jobs.js';
import { lifeboat, spawnLifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers, tableContents } from '../harness/fixtures.js';
import { startTestLifeboat, type TestLifeboat } from '../harness/lifeboat.js';
import { closedPort, startS3, S3RVER_KEY, type TestS3 } from '../storage/helpers.js';

let servers: FixtureServers;
beforeAll(async () => {
  servers = await startFixtureServers();
});

async function backupWait(lb: TestLifeboat, user = 'alice') {
  const r = await lifeboat(['backup', 'run', 'CustomerDB', '--wait', '--json'], { env: await lb.cliEnv(user) });
  return { ...r, doc: JSON.parse(r.stdout || '{}') as BackupDetail & { manifest: Manifest } };
}

async function sourceCounts(): Promise<Record<string, number>> {
  const rows = await servers.prod.query<{ t: string; n: number }>(
    'customer',
    `select format('%s.%s', schemaname, relname) as t, 0 as n from pg_stat_user_tables order by 1`,
  );
  const out: Record<string, number> = {};
  for (const { t } of rows) {
    const [schema, name] = t.split('.');
    const [c] = await servers.prod.query<{ n: string }>('customer', `select count(*) as n from "${schema}"."${name}"`);
    out[t] = Number(c!.n);
  }
  return out;
}

async function restoreFetched(lb: TestLifeboat, id: string, into: string) {
  const dir = join(lb.dir, `fetched-${into}`);
  // a raw dump: only a dba-admin (dana) or a recovery-operator may fetch it
  const f = await lifeboat(['backup', 'fetch', id, dir], { env: await lb.cliEnv('dana') });
  expect(f.stderr).toBe('');
  expect(f.code).toBe(0);
  await servers.dev.createDatabase(into);
  const env = { ...process.env, PGPASSWORD: 'lifeboat-test' };
  const r = await run(
    pgBin('pg_restore'),
    [
      '--no-owner',
      '--no-acl',
      '-j',
      '2',
      '-h',
      '127.0.0.1',
      '-p',
      String(servers.dev.port),
      '-U',
      'postgres',
      '-d',
      into,
      dir,
    ],
    { env },
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

describe('backup on the filesystem', () => {
  it('takes a verified backup whose manifest counts every table exactly, and restores with stock pg_restore', async () => {
    const lb = await startTestLifeboat(fixtureConfig(), servers.env);
    const r = await backupWait(lb);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.doc.status).toBe('verified');
    const m = r.doc.manifest;
    expect(m.format).toBe('lifeboat-backup/1');
    expect(m.compression).toEqual({ method: 'gzip' });
    const counts = Object.fromEntries(
      m.tables.map((t: { schema: string; name: string; rows: number }) => [`${t.schema}.${t.name}`, t.rows]),
    );
    expect(counts).toEqual(await sourceCounts());
    expect(counts['public.customers']).toBe(500);
    expect(m.totals.rows).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
    for (const f of m.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.serverVersion).toMatch(/^1\d\./);
    expect(m.schemaFingerprint).toMatch(/^[0-9a-f]{64}$/);
    // each table's columns, the extensions and the write counters, taken in the dump's snapshot
    expect(m.schema!.map((t: { schema: string; name: string }) => `${t.schema}.${t.name}`)).toEqual(
      Object.keys(counts),
    );
    expect(m.schema!.find((t: { name: string }) => t.name === 'orders')!.columns).toEqual([
      { name: 'id', type: 'bigint', notNull: true },
      { name: 'customer_id', type: 'bigint', notNull: true },
      { name: 'customer_email', type: 'text', notNull: true },
      { name: 'total', type: 'numeric(10,2)', notNull: true },
      { name: 'placed_at', type: 'timestamp with time zone', notNull: true },
      { name: 'status', type: 'text', notNull: true },
    ]);
    expect(m.extensions).toEqual([{ name: 'plpgsql', version: '1.0' }]);
    // (the database was copied from the seeded template: its tables were never written here)
    expect(m.writes!.map((w: { name: string; writes: number }) => [w.name, w.writes])).toEqual([
      ['Order', 0],
      ['customers', 0],
      ['orders', 0],
    ]);
    // stored files are pg_dump's own gzip files; the manifest is the last object written
    const stored = readdirSync(join(lb.dir, 'backups', 'CustomerDB', r.doc.id));
    expect(stored).toContain('manifest.json');
    expect(stored.filter((n) => n.endsWith('.dat.gz')).length).toBe(m.tables.length);
    const asStored = await run(pgBin('pg_restore'), ['--list', join(lb.dir, 'backups', 'CustomerDB', r.doc.id)]);
    expect(asStored.code).toBe(0);
    expect(asStored.stdout).toContain('TABLE DATA public customers');

    await restoreFetched(lb, r.doc.id, 'restored_plain');
    expect(await tableContents(servers.dev, 'restored_plain')).toEqual(await tableContents(servers.prod, 'customer'));

    const list = await lifeboat(['backup', 'list', 'CustomerDB', '--json'], { env: await lb.cliEnv('jsmith') });
    expect(JSON.parse(list.stdout).backups.map((b: { id: string }) => b.id)).toEqual([r.doc.id]);
    const audit = await lb.store.db
      .selectFrom('audit_events')
      .select(['action', 'actor', 'subject_id'])
      .where('action', '=', 'backup.run')
      .execute();
    expect(audit).toEqual([{ action: 'backup.run', actor: 'alice', subject_id: r.doc.id }]);
  });

  it('with zstd on the stream, counts every table and fetches to a stock-readable directory', async () => {
    const lb = await startTestLifeboat(
      fixtureConfig({ backupExtra: '      compression: { method: zstd, level: 1 }' }),
      servers.env,
    );
    const r = await backupWait(lb);
    expect(r.doc.status).toBe('verified');
    expect(r.doc.manifest.compression).toEqual({ method: 'zstd', level: 1 });
    const counts = Object.fromEntries(
      r.doc.manifest.tables.map((t: { schema: string; name: string; rows: number }) => [
        `${t.schema}.${t.name}`,
        t.rows,
      ]),
    );
    expect(counts).toEqual(await sourceCounts());
    const stored = readdirSync(join(lb.dir, 'backups', 'CustomerDB', r.doc.id));
    expect(stored.filter((n) => n.endsWith('.dat.zst')).length).toBe(r.doc.manifest.tables.length);
    await restoreFetched(lb, r.doc.id, 'restored_zstd');
    expect(await tableContents(servers.dev, 'restored_zstd')).toEqual(await tableContents(servers.prod, 'customer'));
  });

  it('refuses a developer (not an owner) to run a backup: 403 not allowed, exit 3', async () => {
    const lb = await startTestLifeboat(fixtureConfig(), servers.env);
    const r = await lifeboat(['backup', 'run', 'CustomerDB'], { env: await lb.cliEnv('jsmith') });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^lifeboat: unable to backup run: jsmith's roles \(developer\) do not allow backup\.run on CustomerDB/,
    );
  });
});

describe('backup verification', () => {
  let lb: TestLifeboat;
  beforeAll(async () => {
    lb = await startTestLifeboat(
      fixtureConfig({ backupExtra: '      encrypt: { passphrase: env:BACKUP_PASSPHRASE }' }),
      servers.env,
    );
  });

  async function freshBackup() {
    const r = await backupWait(lb);
    expect(r.doc.status).toBe('verified');
    return { id: r.doc.id, dir: join(lb.dir, 'backups', 'CustomerDB', r.doc.id), manifest: r.doc.manifest };
  }
  const biggest = (dir: string) =>
    readdirSync(dir)
      .filter((n) => n.endsWith('.dat.gz.age'))
      .sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0]!;
  const verify = async (id: string, env?: Record<string, string>) =>
    lifeboat(['backup', 'verify', id, '--json'], { env: env ?? (await lb.cliEnv('alice')) });

  it('encrypts every file with age and keeps the key file beside them', async () => {
    const b = await freshBackup();
    expect(b.manifest.encryption).toEqual({ format: 'age', mode: 'passphrase', keyFile: 'key.age' });
    for (const n of readdirSync(b.dir).filter((x) => x.endsWith('.age'))) {
      expect(readFileSync(join(b.dir, n)).subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    }
    expect(readFileSync(join(b.dir, 'manifest.json'), 'utf8')).not.toContain(servers.env.BACKUP_PASSPHRASE);
    await restoreFetched(lb, b.id, 'restored_encrypted');
    expect(await tableContents(servers.dev, 'restored_encrypted')).toEqual(
      await tableContents(servers.prod, 'customer'),
    );
  });

  it('finds a flipped bit and names the file', async () => {
    const b = await freshBackup();
    const file = biggest(b.dir);
    const buf = readFileSync(join(b.dir, file));
    buf[Math.floor(buf.length / 2)]! ^= 0x01;
    writeFileSync(join(b.dir, file), buf);
    const r = await verify(b.id);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.status).toBe('corrupt');
    expect(doc.verifyError).toMatch(
      new RegExp(
        `^${file.replace(/\./g, '\\.')} does not match its SHA-256 \\(expected [0-9a-f]{64}, got [0-9a-f]{64}\\)$`,
      ),
    );
  });

  it('right after a write, checks a table of contents pg_restore already listed instead of listing it again, and still finds it damaged', async () => {
    const b = await freshBackup();
    const toc = b.manifest.files.find((f) => f.name === 'toc.dat')!;
    const after = { contents: false, tocListed: toc.sha256 };
    expect(await verifyBackup({ db: lb.store.db, catalog: lb.catalog }, b.id, after)).toEqual({
      status: 'verified',
    });
    const buf = readFileSync(join(b.dir, toc.stored));
    buf[buf.length - 20]! ^= 0x01;
    writeFileSync(join(b.dir, toc.stored), buf);
    expect(await verifyBackup({ db: lb.store.db, catalog: lb.catalog }, b.id, after)).toEqual({
      status: 'corrupt',
      reason: expect.stringMatching(
        /^toc\.dat\.age does not match its SHA-256 \(expected [0-9a-f]{64}, got [0-9a-f]{64}\)$/,
      ),
    });
    const row = await lb.store.db
      .selectFrom('backups')
      .select('status')
      .where('id', '=', b.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('corrupt');
  });

  it('finds a truncated file', async () => {
    const b = await freshBackup();
    const file = biggest(b.dir);
    const size = statSync(join(b.dir, file)).size;
    truncateSync(join(b.dir, file), size - 10);
    const doc = JSON.parse((await verify(b.id)).stdout);
    expect(doc.verifyError).toBe(`${file} has ${size - 10} bytes, the manifest says ${size}`);
  });

  it('finds a deleted file', async () => {
    const b = await freshBackup();
    const file = biggest(b.dir);
    unlinkSync(join(b.dir, file));
    const doc = JSON.parse((await verify(b.id)).stdout);
    expect(doc.verifyError).toBe(`${file} is missing`);
  });

  it('a storage that cannot be read is unverifiable, not corrupt, and is verified again later', async () => {
    const b = await freshBackup();
    // the backup's directory becomes a symbolic link to itself: every read fails with ELOOP, as a
    // storage error (what a timeout or a refused connection is for S3), whoever runs the tests
    renameSync(b.dir, `${b.dir}.aside`);
    symlinkSync(basename(b.dir), b.dir);
    const r = await verify(b.id);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as BackupDetail;
    expect(doc.status).toBe('unverifiable');
    expect(doc.verifyError).toBe(
      `unable to read CustomerDB/${b.id}/manifest.json from storage main (${join(lb.dir, 'backups')}): ELOOP: too many symbolic links encountered, open '${join(b.dir, 'manifest.json')}'`,
    );
    const events = await lb.store.db
      .selectFrom('audit_events')
      .select(['actor', 'outcome', 'details'])
      .where('action', '=', 'backup.verify')
      .where('subject_id', '=', b.id)
      .execute();
    expect(events).toEqual([
      {
        actor: 'alice',
        outcome: 'failure',
        details: { verdict: 'unverifiable', reason: doc.verifyError, from: 'verified', to: 'unverifiable' },
      },
    ]);
    // tried again by pg-boss, after 1, 2, 4 … minutes while it stays unverifiable
    const jobs = await sql<{ data: unknown; retry_limit: number; retry_backoff: boolean }>`
      select data, retry_limit, retry_backoff from pgboss.job where name = ${BACKUP_VERIFY_QUEUE}`.execute(lb.store.db);
    expect(jobs.rows).toEqual([{ data: { backupId: b.id }, retry_limit: 8, retry_backoff: true }]);
    const retry = jobHandlers({ db: lb.store.db, queue: lb.queue, catalog: lb.catalog, logger: silentLogger() })[
      BACKUP_VERIFY_QUEUE
    ]!;
    const ctx = { signal: new AbortController().signal, logger: silentLogger(), workerId: 'test', jobId: 'j' };
    await expect(retry({ backupId: b.id }, ctx)).rejects.toThrow(`backup ${b.id} is still unverifiable: `);
    // the storage is back: the next try verifies it
    unlinkSync(b.dir);
    renameSync(`${b.dir}.aside`, b.dir);
    await retry({ backupId: b.id }, ctx);
    const row = await lb.store.db
      .selectFrom('backups')
      .select(['status', 'verify_error'])
      .where('id', '=', b.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'verified', verify_error: null });
  });

  it('an unreadable storage never hides a corruption: a corrupt backup stays corrupt', async () => {
    const b = await freshBackup();
    const file = biggest(b.dir);
    unlinkSync(join(b.dir, file));
    expect(JSON.parse((await verify(b.id)).stdout).status).toBe('corrupt');
    renameSync(b.dir, `${b.dir}.aside`);
    symlinkSync(basename(b.dir), b.dir);
    const doc = JSON.parse((await verify(b.id)).stdout) as BackupDetail;
    expect(doc).toMatchObject({ status: 'corrupt', verifyError: `${file} is missing` });
    unlinkSync(b.dir);
    renameSync(`${b.dir}.aside`, b.dir);
  });

  it('finds a wrong key, and never yields data', async () => {
    const b = await freshBackup();
    // a server with the same storage directory and catalog row, and another passphrase
    const wrong = await startTestLifeboat(
      fixtureConfig({ backupExtra: '      encrypt: { passphrase: env:BACKUP_PASSPHRASE }' }),
      { ...servers.env, BACKUP_PASSPHRASE: 'not the passphrase' },
      { worker: false },
    );
    symlinkSync(join(lb.dir, 'backups'), join(wrong.dir, 'backups'));
    const row = await lb.store.db.selectFrom('backups').selectAll().where('id', '=', b.id).executeTakeFirstOrThrow();
    await wrong.store.db
      .insertInto('backups')
      .values({ ...row, manifest: JSON.stringify(row.manifest), log: row.log, progress: null })
      .execute();
    const dir = join(wrong.dir, 'fetched-wrong');
    const f = await lifeboat(['backup', 'fetch', b.id, dir], { env: await wrong.cliEnv('dana') });
    expect(f.code).toBe(1);
    expect(f.stderr).toBe(
      `lifeboat: unable to decrypt backup ${b.id} (key.age): wrong passphrase or identity\nHINT: ${f.stderr.split('HINT: ')[1]}`,
    );
    expect(existsSync(dir)).toBe(false);
  });
});

describe('backup to S3', () => {
  let s3: TestS3;
  beforeAll(async () => {
    s3 = await startS3('db-backups');
    return () => s3.close();
  });

  it('stores an encrypted backup on a real S3-compatible server and restores it', async () => {
    const storage = `  main: { type: s3, bucket: db-backups, endpoint: "${s3.endpoint}", region: auto, prefix: lifeboat, force_path_style: true, access_key_id: env:S3_KEY_ID, secret_access_key: env:S3_SECRET }`;
    const lb = await startTestLifeboat(
      fixtureConfig({ storage, backupExtra: '      encrypt: { passphrase: env:BACKUP_PASSPHRASE }' }),
      {
        ...servers.env,
        S3_KEY_ID: S3RVER_KEY.id,
        S3_SECRET: S3RVER_KEY.secret,
      },
    );
    const r = await backupWait(lb);
    expect(r.stderr).toBe('');
    expect(r.doc.status).toBe('verified');
    await restoreFetched(lb, r.doc.id, 'restored_s3');
    expect(await tableContents(servers.dev, 'restored_s3')).toEqual(await tableContents(servers.prod, 'customer'));
  });
});

describe('backup verification against S3', () => {
  it('a refused connection makes the backup unverifiable, never corrupt', async () => {
    const s3 = await startS3('db-backups');
    try {
      const storage = (endpoint: string) =>
        `  main: { type: s3, bucket: db-backups, endpoint: "${endpoint}", region: auto, force_path_style: true, access_key_id: env:S3_KEY_ID, secret_access_key: env:S3_SECRET }`;
      const env = { ...servers.env, S3_KEY_ID: S3RVER_KEY.id, S3_SECRET: S3RVER_KEY.secret };
      const lb = await startTestLifeboat(fixtureConfig({ storage: storage(s3.endpoint) }), env);
      const r = await backupWait(lb);
      expect(r.doc.status).toBe('verified');
      // the same storage, unreachable: nothing listens on its port
      const down = `http://127.0.0.1:${await closedPort()}`;
      const catalog = parseConfig(fixtureConfig({ storage: storage(down) }), { baseDir: lb.dir, env });
      const verdict = await verifyBackup({ db: lb.store.db, catalog }, r.doc.id);
      expect(verdict).toEqual({
        status: 'unverifiable',
        reason: expect.stringMatching(
          new RegExp(
            `^unable to read CustomerDB/${r.doc.id}/manifest\\.json from storage main \\(.*\\): .*ECONNREFUSED`,
          ),
        ),
      });
      const row = await lb.store.db
        .selectFrom('backups')
        .select(['status'])
        .where('id', '=', r.doc.id)
        .executeTakeFirstOrThrow();
      expect(row.status).toBe('unverifiable');
    } finally {
      await s3.close();
    }
  });
});

describe('backup failures', () => {
  it('wrong credentials: failed with the reason in words, no secret, no files left', async () => {
    const bad = servers.prod.url('postgres').replace('lifeboat-test', 'wrong-password-123');
    const lb = await startTestLifeboat(fixtureConfig(), { ...servers.env, PROD_PG01_URL: bad });
    const r = await backupWait(lb);
    expect(r.code).toBe(1);
    expect(r.doc.status).toBe('failed');
    expect(r.doc.error).toMatch(
      /^unable to connect to database customer: password authentication failed for user "postgres"$/,
    );
    const show = await lifeboat(['backup', 'show', r.doc.id, '--log', '--json'], { env: await lb.cliEnv('alice') });
    expect(show.stdout).not.toContain('wrong-password-123');
    expect(existsSync(join(lb.dir, 'backups', 'CustomerDB', r.doc.id))).toBe(false);
  });

  it('pg_dump killed mid-dump: failed saying so, and its directory is gone from storage', async () => {
    const lb = await startTestLifeboat(fixtureConfig(), servers.env);
    // a table locked in the source holds pg_dump up after it has created its directory
    const locker = new pg.Client({ connectionString: servers.prod.url('customer') });
    await locker.connect();
    try {
      await locker.query('begin; lock table customers in access exclusive mode');
      const backup = backupWait(lb);
      const storage = join(lb.dir, 'backups', 'CustomerDB');
      let pid: number | undefined;
      for (let i = 0; i < 300 && pid === undefined; i++) {
        const ps = await run('pgrep', ['-f', `pg_dump .*-f ${storage}/`]);
        pid = ps.code === 0 ? Number(ps.stdout.trim().split('\n')[0]) : undefined;
        if (pid === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(pid).toBeDefined();
      // pg_dump writes straight into the filesystem storage: its directory is there
      expect(readdirSync(storage)).toHaveLength(1);
      process.kill(pid!, 'SIGKILL');
      await locker.query('rollback');
      const r = await backup;
      expect(r.doc.status).toBe('failed');
      expect(r.doc.error).toBe('pg_dump was killed (SIGKILL)');
      expect(existsSync(join(storage, r.doc.id))).toBe(false);
    } finally {
      await locker.end();
    }
  }, 60_000);

  it('cancelled mid-dump: its worker stops pg_dump and removes its files; only a queued or running backup can be', async () => {
    const lb = await startTestLifeboat(fixtureConfig(), servers.env);
    const alice = await lb.cliEnv('alice');
    // a table locked in the source holds pg_dump up after it has created its directory
    const locker = new pg.Client({ connectionString: servers.prod.url('customer') });
    await locker.connect();
    try {
      await locker.query('begin; lock table customers in access exclusive mode');
      const queued = await lifeboat(['backup', 'run', 'CustomerDB', '--json'], { env: alice });
      const id = (JSON.parse(queued.stdout) as BackupDetail).id;
      const storage = join(lb.dir, 'backups', 'CustomerDB');
      for (let i = 0; i < 300 && !existsSync(join(storage, id)); i++) await new Promise((r) => setTimeout(r, 100));
      expect(existsSync(join(storage, id))).toBe(true);
      // a developer who did not request it may not stop it (backup.run on the database)
      const denied = await lifeboat(['backup', 'cancel', id], { env: await lb.cliEnv('jsmith') });
      expect(denied.code).toBe(3);
      const cancelled = await lifeboat(['backup', 'cancel', id], { env: alice });
      expect(cancelled.stderr).toBe('');
      expect(cancelled.stdout).toBe(
        `backup ${id} of CustomerDB cancelled; its worker stops and removes what it wrote\n`,
      );
      // the worker notices at its next heartbeat: pg_dump stops (the lock is still held) and its
      // directory is removed from storage, its log kept on the backup
      const shown = await lifeboat(['backup', 'show', id, '--wait', '--log', '--json'], { env: alice });
      expect(shown.code).toBe(1);
      const doc = JSON.parse(shown.stdout) as BackupDetail;
      expect(doc).toMatchObject({ status: 'cancelled', error: 'cancelled by alice', progress: null });
      await expect
        .poll(
          async () => {
            const r = await lb.store.db.selectFrom('backups').select('log').where('id', '=', id).executeTakeFirst();
            return r?.log ?? '';
          },
          { timeout: 30_000 },
        )
        .toMatch(/stopped: the backup was ended while this worker ran it: cancelled, or failed by the reaper/);
      expect(existsSync(join(storage, id))).toBe(false);
      expect((await run('pgrep', ['-f', `pg_dump .*-f ${storage}/${id}`])).code).toBe(1);
      const events = await lb.store.db
        .selectFrom('audit_events')
        .select(['actor', 'action', 'details'])
        .where('subject_id', '=', id)
        .where('action', 'in', ['backup.cancel', 'backup.fail'])
        .execute();
      expect(events).toEqual([
        { actor: 'alice', action: 'backup.cancel', details: { from: 'running', to: 'cancelled' } },
      ]);
      // ended: a second cancel is refused, saying why
      const again = await lifeboat(['backup', 'cancel', id], { env: alice });
      expect(again.code).toBe(3);
      expect(again.stderr).toBe(
        `lifeboat: backup ${id} is cancelled: only a queued or running backup can be cancelled\nHINT: nothing to stop: it was not written\n`,
      );
      await locker.query('rollback');
      // a written backup is not cancelled either
      const done = await backupWait(lb);
      expect(done.doc.status).toBe('verified');
      const refused = await lifeboat(['backup', 'cancel', done.doc.id], { env: alice });
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(
        /is verified: only a queued or running backup can be cancelled\nHINT: a written backup stays until retention removes it/,
      );
    } finally {
      await locker.end();
    }
  }, 120_000);

  it('a worker killed mid-backup: the reaper fails it as worker lost and removes its files from storage', async () => {
    // no worker in the test process: the only worker is a process of its own, to be killed
    const lb = await startTestLifeboat(fixtureConfig(), servers.env, { worker: false });
    const env = { ...(await lb.cliEnv('alice')), LIFEBOAT_HEARTBEAT_TIMEOUT: '3s', LIFEBOAT_LOG_LEVEL: 'info' };
    const w1 = spawnLifeboat(['worker'], { env });
    await w1.waitFor(/worker started/, 30_000);
    // a table locked in the source holds pg_dump up after it has created its directory
    const locker = new pg.Client({ connectionString: servers.prod.url('customer') });
    await locker.connect();
    const w2 = { d: undefined as ReturnType<typeof spawnLifeboat> | undefined };
    try {
      await locker.query('begin; lock table customers in access exclusive mode');
      const queued = await lifeboat(['backup', 'run', 'CustomerDB', '--json'], { env });
      const id = (JSON.parse(queued.stdout) as BackupDetail).id;
      const storage = join(lb.dir, 'backups', 'CustomerDB');
      let pid: number | undefined;
      // until pg_dump runs (the oldest: the leader of its -j workers' process group) and has
      // created its directory in storage
      for (let i = 0; i < 300 && (pid === undefined || !existsSync(join(storage, id))); i++) {
        const ps = await run('pgrep', ['-o', '-f', `pg_dump .*-f ${storage}/${id}`]);
        pid = ps.code === 0 ? Number(ps.stdout.trim()) : undefined;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(pid).toBeDefined();
      const running = await lb.store.db
        .selectFrom('backups')
        .select(['status', 'worker_id'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(running.status).toBe('running');
      expect(running.worker_id).toMatch(new RegExp(`-${w1.child.pid}-[0-9a-f]{6}$`));
      expect(existsSync(join(storage, id))).toBe(true);
      w1.child.kill('SIGKILL');
      await w1.exited();
      // (what the killed worker had started dies with it here; a real crash would take pg_dump
      // down at its next write to the worker's closed pipes)
      process.kill(-pid!, 'SIGKILL');
      await locker.query('rollback');
      w2.d = spawnLifeboat(['worker'], { env });
      const deadline = Date.now() + 60_000;
      let row = running as { status: string; worker_id: string | null; error?: string | null; log?: string };
      // the reaper fails the backup, then removes its files and says so in the log
      while ((row.status === 'running' || !/partial files/.test(row.log ?? '')) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        row = await lb.store.db
          .selectFrom('backups')
          .select(['status', 'worker_id', 'error', 'log'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
      }
      expect(row.status).toBe('failed');
      expect(row.error).toMatch(new RegExp(`^worker lost: no heartbeat from ${row.worker_id} since \\d{4}-`));
      expect(row.log).toMatch(
        /worker lost; the reaper failed the backup\n.* removed \d+ partial files from storage main\n$/,
      );
      expect(existsSync(join(storage, id))).toBe(false);
      const events = await lb.store.db
        .selectFrom('audit_events')
        .select(['actor', 'details'])
        .where('action', '=', 'backup.fail')
        .where('subject_id', '=', id)
        .execute();
      expect(events).toEqual([{ actor: 'reaper', details: { reason: row.error, from: 'running', to: 'failed' } }]);
    } finally {
      await locker.end();
      w2.d?.child.kill('SIGTERM');
      await w2.d?.exited();
    }
  }, 120_000);

  it('missing database: failed naming it', async () => {
    const lb = await startTestLifeboat(fixtureConfig().replace('name: customer', 'name: no_such_db'), servers.env);
    const r = await backupWait(lb);
    expect(r.doc.status).toBe('failed');
    expect(r.doc.error).toBe('unable to connect to database no_such_db: database "no_such_db" does not exist');
  });
});

describe('scheduled backups', () => {
  it('fire from the cron expression and are verified', async () => {
    const lb = await startTestLifeboat(fixtureConfig({ backupExtra: '      schedule: "* * * * *"' }), servers.env);
    const deadline = Date.now() + 100_000;
    let row: { id: string; status: string; trigger: string } | undefined;
    while (Date.now() < deadline) {
      row = await lb.store.db
        .selectFrom('backups')
        .select(['id', 'status', 'trigger'])
        .where('status', '=', 'verified')
        .executeTakeFirst();
      if (row) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(row).toMatchObject({ status: 'verified', trigger: 'schedule' });
  }, 120_000);
});
