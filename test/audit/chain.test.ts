// The audit trail is append-only in PostgreSQL and tamper-evident by its hash chain: any edit,
// deletion, insertion or reordering makes `lifeboat audit verify` exit 1 naming the event.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { eventHash } from '../../src/audit/chain.js';
import { verifyAuditTrail } from '../../src/audit/read.js';
import { type AuditInput, recordAuditMany } from '../../src/audit/record.js';
import { lifeboat } from '../harness/cli.js';
import { harnessRoot } from '../harness/cluster.js';
import { freshStore, type TestStore } from '../harness/store.js';

const ev = (i: number): AuditInput => ({
  actor: i % 2 ? 'alice' : 'jsmith',
  action: 'restore.request',
  subjectType: 'run',
  subjectId: `run-${i}`,
  details: { n: i, note: `event ${i}`, nested: { b: 2, a: 1 } },
});

async function storeWith(n: number): Promise<TestStore> {
  const s = await freshStore();
  await s.db.transaction().execute((trx) =>
    recordAuditMany(
      trx,
      Array.from({ length: n }, (_, i) => ev(i + 1)),
    ),
  );
  return s;
}

/** Tampering as a superuser would: with the append-only triggers switched off. */
async function tamper(s: TestStore, statement: string): Promise<void> {
  await s.cluster.query(
    s.database,
    `begin; alter table audit_events disable trigger user; ${statement}; alter table audit_events enable trigger user; commit;`,
  );
}

/** Run where there is no lifeboat.yaml: the chain alone (anchor.test.ts adds the checkpoints). */
async function verifyCli(s: TestStore) {
  const cwd = mkdtempSync(join(harnessRoot(), 'chain-'));
  return lifeboat(['audit', 'verify'], { cwd, env: { LIFEBOAT_DATABASE_URL: s.url.reveal() } });
}

describe('audit trail', () => {
  it('verifies an untouched chain of 10,000 events', async () => {
    const s = await storeWith(10_000);
    const r = await verifyCli(s);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^audit trail intact: 10000 events verified \(head [0-9a-f]{12}\); NOT anchored, so deleted newest events or a rebuilt chain would go unnoticed: no lifeboat.yaml was found, so no storage to read checkpoints from\n$/,
    );
  });

  it('is refused UPDATE, DELETE and TRUNCATE by PostgreSQL itself', async () => {
    const s = await storeWith(3);
    for (const stmt of [
      `update audit_events set actor = 'mallory' where seq = 1`,
      'delete from audit_events where seq = 2',
      'truncate audit_events',
    ]) {
      await expect(s.cluster.query(s.database, stmt)).rejects.toThrow(
        /audit_events is append-only: (UPDATE|DELETE|TRUNCATE) is not allowed/,
      );
    }
    expect((await verifyAuditTrail(s.db)).checked).toBe(3);
  });

  it('detects an edited field and names the event', async () => {
    const s = await storeWith(10);
    await tamper(s, `update audit_events set actor = 'mallory' where seq = 5`);
    const r = await verifyCli(s);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^audit trail BROKEN after 4 good events: event 5 \([0-9a-f-]{36}\) was altered/);
  });

  it('detects an edit inside the details document', async () => {
    const s = await storeWith(10);
    await tamper(s, `update audit_events set details = jsonb_set(details, '{note}', '"nothing to see"') where seq = 8`);
    const v = await verifyAuditTrail(s.db);
    expect(v.firstBreak).toMatchObject({ seq: 8, reason: 'content_changed' });
  });

  it('detects a deleted event at the event after it', async () => {
    const s = await storeWith(10);
    await tamper(s, 'delete from audit_events where seq = 4');
    const r = await verifyCli(s);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/after 3 good events: event 5 \(.*\) does not follow the event before it/);
  });

  it('cannot tell a deleted last event by the chain alone: the chain is still a chain', async () => {
    // (deleting the newest event leaves a valid shorter chain: signed checkpoints in storage are
    // what catches it, see anchor.test.ts)
    const s = await storeWith(5);
    const before = await verifyAuditTrail(s.db);
    await tamper(s, 'delete from audit_events where seq = 5');
    const after = await verifyAuditTrail(s.db);
    expect(after.ok).toBe(true);
    expect(after.lastHash).not.toBe(before.lastHash);
  });

  it('detects a forged row inserted in the middle, even with a correctly computed hash', async () => {
    const s = await storeWith(5);
    await sql`select setval(pg_get_serial_sequence('audit_events', 'seq'), 10)`.execute(s.db);
    await s.db.transaction().execute((trx) => recordAuditMany(trx, [ev(11), ev(12)]));
    const prev = await s.db.selectFrom('audit_events').select('hash').where('seq', '=', 5).executeTakeFirstOrThrow();
    const forged = {
      seq: 7,
      id: '00000000-0000-4000-8000-000000000007',
      at: new Date('2026-01-01T00:00:00Z'),
      actor: 'mallory',
      action: 'restore.approve',
      subjectType: 'run',
      subjectId: 'run-1',
      outcome: 'success' as const,
      details: {},
      requestId: null,
    };
    const hash = eventHash(forged, prev.hash);
    await tamper(
      s,
      `insert into audit_events (seq, id, at, actor, action, subject_type, subject_id, outcome, details, request_id, prev_hash, hash)
       values (7, '${forged.id}', '2026-01-01T00:00:00Z', 'mallory', 'restore.approve', 'run', 'run-1', 'success', '{}', null, '${prev.hash}', '${hash}')`,
    );
    const v = await verifyAuditTrail(s.db);
    expect(v.ok).toBe(false);
    expect(v.firstBreak).toMatchObject({ seq: 11, reason: 'broken_link' });
  });

  it('detects a forged row with a made-up hash at the forged row', async () => {
    const s = await storeWith(5);
    const prev = await s.db.selectFrom('audit_events').select('hash').where('seq', '=', 5).executeTakeFirstOrThrow();
    await tamper(
      s,
      `insert into audit_events (seq, id, at, actor, action, subject_type, subject_id, outcome, details, request_id, prev_hash, hash)
       values (6, gen_random_uuid(), now(), 'mallory', 'token.issue', 'user', 'mallory', 'success', '{}', null, '${prev.hash}', '${'ab'.repeat(32)}')`,
    );
    const r = await verifyCli(s);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/event 6 \(.*\) was altered/);
  });

  it('detects two swapped events', async () => {
    const s = await storeWith(10);
    // events 3 and 4 trade places in the sequence
    await tamper(
      s,
      'update audit_events set seq = -seq where seq in (3, 4); update audit_events set seq = 7 + seq where seq < 0',
    );
    const r = await verifyCli(s);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/after 2 good events: event 3 \(.*\) does not follow the event before it/);
  });

  it('exports JSON lines that carry the hashes', async () => {
    const s = await storeWith(3);
    const r = await lifeboat(['audit', 'export'], { env: { LIFEBOAT_DATABASE_URL: s.url.reveal() } });
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(lines[1].prevHash).toBe(lines[0].hash);
    expect(lines[2].details).toEqual({ n: 3, note: 'event 3', nested: { a: 1, b: 2 } });
  });
});
