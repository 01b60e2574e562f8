// The pure checkpoint rules: signing and verifying with the trusted key only, parsing, comparing a
// chain with a checkpoint (every shape of truncation and rewrite), the judgement over what every
// storage held, and the exact text `audit verify` prints.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type ChainAt,
  type ChainHead,
  checkpointKey,
  checkSignature,
  compareWithCheckpoint,
  describeAnchorMismatch,
  isCheckpointKey,
  keyFingerprint,
  parseCheckpoint,
  serializeCheckpoint,
  signCheckpoint,
  type SigningKey,
} from '../../src/audit/checkpoint.js';
import { auditVerification, judgeAnchor, type StorageFinding, verificationText } from '../../src/audit/verification.js';

function newKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, fingerprint: keyFingerprint(publicKey) };
}

const KEY = newKey();
const OTHER = newKey();
const HEAD: ChainHead = { seq: 10, eventId: 'e-10', headHash: 'a'.repeat(64), count: 10 };
const AT = new Date('2026-03-01T12:00:00.000Z');

describe('signing and verifying', () => {
  it('a checkpoint signed with the key verifies with its public key', () => {
    const signed = signCheckpoint(HEAD, AT, KEY);
    expect(signed.checkpoint).toEqual({
      format: 'lifeboat-audit-checkpoint/1',
      seq: 10,
      eventId: 'e-10',
      headHash: 'a'.repeat(64),
      count: 10,
      at: '2026-03-01T12:00:00.000Z',
      keyFingerprint: KEY.fingerprint,
      publicKey: KEY.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    });
    expect(checkSignature(signed, KEY.publicKey)).toEqual({ ok: true });
  });

  it('survives serialisation and parsing unchanged', () => {
    const signed = signCheckpoint(HEAD, AT, KEY);
    const parsed = parseCheckpoint(serializeCheckpoint(signed));
    expect(parsed).toEqual({ ok: true, signed });
    if (parsed.ok) expect(checkSignature(parsed.signed, KEY.publicKey)).toEqual({ ok: true });
  });

  it.each<[string, (c: ReturnType<typeof signCheckpoint>['checkpoint']) => void]>([
    ['the head hash', (c) => (c.headHash = 'b'.repeat(64))],
    ['the sequence number', (c) => (c.seq = 9)],
    ['the count', (c) => (c.count = 8)],
    ['the event id', (c) => (c.eventId = 'e-9')],
    ['the time', (c) => (c.at = '2026-03-02T12:00:00.000Z')],
  ])('an edit of %s breaks the signature', (_what, edit) => {
    const signed = signCheckpoint(HEAD, AT, KEY);
    edit(signed.checkpoint);
    expect(checkSignature(signed, KEY.publicKey)).toEqual({
      ok: false,
      code: 'bad_signature',
      message: `its signature does not verify with the trusted key ${KEY.fingerprint}: it was altered or forged`,
    });
  });

  it('a checkpoint signed by another key is refused, naming both keys, although it carries its own public key', () => {
    const forged = signCheckpoint(HEAD, AT, OTHER);
    expect(checkSignature(forged, KEY.publicKey)).toEqual({
      ok: false,
      code: 'untrusted_key',
      message: `it is signed by key ${OTHER.fingerprint}, not by the trusted key ${KEY.fingerprint}`,
    });
  });

  it('claiming the trusted fingerprint does not help a forger', () => {
    const forged = signCheckpoint(HEAD, AT, { ...OTHER, fingerprint: KEY.fingerprint });
    expect(checkSignature(forged, KEY.publicKey)).toMatchObject({ ok: false, code: 'bad_signature' });
  });

  it('a signature that is not base64 of a signature is a bad signature, not a crash', () => {
    const signed = { ...signCheckpoint(HEAD, AT, KEY), signature: '!!!' };
    expect(checkSignature(signed, KEY.publicKey)).toMatchObject({ ok: false, code: 'bad_signature' });
  });

  it('fingerprints are 16 hex digits and differ between keys', () => {
    expect(KEY.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(KEY.fingerprint).not.toBe(OTHER.fingerprint);
  });
});

describe('parsing', () => {
  it.each([
    ['not json', 'it is not JSON'],
    [
      '{}',
      'it is not a lifeboat-audit-checkpoint/1 document (checkpoint: Invalid input: expected object, received undefined)',
    ],
    [
      JSON.stringify({ ...signCheckpoint(HEAD, AT, KEY), extra: 1 }),
      'it is not a lifeboat-audit-checkpoint/1 document (root: Unrecognized key: "extra")',
    ],
  ])('%s → %s', (text, problem) => {
    expect(parseCheckpoint(text)).toEqual({ ok: false, problem });
  });
});

describe('storage keys', () => {
  it('sort as the sequence numbers do', () => {
    const keys = [9, 10, 100, 2].map(checkpointKey);
    expect(keys[0]).toBe('_audit/checkpoints/0000000000000009.json');
    expect([...keys].sort()).toEqual([2, 9, 10, 100].map(checkpointKey));
  });
  it.each([
    ['_audit/checkpoints/0000000000000009.json', true],
    ['_audit/checkpoints/9.json', false],
    ['_audit/checkpoints/0000000000000009.json.partial-abc', false],
    ['CustomerDB/x/manifest.json', false],
  ])('%s is a checkpoint key: %s', (key, yes) => expect(isCheckpointKey(key)).toBe(yes));
});

describe('comparing the chain with a checkpoint of event 10 (10 events)', () => {
  const at = (over: Partial<ChainAt>): ChainAt => ({
    event: { id: 'e-10', hash: 'a'.repeat(64) },
    countUpTo: 10,
    lastUpTo: { seq: 10 },
    ...over,
  });
  it.each<[string, ChainAt, ReturnType<typeof compareWithCheckpoint>]>([
    ['intact', at({}), { ok: true }],
    [
      'event 10 with another hash (a rebuilt chain)',
      at({ event: { id: 'e-10', hash: 'c'.repeat(64) } }),
      {
        ok: false,
        code: 'rewritten',
        found: { id: 'e-10', hash: 'c'.repeat(64) },
      },
    ],
    [
      'event 10 with another id',
      at({ event: { id: 'x', hash: 'a'.repeat(64) } }),
      {
        ok: false,
        code: 'rewritten',
        found: { id: 'x', hash: 'a'.repeat(64) },
      },
    ],
    [
      'events 9 and 10 deleted',
      { countUpTo: 8, lastUpTo: { seq: 8 } },
      {
        ok: false,
        code: 'truncated',
        missing: 2,
        lastIntactSeq: 8,
      },
    ],
    ['every event deleted', { countUpTo: 0 }, { ok: false, code: 'truncated', missing: 10, lastIntactSeq: null }],
    [
      'renumbered: ten events up to 10 but none is 10',
      { countUpTo: 10, lastUpTo: { seq: 9 } },
      {
        ok: false,
        code: 'rewritten',
        found: null,
      },
    ],
    [
      'event 10 intact but an event before it deleted',
      at({ countUpTo: 9 }),
      {
        ok: false,
        code: 'miscounted',
        counted: 9,
      },
    ],
  ])('%s', (_what, chain, expected) => {
    expect(compareWithCheckpoint(HEAD, chain)).toEqual(expected);
  });

  const cp = signCheckpoint(HEAD, AT, KEY).checkpoint;
  it.each<[Parameters<typeof describeAnchorMismatch>[1], string]>([
    [
      { ok: false, code: 'truncated', missing: 2, lastIntactSeq: 8 },
      'audit trail TRUNCATED: the checkpoint of 2026-03-01T12:00:00.000Z signed event 10 (e-10) as event number 10; 2 events after event 8, the last one still there, are missing',
    ],
    [
      { ok: false, code: 'truncated', missing: 1, lastIntactSeq: 9 },
      'audit trail TRUNCATED: the checkpoint of 2026-03-01T12:00:00.000Z signed event 10 (e-10) as event number 10; 1 event after event 9, the last one still there, is missing',
    ],
    [
      { ok: false, code: 'truncated', missing: 10, lastIntactSeq: null },
      'audit trail TRUNCATED: the checkpoint of 2026-03-01T12:00:00.000Z signed event 10 (e-10) as event number 10; 10 events from the start of the trail are missing',
    ],
    [
      { ok: false, code: 'rewritten', found: { id: 'e-10b', hash: 'c'.repeat(64) } },
      'audit trail REBUILT: the checkpoint of 2026-03-01T12:00:00.000Z signed event 10 (e-10) as event number 10 with hash aaaaaaaaaaaa, but the trail has event 10 (e-10b) with hash cccccccccccc: the history before it was rewritten',
    ],
    [
      { ok: false, code: 'rewritten', found: null },
      'audit trail REBUILT: the checkpoint of 2026-03-01T12:00:00.000Z signed event 10 (e-10) as event number 10, but no event 10 is in the trail although as many events precede its place: the trail was renumbered',
    ],
    [
      { ok: false, code: 'miscounted', counted: 9 },
      'audit trail ALTERED: the checkpoint of 2026-03-01T12:00:00.000Z signed event 10 (e-10) as event number 10, but the trail holds 9 events up to it: events before it were deleted or inserted',
    ],
  ])('describes %j', (check, text) => {
    expect(describeAnchorMismatch(cp, check)).toBe(text);
  });
});

describe('judging what the storages held', () => {
  const trusted = { fingerprint: KEY.fingerprint, source: '/data/audit-signing.pub' };
  const cp10 = signCheckpoint(HEAD, AT, KEY).checkpoint;
  const cp12 = signCheckpoint({ ...HEAD, seq: 12, eventId: 'e-12', count: 12 }, AT, KEY).checkpoint;
  const good = (storage: string, cp = cp10): StorageFinding => ({
    storage,
    rejected: [],
    newest: { key: checkpointKey(cp.seq), checkpoint: cp, check: { ok: true } },
  });
  const chainOk = { ok: true, checked: 12, lastHash: 'f'.repeat(64) };

  it('anchored by the newest checkpoint across storages', () => {
    const a = judgeAnchor({ kind: 'checked', trusted, findings: [good('main'), good('offsite', cp12)] });
    expect(a).toEqual({
      status: 'anchored',
      trustedKey: trusted,
      checkpoint: { ...cp12, storage: 'offsite', key: checkpointKey(12) },
      problems: [],
      note: null,
    });
    expect(verificationText(auditVerification(chainOk, a))).toEqual({
      stdout: `audit trail intact: 12 events verified (head ffffffffffff); anchored by checkpoint of 2026-03-01T12:00:00.000Z at event 12 signed by key ${KEY.fingerprint} (storage offsite)`,
      stderr: [],
    });
  });

  it('a mismatch in any storage fails, even when another storage is anchored', () => {
    const bad: StorageFinding = {
      storage: 'main',
      rejected: [],
      newest: {
        key: checkpointKey(10),
        checkpoint: cp10,
        check: { ok: false, code: 'truncated', missing: 2, lastIntactSeq: 8 },
      },
    };
    const v = auditVerification(
      chainOk,
      judgeAnchor({ kind: 'checked', trusted, findings: [bad, good('offsite', cp12)] }),
    );
    expect(v.ok).toBe(false);
    expect(v.anchor.status).toBe('mismatch');
    expect(v.anchor.problems).toEqual([
      {
        storage: 'main',
        key: checkpointKey(10),
        code: 'truncated',
        message: `${describeAnchorMismatch(cp10, { ok: false, code: 'truncated', missing: 2, lastIntactSeq: 8 })} (checkpoint _audit/checkpoints/0000000000000010.json in storage main)`,
      },
    ]);
    expect(verificationText(v)).toEqual({ stdout: '', stderr: [v.anchor.problems[0]!.message] });
  });

  it('a rejected checkpoint and an unreadable storage are problems', () => {
    const a = judgeAnchor({
      kind: 'checked',
      trusted,
      findings: [
        { ...good('main'), rejected: [{ key: checkpointKey(11), code: 'bad_signature', message: 'its signature …' }] },
        { storage: 's3', rejected: [], error: 'timeout' },
      ],
    });
    expect(a.status).toBe('mismatch');
    expect(a.problems.map((p) => [p.code, p.message])).toEqual([
      [
        'bad_signature',
        'checkpoint _audit/checkpoints/0000000000000011.json in storage main cannot be trusted: its signature …',
      ],
      ['storage_unreadable', 'unable to read checkpoints from storage s3: timeout'],
    ]);
  });

  it('a broken chain is reported before the anchor problems', () => {
    const v = auditVerification(
      {
        ok: false,
        checked: 4,
        lastHash: 'f'.repeat(64),
        firstBreak: { seq: 5, id: 'e-5', reason: 'content_changed', expected: 'x', actual: 'y' },
      },
      judgeAnchor({ kind: 'checked', trusted, findings: [good('main')] }),
    );
    expect(v.ok).toBe(false);
    expect(verificationText(v).stderr).toEqual([
      'audit trail BROKEN after 4 good events: event 5 (e-5) was altered: its content does not match its hash',
    ]);
  });

  it.each<[Parameters<typeof judgeAnchor>[0], string]>([
    [{ kind: 'no_config' }, 'no lifeboat.yaml was found, so no storage to read checkpoints from'],
    [{ kind: 'no_storage' }, 'lifeboat.yaml declares no storage to keep checkpoints in'],
    [
      { kind: 'no_trusted_key', checkpointsIn: ['main'] },
      'no trusted public key to check the checkpoints in storage main with (audit.public_key in lifeboat.yaml, or audit-signing.pub in the data directory)',
    ],
    [
      { kind: 'checked', trusted, findings: [{ storage: 'main', rejected: [] }] },
      'no checkpoint in storage main yet (a server writes one every audit.checkpoint_every, at shutdown and after every backup)',
    ],
  ])('unanchored, and says why: %j', (input, note) => {
    const v = auditVerification(chainOk, judgeAnchor(input));
    expect(v.ok).toBe(true);
    expect(v.anchor).toMatchObject({ status: 'unanchored', checkpoint: null, problems: [], note });
    expect(verificationText(v).stdout).toBe(
      `audit trail intact: 12 events verified (head ffffffffffff); NOT anchored, so deleted newest events or a rebuilt chain would go unnoticed: ${note}`,
    );
  });
});
