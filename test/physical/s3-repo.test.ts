// A pgBackRest repository in S3 (issue 18 item 1: "repository on the filesystem or S3"), with the
// real pgBackRest against a real S3-compatible server (s3rver) over TLS with a private CA, as an
// on-premises MinIO or Ceph is: the stanza created through Lifeboat, WAL archived into the bucket,
// a full backup recorded and verified, and a recovery from the bucket into a new instance. Lifeboat's
// own S3 client trusts the same `ca:`.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/catalog/load.js';
import type { Catalog } from '../../src/catalog/types.js';
import { archiveStatus, readStanzaInfo, takePhysicalBackup } from '../../src/physical/backup.js';
import { getRepo, getServerOf } from '../../src/physical/lookup.js';
import { recoverToNewInstance, type RecoveryTarget } from '../../src/physical/recover.js';
import { setupStanza } from '../../src/physical/setup.js';
import { openCatalogStorage } from '../../src/storage/index.js';
import { archivingSettings, socketDir, waitArchived } from '../harness/archiving.js';
import { harnessRoot, startTestCluster, type TestCluster } from '../harness/cluster.js';
import { PASSWORD, SUPERUSER } from '../harness/paths.js';
import { freshStore, type TestStore } from '../harness/store.js';
import { S3RVER_KEY, startS3, type TestS3 } from '../storage/helpers.js';

let root: string;
let sockDir: string;
let s3: TestS3;
let source: TestCluster;
let store: TestStore;
let catalog: Catalog;

const ENV = { S3_KEY: S3RVER_KEY.id, S3_SECRET: S3RVER_KEY.secret };

function config(): string {
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
      repo: bucket
      config_dir: ${join(root, 'pgbr')}
      archive_timeout: 60s
storage:
  bucket:
    type: s3
    bucket: ${s3.bucket}
    endpoint: ${s3.endpoint}
    region: us-east-1
    prefix: lifeboat
    force_path_style: true
    access_key_id: env:S3_KEY
    secret_access_key: env:S3_SECRET
    ca: ${s3.ca}
`;
}

beforeAll(async () => {
  root = mkdtempSync(join(harnessRoot(), 'pgbr-s3-'));
  chmodSync(root, 0o755);
  sockDir = socketDir();
  s3 = await startS3('pgbr-repo', { tls: true });
  const pre = parseConfig(config(), {
    baseDir: root,
    env: { ...ENV, PROD_URL: 'postgres://postgres:x@127.0.0.1:5432/postgres' },
  });
  const settings = archivingSettings(pre, 'prod', sockDir);
  source = await startTestCluster('pgbr-s3-src', { settings });
  const url = `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${source.port}/postgres`;
  catalog = parseConfig(config(), { baseDir: root, env: { ...ENV, PROD_URL: url } });
  store = await freshStore();
}, 120_000);

afterAll(async () => {
  await s3?.close();
  rmSync(sockDir, { recursive: true, force: true });
});

describe('a pgBackRest repository in S3 over TLS with a private CA', () => {
  it('creates the stanza, archives WAL and backs up into the bucket, and recovers from it', async () => {
    const setup = await setupStanza(catalog, 'prod');
    expect(setup.archiving).toBe(true);
    // the CA is copied beside the configuration, readable by the cluster's OS user only
    const conf = readFileSync(setup.conf, 'utf8');
    const caCopy = join(root, 'pgbr', 'repo-ca.pem');
    expect(conf.split('\n')).toContain(`repo1-storage-ca-file=${caCopy}`);
    expect(conf).not.toContain('verify-tls');
    expect(readFileSync(caCopy, 'utf8')).toBe(readFileSync(s3.ca!, 'utf8'));
    expect(statSync(caCopy).mode & 0o777).toBe(0o600);
    expect(statSync(caCopy).uid).toBe(statSync(source.dataDir).uid);

    await source.query('postgres', 'create table ledger (id int primary key)');
    await source.query('postgres', 'insert into ledger select generate_series(1, 40)');
    const full = await takePhysicalBackup(store.db, catalog, {
      server: 'prod',
      type: 'full',
      trigger: 'manual',
      actor: 'dba',
    });
    expect(full.verifyStatus).toBe('verified');
    // (a time target must be a second past the backup's whole-second stop time)
    await source.query('postgres', 'select pg_sleep(1.1)');
    await source.query('postgres', 'insert into ledger select generate_series(41, 60)');
    const [{ t }] = (await source.query<{ t: Date }>('postgres', 'select clock_timestamp() as t')) as [{ t: Date }];
    await source.query('postgres', 'select pg_sleep(0.05)');
    await source.query('postgres', 'insert into ledger select generate_series(61, 70)');
    // (archived a second after T: the bucket's whole-second time of the segment is past T)
    await source.query('postgres', 'select pg_sleep(1.1)');
    await source.query('postgres', 'select pg_switch_wal()');
    await waitArchived(source);

    // what pgBackRest wrote is in the bucket, under the storage's prefix — read by Lifeboat's own
    // S3 client, which trusts the same CA
    const storage = openCatalogStorage(catalog.storage.bucket!);
    try {
      const keys = await storage.list('pgbackrest/');
      expect(keys.some((k) => k.startsWith('pgbackrest/archive/prod/'))).toBe(true);
      expect(keys.some((k) => k.startsWith(`pgbackrest/backup/prod/${full.label}/`))).toBe(true);
    } finally {
      await storage.close?.();
    }

    const parentDir = mkdtempSync(join(root, 'recovered-'));
    chmodSync(parentDir, 0o755);
    const server = getServerOf(catalog, 'prod');
    const rowsRecovered = async (target: RecoveryTarget) => {
      const inst = await recoverToNewInstance({ server, storage: getRepo(catalog, server), target, parentDir });
      try {
        const client = new pg.Client({ connectionString: inst.url.reveal() });
        await client.connect();
        try {
          const r = await client.query<{ n: string }>('select count(*)::text as n from ledger');
          return r.rows[0]!.n;
        } finally {
          await client.end();
        }
      } finally {
        await inst.remove();
      }
    };
    expect(await rowsRecovered({ type: 'latest' })).toBe('70');

    // a disaster: the source is gone. How far the archive reaches comes from the bucket itself
    // (the newest segment's time), so a point in time can still be chosen and recovered
    await source.stop();
    const status = await archiveStatus(
      server,
      getRepo(catalog, server),
      await readStanzaInfo(server, getRepo(catalog, server)),
    );
    expect(status.serverReachable).toBe(false);
    expect(status.lastArchivedAt).not.toBeNull();
    // (S3 keeps whole seconds: never later than the truth)
    expect(status.lastArchivedAt!.getTime()).toBeGreaterThanOrEqual(Math.floor(t.getTime() / 1000) * 1000);
    expect(status.lastArchivedAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await rowsRecovered({ type: 'time', at: t })).toBe('60');
  }, 240_000);
});
