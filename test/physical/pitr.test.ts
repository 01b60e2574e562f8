// Physical backups and point-in-time recovery with the real pgBackRest: a source cluster that
// archives its WAL into a filesystem repository, a full backup recorded (system id exact),
// recovery to a time T between two batches of rows (and before a table was dropped), and a
// target beyond the archive refused before anything is restored.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/catalog/load.js';
import type { Catalog } from '../../src/catalog/types.js';
import { archiveStatus, readStanzaInfo, takePhysicalBackup } from '../../src/physical/backup.js';
import { getRepo, getServerOf } from '../../src/physical/lookup.js';
import { recoverToNewInstance, type RecoverProgress } from '../../src/physical/recover.js';
import { setupStanza } from '../../src/physical/setup.js';
import { archivingSettings, socketDir, waitArchived } from '../harness/archiving.js';
import { harnessRoot, startTestCluster, type TestCluster } from '../harness/cluster.js';
import { PASSWORD, SUPERUSER } from '../harness/paths.js';
import { freshStore, type TestStore } from '../harness/store.js';

let root: string;
let sockDir: string;
let source: TestCluster;
let store: TestStore;
let catalog: Catalog;

function config(port: number): string {
  return `version: 1
servers:
  prod:
    engine: postgres
    tier: production
    url: env:PROD_URL
    pgbackrest:
      stanza: prod
      pg_data: ${source?.dataDir ?? join(root, 'src', 'data')}
      socket_path: ${sockDir}
      repo: vault
      config_dir: ${join(root, 'pgbr')}
      schedule: { full: "0 1 * * 0", incr: "0 * * * *" }
      retention_full: 2
      archive_timeout: 60s
storage:
  vault:
    type: filesystem
    path: ${join(root, 'vault')}
# port ${port}
`;
}

beforeAll(async () => {
  root = mkdtempSync(join(harnessRoot(), 'pitr-'));
  chmodSync(root, 0o755);
  sockDir = socketDir();
  // the configuration directory does not depend on the cluster: its archive_command is known first
  const pre = parseConfig(config(0), {
    baseDir: root,
    env: { PROD_URL: 'postgres://postgres:x@127.0.0.1:5432/postgres' },
  });
  const settings = archivingSettings(pre, 'prod', sockDir);
  source = await startTestCluster('pitr-src', { settings });
  const url = `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${source.port}/postgres`;
  catalog = parseConfig(config(source.port), { baseDir: root, env: { PROD_URL: url } });
  store = await freshStore();
}, 120_000);

afterAll(() => {
  rmSync(sockDir, { recursive: true, force: true });
});

describe('physical backups and PITR through pgBackRest', () => {
  it('never puts the password in pgbackrest.conf, its errors or its logs', async () => {
    const wrong = 'Wr0ng-pa55word-xyz';
    const url = `postgres://${SUPERUSER}:${wrong}@127.0.0.1:${source.port}/postgres`;
    const bad = parseConfig(
      config(source.port).replace(`config_dir: ${join(root, 'pgbr')}`, `config_dir: ${join(root, 'pgbr-bad')}`),
      { baseDir: root, env: { PROD_URL: url } },
    );
    const err = await setupStanza(bad, 'prod').catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'engine_failed',
      message: expect.stringMatching(/unable to create stanza prod/),
    });
    const said = JSON.stringify(err) + String((err as Error).message) + String((err as { hint?: string }).hint);
    expect(said).not.toContain(wrong);
    const conf = join(root, 'pgbr-bad', 'pgbackrest.conf');
    expect(statSync(conf).mode & 0o777).toBe(0o600);
    expect(statSync(conf).uid).toBe(statSync(source.dataDir).uid); // the cluster's OS user's, not root's
    expect(readFileSync(conf, 'utf8')).not.toContain(wrong);
    const logDir = join(root, 'pgbr-bad', 'log');
    for (const f of readdirSync(logDir)) expect(readFileSync(join(logDir, f), 'utf8')).not.toContain(wrong);
  });

  it('sets up the stanza: stanza-create, check, the settings the server needs, a 0600 config with no password', async () => {
    const r = await setupStanza(catalog, 'prod');
    expect(r.archiving).toBe(true);
    expect(r.settings.archive_command).toContain(`--stanza=prod archive-push %p`);
    expect(r.settings.archive_timeout).toBe('60s');
    const st = statSync(r.conf);
    expect(st.mode & 0o777).toBe(0o600);
    const text = readFileSync(r.conf, 'utf8');
    expect(text).toContain(`pg1-path=${source.dataDir}`);
    // the database password reaches pgBackRest through PGPASSWORD only
    expect(text.split('\n').filter((l) => l.endsWith(`=${PASSWORD}`) || l.includes(`:${PASSWORD}@`))).toEqual([]);
    expect(text).not.toMatch(/password/i);
  });

  it('takes a full backup, records it with the exact system id, verifies it', async () => {
    const out = await takePhysicalBackup(store.db, catalog, {
      server: 'prod',
      type: 'full',
      trigger: 'manual',
      actor: 'dba',
    });
    expect(out.type).toBe('full');
    expect(out.verifyStatus).toBe('verified');
    const [ctl] = await source.query<{ id: string }>(
      'postgres',
      'select system_identifier::text as id from pg_control_system()',
    );
    const row = await store.db
      .selectFrom('physical_backups')
      .selectAll()
      .where('label', '=', out.label)
      .executeTakeFirstOrThrow();
    expect(row.system_id).toBe(ctl!.id);
    expect(row.type).toBe('full');
    expect(row.verify_status).toBe('verified');
    expect(row.size).toBeGreaterThan(1_000_000);
    expect(row.start_lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    const audit = await store.db.selectFrom('audit_events').select(['action', 'subject_id']).execute();
    expect(audit).toContainEqual({ action: 'backup.physical.run', subject_id: `prod/${out.label}` });
  });

  it('recovers to T: exactly the rows committed before T, the dropped table back; refuses a target beyond the archive', async () => {
    // pgBackRest keeps a backup's stop time in whole seconds and restores to a time only from a
    // set that stopped before it: T is made a second later than the previous test's backup
    await source.query('postgres', 'select pg_sleep(1.1)');
    await source.query('postgres', 'create table ledger (id int primary key, note text)');
    await source.query('postgres', 'create table doomed (id int)');
    await source.query('postgres', 'insert into doomed select generate_series(1, 7)');
    await source.query('postgres', "insert into ledger select g, 'before' from generate_series(1, 100) g");
    // T: after the first batch committed, taken from the server's clock
    const [{ t }] = (await source.query<{ t: Date }>('postgres', 'select clock_timestamp() as t')) as [{ t: Date }];
    // the marker's commit is the first one after T that recovery stops at; the clock moves on first
    await source.query('postgres', 'select pg_sleep(0.05)');
    await source.query('postgres', "insert into ledger select g, 'after' from generate_series(101, 150) g");
    await source.query('postgres', 'drop table doomed');
    // after the last transaction, before its segment is switched and archived: a time no
    // recovery reaches (PostgreSQL stops at the first commit after the target, and none follows)
    const [{ quiet }] = (await source.query<{ quiet: Date }>('postgres', 'select clock_timestamp() as quiet')) as [
      { quiet: Date },
    ];
    await source.query('postgres', 'select pg_sleep(0.3)');
    await source.query('postgres', 'select pg_switch_wal()');
    await waitArchived(source);

    const server = getServerOf(catalog, 'prod');
    const storage = getRepo(catalog, server);
    const info = await readStanzaInfo(server, storage);
    const status = await archiveStatus(server, storage, info);
    expect(status.serverReachable).toBe(true);
    expect(status.lastArchivedSegment).toMatch(/^[0-9A-F]{24}$/);
    expect(status.lastArchivedAt!.getTime()).toBeGreaterThanOrEqual(t.getTime());

    // beyond the archive: refused before anything is restored (no new directory)
    const parentDir = mkdtempSync(join(root, 'recovered-'));
    chmodSync(parentDir, 0o755);
    const beyond = new Date(status.lastArchivedAt!.getTime() + 3_600_000);
    await expect(
      recoverToNewInstance({ server, storage, target: { type: 'time', at: beyond }, parentDir }),
    ).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/later than the archived WAL/) });
    expect(readdirSync(parentDir)).toEqual([]);
    // after the last archived transaction, though before the segment was archived: refused too,
    // naming when that transaction ended (not after a whole restore, by PostgreSQL refusing to start)
    expect(status.lastArchivedAt!.getTime()).toBeGreaterThan(quiet.getTime());
    await expect(
      recoverToNewInstance({ server, storage, target: { type: 'time', at: quiet }, parentDir }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/later than the archived WAL reaches: its last transaction ended at \S+Z/),
    });
    expect(readdirSync(parentDir)).toEqual([]);
    // before the oldest backup: refused too
    await expect(
      recoverToNewInstance({ server, storage, target: { type: 'time', at: new Date(2000, 0, 1) }, parentDir }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/before the end of the oldest backup/),
    });

    const seen: RecoverProgress['phase'][] = [];
    const inst = await recoverToNewInstance({
      server,
      storage,
      target: { type: 'time', at: t },
      parentDir,
      onProgress: (p) => seen.push(p.phase),
    });
    try {
      expect(inst.recoveredTo).toEqual(t);
      expect(seen).toContain('restoring');
      expect(seen.at(-1)).toBe('promoted');
      const client = new pg.Client({ connectionString: inst.url.reveal() });
      await client.connect();
      try {
        const ledger = await client.query<{ n: string; after: string }>(
          "select count(*)::text as n, count(*) filter (where note = 'after')::text as after from ledger",
        );
        expect(ledger.rows[0]).toEqual({ n: '100', after: '0' });
        const doomed = await client.query<{ n: string }>('select count(*)::text as n from doomed');
        expect(doomed.rows[0]!.n).toBe('7');
        const rec = await client.query<{ r: boolean; mode: string }>(
          "select pg_is_in_recovery() as r, current_setting('archive_mode') as mode",
        );
        expect(rec.rows[0]).toEqual({ r: false, mode: 'off' });
      } finally {
        await client.end();
      }
    } finally {
      await inst.remove();
    }
    expect(existsSync(inst.dataDir)).toBe(false);
    // the source is untouched: all 150 rows, no doomed table
    const [{ n }] = (await source.query<{ n: string }>('postgres', 'select count(*)::text as n from ledger')) as [
      { n: string },
    ];
    expect(n).toBe('150');
  }, 180_000);
});
