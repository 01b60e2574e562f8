// The audit chain anchored outside the store: signed checkpoints of its head in the backup
// storage catch what the chain alone cannot — deleted newest events (even after new events
// follow) and a chain recomputed from scratch — and a checkpoint that does not verify with the
// trusted key is reported. Real store, real filesystem storage, the real CLI.
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { checkpointWriter } from '../../src/audit/anchor.js';
import { checkpointKey, keyFingerprint, signCheckpoint } from '../../src/audit/checkpoint.js';
import { type AuditInput, recordAuditMany } from '../../src/audit/record.js';
import { loadSigner, type Signer } from '../../src/audit/signing-key.js';
import { loadConfig } from '../../src/catalog/load.js';
import type { Catalog } from '../../src/catalog/types.js';
import { silentLogger } from '../../src/lib/logger.js';
import { BACKUP_QUEUE } from '../../src/backup/service.js';
import { freePort } from '../../src/engines/postgres/local-cluster.js';
import { jobHandlers } from '../../src/runtime/jobs.js';
import { lifeboat, spawnLifeboat } from '../harness/cli.js';
import { harnessRoot } from '../harness/cluster.js';
import { freshStore, type TestStore } from '../harness/store.js';

const CONFIG = `version: 1
users:
  carol: { email: carol@example.com, roles: [auditor] }
storage:
  main: { type: filesystem, path: ./backups }
`;

const ev = (i: number, who = 'alice'): AuditInput => ({
  actor: who,
  action: 'restore.request',
  subjectType: 'run',
  subjectId: `run-${i}`,
  details: { n: i },
});

interface Setup {
  s: TestStore;
  dir: string;
  catalog: Catalog;
  signer: Signer;
  /** Checkpoints signed at this time, so messages are exact. */
  at: Date;
}

async function setup(events: number): Promise<Setup> {
  const s = await freshStore();
  await append(s, 1, events);
  const dir = mkdtempSync(join(harnessRoot(), 'anchor-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'lifeboat.yaml'), CONFIG);
  const catalog = loadConfig(join(dir, 'lifeboat.yaml'), {});
  // what `lifeboat start` does on first start: the key pair in the data directory
  const signer = loadSigner(catalog.audit, join(dir, '.lifeboat'), { create: true })!;
  return { s, dir, catalog, signer, at: new Date('2026-03-01T12:00:00.000Z') };
}

async function append(s: TestStore, from: number, n: number, who?: string) {
  await s.db.transaction().execute((trx) =>
    recordAuditMany(
      trx,
      Array.from({ length: n }, (_, i) => ev(from + i, who)),
    ),
  );
}

function writer(t: Setup) {
  return checkpointWriter({
    db: t.s.db,
    catalog: t.catalog,
    signer: t.signer,
    logger: silentLogger(),
    now: () => t.at,
  });
}

/** Tampering as a superuser would: with the append-only triggers switched off. */
async function tamper(s: TestStore, statement: string): Promise<void> {
  await s.cluster.query(
    s.database,
    `begin; alter table audit_events disable trigger user; ${statement}; alter table audit_events enable trigger user; commit;`,
  );
}

function verify(t: Setup, args: string[] = []) {
  return lifeboat(['audit', 'verify', ...args], { cwd: t.dir, env: { LIFEBOAT_DATABASE_URL: t.s.url.reveal() } });
}

const checkpoints = (t: Setup) => readdirSync(join(t.dir, 'backups', '_audit', 'checkpoints')).sort();
const cpFile = (t: Setup, seq: number) => join(t.dir, 'backups', checkpointKey(seq));

describe('signing key', () => {
  it('is created once in the data directory, private key 0600, public key beside it', async () => {
    const t = await setup(0);
    const key = join(t.dir, '.lifeboat', 'audit-signing.key');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(readFileSync(key, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(readFileSync(join(t.dir, '.lifeboat', 'audit-signing.pub'), 'utf8')).toMatch(
      /^-----BEGIN PUBLIC KEY-----\n/,
    );
    // a second start reuses it
    expect(loadSigner(t.catalog.audit, join(t.dir, '.lifeboat'), { create: true })!.fingerprint).toBe(
      t.signer.fingerprint,
    );
    // a process that may not create (a worker) finds none in an empty directory
    expect(loadSigner(t.catalog.audit, join(t.dir, 'elsewhere'), { create: false })).toBeUndefined();
  });

  it('audit.signing_key names one instead; audit.public_key must be its public key', async () => {
    const dir = mkdtempSync(join(harnessRoot(), 'anchor-'));
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519').publicKey;
    writeFileSync(join(dir, 'k.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'other.pub'), other.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'lifeboat.yaml'), `${CONFIG}audit: { signing_key: file:k.pem, public_key: other.pub }\n`);
    const catalog = loadConfig(join(dir, 'lifeboat.yaml'), {});
    expect(() => loadSigner(catalog.audit, join(dir, '.lifeboat'), { create: true })).toThrow(
      `audit.public_key ${join(dir, 'other.pub')} (key ${keyFingerprint(other)}) is not the public key of the signing key file:${join(dir, 'k.pem')} (key ${keyFingerprint(publicKey)})`,
    );
  });
});

describe('checkpoints', () => {
  it('an intact, anchored trail: exit 0, saying what anchors it', async () => {
    const t = await setup(10);
    expect(await writer(t).write('timer')).toEqual([{ storage: 'main', outcome: 'written', key: checkpointKey(10) }]);
    const r = await verify(t);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^audit trail intact: 10 events verified \\(head [0-9a-f]{12}\\); anchored by checkpoint of 2026-03-01T12:00:00.000Z at event 10 signed by key ${t.signer.fingerprint} \\(storage main\\)\\n$`,
      ),
    );
  });

  it('are written only when the head moved', async () => {
    const t = await setup(3);
    const w = writer(t);
    expect((await w.write('timer'))[0]).toMatchObject({ outcome: 'written', key: checkpointKey(3) });
    expect((await w.write('timer'))[0]).toMatchObject({ outcome: 'unchanged', key: checkpointKey(3) });
    await append(t.s, 4, 2);
    expect((await w.write('backup'))[0]).toMatchObject({ outcome: 'written', key: checkpointKey(5) });
    expect(checkpoints(t)).toEqual(['0000000000000003.json', '0000000000000005.json']);
  });

  it('deleting the newest events is reported as truncation, and still after new events follow', async () => {
    const t = await setup(10);
    await writer(t).write('timer');
    const id10 = await idOf(t, 10);
    await tamper(t.s, 'delete from audit_events where seq > 8');
    const message = `audit trail TRUNCATED: the checkpoint of 2026-03-01T12:00:00.000Z signed event 10 (${id10}) as event number 10; 2 events after event 8, the last one still there, are missing (checkpoint _audit/checkpoints/0000000000000010.json in storage main)\n`;
    let r = await verify(t);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(message);
    expect(r.code).toBe(1);

    // new events chain on from event 8: the chain itself is valid again
    await append(t.s, 11, 3);
    r = await verify(t);
    expect(r.stderr).toBe(message);
    expect(r.code).toBe(1);
    // and a server does not anchor the shortened chain over the checkpoint (nor after a restart)
    expect((await writer(t).write('timer'))[0]).toMatchObject({ outcome: 'refused' });
    expect(checkpoints(t)).toEqual(['0000000000000010.json']);

    const json = await verify(t, ['--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      checked: 11,
      firstBreak: null,
      anchor: { status: 'mismatch', problems: [{ storage: 'main', code: 'truncated' }] },
    });
  });

  it('a chain recomputed from scratch with another history is reported as rebuilt', async () => {
    const t = await setup(10);
    await writer(t).write('timer');
    const id10 = await idOf(t, 10);
    // whoever can write the store deletes everything and writes a new, perfectly chained history
    await tamper(t.s, 'delete from audit_events');
    await sql`select setval(pg_get_serial_sequence('audit_events', 'seq'), 1, false)`.execute(t.s.db);
    await append(t.s, 1, 12, 'mallory');
    const r = await verify(t);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^audit trail REBUILT: the checkpoint of 2026-03-01T12:00:00.000Z signed event 10 \\(${id10}\\) as event number 10 with hash [0-9a-f]{12}, but the trail has event 10 \\((?!${id10})[0-9a-f-]{36}\\) with hash [0-9a-f]{12}: the history before it was rewritten \\(checkpoint _audit/checkpoints/0000000000000010.json in storage main\\)\\n$`,
      ),
    );
  });

  it('a rebuilt chain with a newer checkpoint signed by another key: that checkpoint is not trusted', async () => {
    const t = await setup(10);
    await writer(t).write('timer');
    await tamper(t.s, 'delete from audit_events');
    await sql`select setval(pg_get_serial_sequence('audit_events', 'seq'), 1, false)`.execute(t.s.db);
    await append(t.s, 1, 12, 'mallory');
    // mallory signs the new head with a key of her own, embedding her public key
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const forger = { privateKey, publicKey, fingerprint: keyFingerprint(publicKey) };
    const head = await t.s.db
      .selectFrom('audit_events')
      .select(['id', 'hash'])
      .where('seq', '=', 12)
      .executeTakeFirstOrThrow();
    const forged = signCheckpoint({ seq: 12, eventId: head.id, headHash: head.hash, count: 12 }, t.at, forger);
    writeFileSync(cpFile(t, 12), JSON.stringify(forged));
    const r = await verify(t);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe(
      `checkpoint _audit/checkpoints/0000000000000012.json in storage main cannot be trusted: it is signed by key ${forger.fingerprint}, not by the trusted key ${t.signer.fingerprint}`,
    );
    expect(lines[1]).toMatch(/^audit trail REBUILT: the checkpoint of .* signed event 10 /);
    expect(lines).toHaveLength(2);
  });

  it('a checkpoint whose content was edited (bad signature) is reported', async () => {
    const t = await setup(10);
    await writer(t).write('timer');
    const doc = JSON.parse(readFileSync(cpFile(t, 10), 'utf8'));
    doc.checkpoint.count = 9;
    writeFileSync(cpFile(t, 10), JSON.stringify(doc));
    const r = await verify(t);
    expect(r.stderr).toBe(
      `checkpoint _audit/checkpoints/0000000000000010.json in storage main cannot be trusted: its signature does not verify with the trusted key ${t.signer.fingerprint}: it was altered or forged\n`,
    );
    expect(r.code).toBe(1);
  });

  it('with no checkpoint yet the trail is intact but says it is not anchored', async () => {
    const t = await setup(4);
    const r = await verify(t);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^audit trail intact: 4 events verified \(head [0-9a-f]{12}\); NOT anchored, so deleted newest events or a rebuilt chain would go unnoticed: no checkpoint in storage main yet \(a server writes one every audit.checkpoint_every, at shutdown and after every backup\)\n$/,
    );
  });
});

async function idOf(t: Setup, seq: number): Promise<string> {
  return (await t.s.db.selectFrom('audit_events').select('id').where('seq', '=', seq).executeTakeFirstOrThrow()).id;
}

describe('when checkpoints are written', () => {
  it('after every backup job, whatever its outcome', async () => {
    const t = await setup(2);
    await t.s.db
      .insertInto('backups')
      .values({
        id: 'b-1',
        database: 'GoneDB',
        server: 'pg',
        storage: 'main',
        status: 'queued',
        trigger: 'manual',
        requested_by: 'alice',
        started_at: null,
        finished_at: null,
        bytes: null,
        rows: null,
        manifest: null,
        error: null,
        verified_at: null,
        verify_error: null,
        deleted_at: null,
      })
      .execute();
    const handlers = jobHandlers({
      db: t.s.db,
      queue: undefined as never, // (only scheduled backups enqueue)
      catalog: t.catalog,
      logger: silentLogger(),
      checkpoints: writer(t),
    });
    await handlers[BACKUP_QUEUE]!(
      { backupId: 'b-1' },
      { signal: new AbortController().signal, logger: silentLogger(), workerId: 'w', jobId: 'j' },
    );
    // the database is not in lifeboat.yaml: the backup failed, and the trail is anchored all the same
    expect(
      (await t.s.db.selectFrom('backups').select('status').where('id', '=', 'b-1').executeTakeFirstOrThrow()).status,
    ).toBe('failed');
    // anchored at the head, which includes the backup's own failure event
    const head = await t.s.db
      .selectFrom('audit_events')
      .select((e) => e.fn.max('seq').as('seq'))
      .executeTakeFirstOrThrow();
    expect(Number(head.seq)).toBeGreaterThan(2);
    expect(checkpoints(t)).toEqual([checkpointKey(Number(head.seq)).split('/').pop()]);
  });

  it('regularly, while a server runs (audit.checkpoint_every)', async () => {
    const t = await setup(2);
    const stop = writer(t).every(1000);
    try {
      const deadline = Date.now() + 15_000;
      while (!existsSync(cpFile(t, 2))) {
        if (Date.now() > deadline) throw new Error('no checkpoint within 15 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await stop();
    }
    expect(checkpoints(t)).toEqual(['0000000000000002.json']);
  });

  it('`lifeboat server` creates the key pair on first start and writes a checkpoint at shutdown', async () => {
    const t = await setup(0);
    const dataDir = join(t.dir, 'server-data');
    const env = { LIFEBOAT_DATABASE_URL: t.s.url.reveal() };
    const port = await freePort();
    const server = spawnLifeboat(['server', '--data-dir', dataDir, '--port', String(port)], { cwd: t.dir, env });
    try {
      await server.waitFor(/server is running at/);
      expect(statSync(join(dataDir, 'audit-signing.key')).mode & 0o777).toBe(0o600);
      const issued = await lifeboat(['token', 'issue', 'carol'], { cwd: t.dir, env });
      expect(issued.code).toBe(0);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited()).toBe(0);
    expect(checkpoints(t)).toEqual(['0000000000000001.json']);
    const r = await lifeboat(['audit', 'verify', '--data-dir', dataDir], { cwd: t.dir, env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const fingerprint = loadSigner(t.catalog.audit, dataDir, { create: false })!.fingerprint;
    expect(r.stdout).toMatch(
      new RegExp(
        `^audit trail intact: 1 events verified \\(head [0-9a-f]{12}\\); anchored by checkpoint of \\S+ at event 1 signed by key ${fingerprint} \\(storage main\\)\\n$`,
      ),
    );
  });
});
