// `lifeboat backup fetch` through the API: a raw production dump is handed out only to the roles
// that may take one (dba-admin, admin, recovery-operator), every fetch is audited with who, where
// to and from where, a refusal writes nothing, and a damaged file ends the fetch with its
// checksum, removes what was written and marks the backup corrupt.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackupDetail } from '../../src/contract/backups.js';
import { lifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import { startTestLifeboat, type TestLifeboat } from '../harness/lifeboat.js';

let servers: FixtureServers;
let lb: TestLifeboat;
let backup: BackupDetail & { manifest: { files: Array<{ name: string; stored: string; bytes: number }> } };
beforeAll(async () => {
  servers = await startFixtureServers();
  lb = await startTestLifeboat(
    fixtureConfig({ backupExtra: '      encrypt: { passphrase: env:BACKUP_PASSPHRASE }' }),
    servers.env,
  );
  const r = await lifeboat(['backup', 'run', 'CustomerDB', '--wait', '--json'], { env: await lb.cliEnv('alice') });
  backup = JSON.parse(r.stdout);
  expect(backup.status).toBe('verified');
});

const fetchAs = async (user: string | undefined, dir: string, id = backup.id) =>
  lifeboat(['backup', 'fetch', id, dir, '--json'], {
    env: user ? await lb.cliEnv(user) : { ...(await lb.cliEnv('dana')), LIFEBOAT_TOKEN: undefined },
  });

const auditOf = (action: string, id: string) =>
  lb.store.db
    .selectFrom('audit_events')
    .select(['actor', 'outcome', 'details'])
    .where('action', '=', action)
    .where('subject_id', '=', id)
    .orderBy('seq')
    .execute();

describe('backup fetch', () => {
  it.each([
    ['dana', 'dba-admin'],
    ['rita', 'recovery-operator'],
  ])('%s (%s) fetches the files as pg_dump wrote them, decrypted, and the fetch is audited', async (user) => {
    const dir = join(lb.dir, `fetched-${user}`);
    const r = await fetchAs(user, dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const files = backup.manifest.files;
    expect(JSON.parse(r.stdout)).toEqual({
      id: backup.id,
      status: 'fetched',
      dir,
      files: files.length,
      bytes: files.reduce((a, f) => a + f.bytes, 0),
    });
    expect(readdirSync(dir).sort()).toEqual(files.map((f) => f.name).sort());
    for (const f of files) expect(statSync(join(dir, f.name)).size).toBe(f.bytes);
    expect(readFileSync(join(dir, 'toc.dat')).subarray(0, 5).toString()).toBe('PGDMP');
    const events = (await auditOf('backup.fetch', backup.id)).filter((e) => e.actor === user);
    expect(events).toEqual([
      {
        actor: user,
        outcome: 'success',
        details: {
          database: 'CustomerDB',
          destination: { host: hostname(), dir },
          from: '127.0.0.1',
          files: files.length,
          bytes: files.reduce((a, f) => a + f.bytes, 0),
        },
      },
    ]);
  });

  it.each([
    ['jsmith', 'role_not_allowed', "jsmith's roles (developer) do not allow backup.fetch on CustomerDB"],
    // the owning team's db-owner too: a raw dump is production data in the clear
    ['alice', 'role_not_allowed', "alice's roles (db-owner) do not allow backup.fetch on CustomerDB"],
    ['audrey', 'read_only_role', 'audrey has read-only access (backup.fetch on CustomerDB)'],
  ])('refuses %s: exit 3 (%s), nothing written, the denial audited', async (user, rule, message) => {
    const dir = join(lb.dir, `refused-${user}`);
    const r = await fetchAs(user, dir);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: rule, message: `unable to backup fetch: ${message}` });
    expect(existsSync(dir)).toBe(false);
    const denied = await lb.store.db
      .selectFrom('audit_events')
      .select(['outcome', 'details'])
      .where('action', '=', 'backup.fetch')
      .where('actor', '=', user)
      .execute();
    expect(denied).toEqual([
      {
        outcome: 'denied',
        details: expect.objectContaining({ rule, method: 'POST', url: `/api/v1/backups/${backup.id}/fetch` }),
      },
    ]);
  });

  it('without a token: exit 3, nothing written', async () => {
    const dir = join(lb.dir, 'refused-anonymous');
    const r = await fetchAs(undefined, dir);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'unauthenticated' });
    expect(existsSync(dir)).toBe(false);
  });

  it('a damaged file ends the fetch with its checksum, removes what was written, and marks the backup corrupt', async () => {
    const r0 = await lifeboat(['backup', 'run', 'CustomerDB', '--wait', '--json'], {
      env: await lb.cliEnv('alice'),
    });
    const b = JSON.parse(r0.stdout) as typeof backup;
    const stored = join(lb.dir, 'backups', 'CustomerDB', b.id);
    const last = b.manifest.files.at(-1)!;
    const buf = readFileSync(join(stored, last.stored));
    buf[Math.floor(buf.length / 2)]! ^= 0x01;
    writeFileSync(join(stored, last.stored), buf);
    const dir = join(lb.dir, 'fetched-damaged');
    const r = await fetchAs('dana', dir, b.id);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toEqual({
      code: 'backup_corrupt',
      message: expect.stringMatching(
        new RegExp(
          `^backup ${b.id} is corrupt: ${last.stored.replace(/\./g, '\\.')} does not match its SHA-256 \\(expected [0-9a-f]{64}, got [0-9a-f]{64}\\)$`,
        ),
      ),
      hint: 'this backup cannot be restored: choose another one (`lifeboat backup list`), and check the others with `lifeboat backup verify <id>`',
    });
    expect(readdirSync(dir)).toEqual([]);
    const row = await lb.store.db
      .selectFrom('backups')
      .select(['status'])
      .where('id', '=', b.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('corrupt');
    expect(await auditOf('backup.corrupt', b.id)).toEqual([
      {
        actor: 'dana',
        outcome: 'failure',
        details: expect.objectContaining({ foundBy: 'backup fetch by dana', from: 'verified', to: 'corrupt' }),
      },
    ]);
    // and it is not handed out again
    const again = await fetchAs('dana', join(lb.dir, 'fetched-again'), b.id);
    expect(again.code).toBe(3);
    expect(JSON.parse(again.stdout).error).toMatchObject({
      code: 'invalid_transition',
      message: `backup ${b.id} is corrupt and cannot be fetched`,
    });
  });
});
