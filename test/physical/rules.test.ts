// The I/O-free parts of physical backups: pgbackrest.conf rendering, `info` JSON parsing (the
// system id exact), `verify` parsing, the recovery window and its refusals, and the config keys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError, parseConfig } from '../../src/catalog/load.js';
import { parseVerify } from '../../src/physical/backup.js';
import { renderPgBackRestConf } from '../../src/physical/conf.js';
import { parseInfo, quoteSystemIds } from '../../src/physical/info.js';
import { getRepo, getServerOf } from '../../src/physical/lookup.js';
import { wantedPhysicalSchedules } from '../../src/physical/service.js';
import { backupFor, recoveryWindow, refuseTarget, targetText } from '../../src/physical/recover.js';
import { lastTransactionEnd, previousSegment } from '../../src/physical/wal-reach.js';
import { requiredSettings } from '../../src/physical/setup.js';

const baseDir = mkdtempSync(join(tmpdir(), 'lifeboat-physical-'));
afterAll(() => rmSync(baseDir, { recursive: true, force: true }));

const ENV = {
  URL: 'postgres://backup:s3cr3t-pw@db1.internal:5433/app',
  KEY: 'AKIAEXAMPLEKEY',
  SECRET: 'wJalrXUtnFEMI-very-secret',
};

function yaml(server: string, storage: string, more = ''): string {
  return `version: 1
servers:
  prod:
    engine: postgres
    tier: production
    url: env:URL
${server
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
storage:
${storage
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
${more}`;
}

const PGBR = `pgbackrest:
  stanza: main
  pg_data: /var/lib/postgresql/15/main
  repo: vault
  schedule: { full: "0 1 * * 0", diff: "0 1 * * 1-6", incr: "0 * * * *" }
  archive_timeout: 1m`;

describe('servers.<name>.pgbackrest', () => {
  test('defaults: os_user postgres, retention_full 2, config_dir beside lifeboat.yaml', () => {
    const c = parseConfig(yaml(PGBR, 'vault: { type: filesystem, path: /srv/backups }'), { baseDir, env: ENV });
    const s = getServerOf(c, 'prod');
    expect(s.pgbackrest).toMatchObject({
      stanza: 'main',
      osUser: 'postgres',
      retentionFull: 2,
      processMax: 1,
      configDir: join(baseDir, 'pgbackrest', 'prod'),
      archiveTimeout: { text: '1m', ms: 60_000 },
    });
    expect(wantedPhysicalSchedules(c)).toEqual([
      ['physical.scheduled.prod.full', '0 1 * * 0'],
      ['physical.scheduled.prod.diff', '0 1 * * 1-6'],
      ['physical.scheduled.prod.incr', '0 * * * *'],
    ]);
  });

  test.each([
    {
      name: 'an undefined repository',
      server: PGBR.replace('repo: vault', 'repo: nowhere'),
      path: 'servers.prod.pgbackrest.repo',
      code: 'unknown_reference',
    },
    {
      name: 'a relative data directory',
      server: PGBR.replace('/var/lib/postgresql/15/main', 'main'),
      path: 'servers.prod.pgbackrest.pg_data',
      code: 'invalid_value',
    },
    {
      name: 'an unknown key',
      server: `${PGBR}\n  stanzas: x`,
      path: 'servers.prod.pgbackrest.stanzas',
      code: 'unknown_key',
    },
    {
      name: 'a bad cron',
      server: PGBR.replace('"0 * * * *"', '"every hour"'),
      path: 'servers.prod.pgbackrest.schedule.incr',
      code: 'invalid_cron',
    },
  ])('refuses $name', ({ server, path, code }) => {
    let issues: Array<{ path: string; code: string }> = [];
    try {
      parseConfig(yaml(server, 'vault: { type: filesystem, path: /srv/backups }'), { baseDir, env: ENV });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues = err.issues.map((i) => ({ path: i.path, code: i.code }));
    }
    expect(issues).toContainEqual({ path, code });
  });

  test('two servers with the same stanza in one repository are refused', () => {
    const second = `  other:
    engine: postgres
    tier: staging
    url: env:URL
    pgbackrest: { stanza: main, pg_data: /srv/other, repo: vault }`;
    const text = yaml(PGBR, 'vault: { type: filesystem, path: /srv/backups }').replace(
      'storage:',
      `${second}\nstorage:`,
    );
    expect(() => parseConfig(text, { baseDir, env: ENV })).toThrow(/stanza "main" is also servers\.other's/);
  });
});

describe('pgbackrest.conf', () => {
  test('filesystem: the repository under the storage path, the connection without the password', () => {
    const c = parseConfig(yaml(PGBR, 'vault: { type: filesystem, path: /srv/backups }'), { baseDir, env: ENV });
    const s = getServerOf(c, 'prod');
    const text = renderPgBackRestConf(s, getRepo(c, s));
    expect(text).toContain('repo1-path=/srv/backups/pgbackrest\n');
    expect(text).toContain('repo1-retention-full=2\n');
    expect(text).toContain(
      '[main]\npg1-path=/var/lib/postgresql/15/main\npg1-port=5433\npg1-user=backup\npg1-database=app\n',
    );
    expect(text).not.toContain('s3cr3t-pw');
    expect(text).not.toContain('db1.internal');
  });

  test('s3: bucket, endpoint, region, path style, the private CA and the keys (only here)', () => {
    const storage = `vault:
  type: s3
  bucket: backups
  endpoint: https://127.0.0.1:9000
  ca: certs/minio-ca.pem
  region: eu-west-1
  prefix: lifeboat/
  force_path_style: true
  access_key_id: env:KEY
  secret_access_key: env:SECRET`;
    const c = parseConfig(yaml(PGBR, storage), { baseDir, env: ENV });
    const s = getServerOf(c, 'prod');
    const text = renderPgBackRestConf(s, getRepo(c, s));
    for (const line of [
      'repo1-type=s3',
      'repo1-path=/lifeboat/pgbackrest',
      'repo1-s3-bucket=backups',
      'repo1-s3-region=eu-west-1',
      'repo1-s3-endpoint=127.0.0.1',
      'repo1-storage-port=9000',
      // the CA is copied beside pgbackrest.conf, where the cluster's OS user can read it
      `repo1-storage-ca-file=${join(baseDir, 'pgbackrest', 'prod', 'repo-ca.pem')}`,
      'repo1-s3-uri-style=path',
      `repo1-s3-key=${ENV.KEY}`,
      `repo1-s3-key-secret=${ENV.SECRET}`,
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  test('an http:// S3 endpoint is refused at load: pgBackRest speaks TLS only', () => {
    const storage = 'vault: { type: s3, bucket: backups, endpoint: "http://127.0.0.1:9000", force_path_style: true }';
    expect(() => parseConfig(yaml(PGBR, storage), { baseDir, env: ENV })).toThrow(
      /pgBackRest reaches S3 over TLS only, and storage vault has the endpoint http:\/\/127\.0\.0\.1:9000/,
    );
  });

  test('the settings the server needs', () => {
    const c = parseConfig(yaml(PGBR, 'vault: { type: filesystem, path: /srv/backups }'), { baseDir, env: ENV });
    expect(requiredSettings(getServerOf(c, 'prod'))).toEqual({
      archive_mode: 'on',
      wal_level: 'replica',
      archive_command: `pgbackrest --config=${join(baseDir, 'pgbackrest', 'prod', 'pgbackrest.conf')} --stanza=main archive-push %p`,
      archive_timeout: '60s',
    });
  });
});

const INFO = `[{"archive":[{"database":{"id":1,"repo-key":1},"id":"15-1","max":"00000001000000000000000A","min":"000000010000000000000003"}],
"backup":[
 {"archive":{"start":"000000010000000000000004","stop":"000000010000000000000004"},"backrest":{"format":5,"version":"2.45"},"database":{"id":1,"repo-key":1},"error":false,
  "info":{"delta":31000000,"repository":{"delta":4100000,"size":4100000},"size":31000000},"label":"20261205-041500F","lsn":{"start":"0/4000028","stop":"0/4000138"},
  "prior":null,"reference":null,"timestamp":{"start":1796444100,"stop":1796444110},"type":"full"},
 {"archive":{"start":"000000010000000000000008","stop":"000000010000000000000008"},"backrest":{"format":5,"version":"2.45"},"database":{"id":1,"repo-key":1},"error":false,
  "info":{"delta":90000,"repository":{"delta":12000,"size":4100000},"size":31000000},"label":"20261205-041500F_20261205-051500I","lsn":{"start":"0/8000028","stop":"0/8000100"},
  "prior":"20261205-041500F","reference":["20261205-041500F"],"timestamp":{"start":1796447700,"stop":1796447705},"type":"incr"}],
"cipher":"none","db":[{"id":1,"repo-key":1,"system-id":7439812355987654321,"version":"15"}],"name":"main",
"repo":[{"cipher":"none","key":1,"status":{"code":0,"message":"ok"}}],"status":{"code":0,"lock":{"backup":{"held":false}},"message":"ok"}}]`;

describe('pgbackrest info --output=json', () => {
  test('the system id is exact (beyond 2^53), the backups and the archive range read', () => {
    expect(Number('7439812355987654321').toString()).not.toBe('7439812355987654321'); // why it is text
    const info = parseInfo(INFO, 'main');
    expect(info.systemId).toBe('7439812355987654321');
    expect(info.status).toEqual({ code: 0, message: 'ok' });
    expect(info.archive).toEqual({ id: '15-1', min: '000000010000000000000003', max: '00000001000000000000000A' });
    expect(info.backups).toEqual([
      expect.objectContaining({
        label: '20261205-041500F',
        type: 'full',
        prior: null,
        systemId: '7439812355987654321',
        pgVersion: '15',
        startLsn: '0/4000028',
        walStart: '000000010000000000000004',
        size: 31000000,
        repoSize: 4100000,
        stoppedAt: new Date(1796444110 * 1000),
      }),
      expect.objectContaining({ label: '20261205-041500F_20261205-051500I', type: 'incr', prior: '20261205-041500F' }),
    ]);
  });

  test('a stanza that does not exist yet', () => {
    const info = parseInfo(
      '[{"archive":[],"backup":[],"cipher":"none","db":[],"name":"main","repo":[],"status":{"code":1,"message":"missing stanza path"}}]',
      'main',
    );
    expect(info).toMatchObject({ backups: [], systemId: null, status: { code: 1, message: 'missing stanza path' } });
  });

  test('not JSON: a clear error', () => {
    expect(() => parseInfo('ERROR: [055]: unable to load info file', 'main')).toThrow(/did not print JSON/);
  });

  test.each([
    ['{"system-id":7439812355987654321}', '{"system-id":"7439812355987654321"}'],
    ['{"system-id" : 1}', '{"system-id" : "1"}'],
    ['{"system-id":"already"}', '{"system-id":"already"}'],
  ])('quoteSystemIds(%s)', (raw, out) => expect(quoteSystemIds(raw)).toBe(out));
});

describe('pgbackrest verify', () => {
  test.each([
    {
      text: 'stanza: main\nstatus: ok\n  archiveId: 15-1, total WAL checked: 5, total valid WAL: 5\n  backup: 20261205-041500F, status: valid, total files checked: 970, total valid files: 970\n',
      ok: true,
      backups: [['20261205-041500F', 'valid']],
    },
    {
      text: 'stanza: main\nstatus: error\n  backup: 20261205-041500F, status: invalid, total files checked: 970, total valid files: 969\n',
      ok: false,
      backups: [['20261205-041500F', 'invalid']],
    },
    { text: '', ok: false, backups: [] },
  ])('$text', ({ text, ok, backups }) => {
    const r = parseVerify(text);
    expect(r.ok).toBe(ok);
    expect([...r.backups]).toEqual(backups);
  });
});

describe('the recovery window', () => {
  const info = parseInfo(INFO, 'main');
  const full = new Date(1796444110 * 1000);
  const archived = new Date(1796448000 * 1000);
  const window = recoveryWindow(info, archived);
  test("from a second after the oldest backup's end (pgBackRest's whole seconds) to the newest archived WAL", () => {
    expect(window).toEqual({
      earliest: new Date(full.getTime() + 1000),
      latest: archived,
      lastSegment: '00000001000000000000000A',
      lastTransaction: null,
    });
  });
  test.each([
    { name: 'latest', target: { type: 'latest' as const }, refused: null },
    { name: 'inside', target: { type: 'time' as const, at: new Date(full.getTime() + 60_000) }, refused: null },
    {
      name: 'a second after the oldest backup end',
      target: { type: 'time' as const, at: new Date(full.getTime() + 1000) },
      refused: null,
    },
    {
      name: 'inside the second the oldest backup ended (pgBackRest would find no set)',
      target: { type: 'time' as const, at: new Date(full.getTime() + 500) },
      refused: /before the end of the oldest backup/,
    },
    { name: 'at the archive end', target: { type: 'time' as const, at: archived }, refused: null },
    {
      name: 'after the archive',
      target: { type: 'time' as const, at: new Date(archived.getTime() + 1) },
      refused: /later than the archived WAL reaches: the newest archived WAL \(00000001000000000000000A\)/,
    },
    {
      name: 'before the oldest backup',
      target: { type: 'time' as const, at: new Date(full.getTime() - 1) },
      refused: /before the end of the oldest backup/,
    },
  ])('$name', ({ target, refused }) => {
    const r = refuseTarget(target, window);
    if (refused === null) expect(r).toBeUndefined();
    else expect(r?.message).toMatch(refused);
  });
  test('the last transaction in the archived WAL bounds a time target, however late its segment was archived', () => {
    const lastTx = new Date(archived.getTime() - 50_000); // a quiet minute: switched by archive_timeout
    const w = recoveryWindow(info, archived, lastTx);
    expect(refuseTarget({ type: 'time', at: lastTx }, w)).toBeUndefined();
    expect(refuseTarget({ type: 'time', at: new Date(lastTx.getTime() - 1) }, w)).toBeUndefined();
    const after = refuseTarget({ type: 'time', at: new Date(lastTx.getTime() + 1) }, w);
    expect(after?.message).toBe(
      `${new Date(lastTx.getTime() + 1).toISOString()} is later than the archived WAL reaches: its last transaction ended at ${lastTx.toISOString()} (newest segment 00000001000000000000000A, archived at ${archived.toISOString()}); PostgreSQL cannot recover to a time after it`,
    );
    expect(after?.hint).toMatch(new RegExp(`^choose a time at or before ${lastTx.toISOString()}`));
    expect(refuseTarget({ type: 'latest' }, w)).toBeUndefined();
    // the oldest backup still bounds the other end
    expect(refuseTarget({ type: 'time', at: new Date(full.getTime() + 500) }, w)?.message).toMatch(
      /before the end of the oldest backup/,
    );
  });
  test('pg_waldump: the newest COMMIT or ABORT time of its Transaction records', () => {
    const out = [
      'rmgr: Transaction len (rec/tot):     34/    34, tx:        735, lsn: 0/03000060, prev 0/03000028, desc: COMMIT 2026-12-05 10:00:00.123456 UTC',
      'rmgr: Transaction len (rec/tot):     34/    34, tx:        736, lsn: 0/030000A0, prev 0/03000060, desc: ABORT 2026-12-05 10:00:02.5 UTC',
      'rmgr: Transaction len (rec/tot):     90/    90, tx:        737, lsn: 0/030000E0, prev 0/030000A0, desc: COMMIT_PREPARED 737: 2026-12-05 10:00:03.000001 UTC',
      'rmgr: Transaction len (rec/tot):    258/   258, tx:        738, lsn: 0/03000140, prev 0/030000E0, desc: COMMIT 2026-12-05 10:00:01.000000 UTC; inval msgs: catcache 7',
      'pg_waldump: error: error in WAL record at 0/3000240: invalid record length at 0/3000278: wanted 24, got 0',
    ].join('\n');
    expect(lastTransactionEnd(out)).toEqual(new Date('2026-12-05T10:00:03.000Z'));
    expect(lastTransactionEnd('pg_waldump: error: could not find a valid record')).toBeNull();
  });
  test.each([
    ['00000001000000000000000A', '000000010000000000000009'],
    ['000000010000000300000000', '0000000100000002000000FF'],
    ['000000020000000000000001', '000000020000000000000000'],
    ['000000010000000000000000', null],
    ['not a segment', null],
  ])('the segment before %s is %s', (name, before) => {
    expect(previousSegment(name)).toBe(before);
  });
  test('no archive time known: a time target is refused, latest is not', () => {
    const w = recoveryWindow(info, null);
    expect(refuseTarget({ type: 'time', at: new Date(full.getTime() + 1000) }, w)?.message).toMatch(
      /no archived WAL time is known/,
    );
    expect(refuseTarget({ type: 'latest' }, w)).toBeUndefined();
  });
  test('no backup at all: refused with how to take one', () => {
    const w = recoveryWindow({ ...info, backups: [] }, archived);
    expect(refuseTarget({ type: 'latest' }, w)?.hint).toMatch(/take a full backup/);
  });
  test('the backup a target restores from, and the target as PostgreSQL reads it', () => {
    const incrStop = info.backups.find((b) => b.type === 'incr')!.stoppedAt.getTime();
    expect(backupFor(info.backups, { type: 'time', at: new Date(incrStop + 1000) })?.type).toBe('incr');
    // inside the second the incr stopped: pgBackRest restores from the full
    expect(backupFor(info.backups, { type: 'time', at: new Date(incrStop + 999) })?.type).toBe('full');
    expect(backupFor(info.backups, { type: 'latest' })?.type).toBe('incr');
    expect(targetText(new Date('2026-12-05T04:15:04.899Z'))).toBe('2026-12-05 04:15:04.899+00');
  });
});
