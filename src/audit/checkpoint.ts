// Signed checkpoints of the audit chain's head: the anchor that lives outside the store.
//
// The hash chain alone proves that no event *inside* it was edited, inserted or moved; it cannot
// tell a chain whose newest events were deleted from one that never had them, and whoever can
// write the store can recompute every hash of a different history. A checkpoint — the head's
// sequence number, event id, hash and the number of events up to it, signed with an Ed25519 key
// kept outside the store and written to the backup storage — fixes the head at a point in time:
// a later chain must still contain that event with that hash, so truncation and a rebuilt chain
// are both caught. Pure functions only; reading and writing them is anchor.ts.
import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical.js';

export const CHECKPOINT_FORMAT = 'lifeboat-audit-checkpoint/1';

/** Where checkpoints live in a storage: one object per checkpointed head, named by its sequence. */
export const CHECKPOINT_PREFIX = '_audit/checkpoints/';

/** The head of the chain a checkpoint fixes. */
export interface ChainHead {
  /** Sequence number of the newest event. */
  seq: number;
  /** Its id. */
  eventId: string;
  /** Its hash (which covers every event before it, through the chain). */
  headHash: string;
  /** How many events the chain held up to and including it. */
  count: number;
}

export interface Checkpoint extends ChainHead {
  format: typeof CHECKPOINT_FORMAT;
  /** When it was signed (ISO 8601). */
  at: string;
  keyFingerprint: string;
  /**
   * The signer's public key (SPKI DER, base64), for a reader's convenience only: verification
   * always uses the trusted key, never this one (anyone can sign with a key of their own).
   */
  publicKey: string;
}

export interface SignedCheckpoint {
  checkpoint: Checkpoint;
  /** Ed25519 signature of the checkpoint's canonical JSON, base64. */
  signature: string;
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  fingerprint: string;
}

/** A short, stable name for a public key: the first 16 hex digits of the SHA-256 of its SPKI DER. */
export function keyFingerprint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** The storage key of a checkpoint: zero-padded so that keys sort as the sequence numbers do. */
export function checkpointKey(seq: number): string {
  return `${CHECKPOINT_PREFIX}${String(seq).padStart(16, '0')}.json`;
}

const KEY_PATTERN = /^_audit\/checkpoints\/(\d{16})\.json$/;

/** Whether a storage key names a checkpoint (other objects under the prefix are ignored). */
export function isCheckpointKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export function signCheckpoint(head: ChainHead, at: Date, key: SigningKey): SignedCheckpoint {
  const checkpoint: Checkpoint = {
    format: CHECKPOINT_FORMAT,
    seq: head.seq,
    eventId: head.eventId,
    headHash: head.headHash,
    count: head.count,
    at: at.toISOString(),
    keyFingerprint: key.fingerprint,
    publicKey: key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
  const signature = sign(null, Buffer.from(canonicalJson(checkpoint)), key.privateKey).toString('base64');
  return { checkpoint, signature };
}

export function serializeCheckpoint(signed: SignedCheckpoint): string {
  return `${JSON.stringify(signed, null, 2)}\n`;
}

const CheckpointFile = z
  .object({
    checkpoint: z
      .object({
        format: z.literal(CHECKPOINT_FORMAT),
        seq: z.number().int().min(1),
        eventId: z.string().min(1),
        headHash: z.string().regex(/^[0-9a-f]{64}$/),
        count: z.number().int().min(1),
        at: z.iso.datetime({ offset: true }),
        keyFingerprint: z.string(),
        publicKey: z.string(),
      })
      .strict(),
    signature: z.string().min(1),
  })
  .strict();

export type ParsedCheckpoint = { ok: true; signed: SignedCheckpoint } | { ok: false; problem: string };

export function parseCheckpoint(text: string): ParsedCheckpoint {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'it is not JSON' };
  }
  const r = CheckpointFile.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return {
      ok: false,
      problem: `it is not a ${CHECKPOINT_FORMAT} document (${issue.path.join('.') || 'root'}: ${issue.message})`,
    };
  }
  return { ok: true, signed: r.data };
}

export type SignatureCheck = { ok: true } | { ok: false; code: 'untrusted_key' | 'bad_signature'; message: string };

/**
 * Checks a checkpoint's signature with the *trusted* public key. The key embedded in the
 * checkpoint only improves the message: a checkpoint signed by another key is named as such.
 */
export function checkSignature(signed: SignedCheckpoint, trusted: KeyObject): SignatureCheck {
  const trustedFingerprint = keyFingerprint(trusted);
  let valid = false;
  try {
    valid = verify(
      null,
      Buffer.from(canonicalJson(signed.checkpoint)),
      trusted,
      Buffer.from(signed.signature, 'base64'),
    );
  } catch {
    valid = false;
  }
  if (valid) return { ok: true };
  const claimed = signed.checkpoint.keyFingerprint;
  if (claimed !== trustedFingerprint && embeddedKeyFingerprint(signed) === claimed) {
    return {
      ok: false,
      code: 'untrusted_key',
      message: `it is signed by key ${claimed}, not by the trusted key ${trustedFingerprint}`,
    };
  }
  return {
    ok: false,
    code: 'bad_signature',
    message: `its signature does not verify with the trusted key ${trustedFingerprint}: it was altered or forged`,
  };
}

function embeddedKeyFingerprint(signed: SignedCheckpoint): string | undefined {
  try {
    const key = createPublicKey({
      key: Buffer.from(signed.checkpoint.publicKey, 'base64'),
      format: 'der',
      type: 'spki',
    });
    return keyFingerprint(key);
  } catch {
    return undefined;
  }
}

/** What the chain holds where a checkpoint points (read from the store by anchor.ts). */
export interface ChainAt {
  /** The event with the checkpoint's sequence number, if there is one. */
  event?: { id: string; hash: string };
  /** How many events have a sequence number up to the checkpoint's. */
  countUpTo: number;
  /** The newest event at or before the checkpoint's sequence number. */
  lastUpTo?: { seq: number };
}

export type AnchorCheck =
  | { ok: true }
  | { ok: false; code: 'truncated'; missing: number; lastIntactSeq: number | null }
  | { ok: false; code: 'rewritten'; found: { id: string; hash: string } | null }
  | { ok: false; code: 'miscounted'; counted: number };

/**
 * Compares the chain with a checkpoint of its head. The checkpointed event must be there with
 * exactly the signed id and hash (its hash covers every event before it); if it is gone and
 * fewer events remain up to its position than the checkpoint counted, events were deleted.
 */
export function compareWithCheckpoint(cp: ChainHead, chain: ChainAt): AnchorCheck {
  if (chain.event) {
    if (chain.event.hash !== cp.headHash || chain.event.id !== cp.eventId)
      return { ok: false, code: 'rewritten', found: chain.event };
    // the event is intact; events before it can only be missing or extra if the chain is broken
    // there too (verifyChain names where), but the count is checked all the same
    return chain.countUpTo === cp.count ? { ok: true } : { ok: false, code: 'miscounted', counted: chain.countUpTo };
  }
  if (chain.countUpTo < cp.count) {
    return {
      ok: false,
      code: 'truncated',
      missing: cp.count - chain.countUpTo,
      lastIntactSeq: chain.lastUpTo?.seq ?? null,
    };
  }
  // as many events as signed, but not the signed one: the sequence was renumbered
  return { ok: false, code: 'rewritten', found: null };
}

/** The operator's sentence for a mismatch. */
export function describeAnchorMismatch(cp: Checkpoint, check: Exclude<AnchorCheck, { ok: true }>): string {
  const signed = `the checkpoint of ${cp.at} signed event ${cp.seq} (${cp.eventId}) as event number ${cp.count}`;
  switch (check.code) {
    case 'truncated': {
      const after =
        check.lastIntactSeq === null
          ? 'from the start of the trail'
          : `after event ${check.lastIntactSeq}, the last one still there,`;
      return `audit trail TRUNCATED: ${signed}; ${check.missing} event${check.missing === 1 ? '' : 's'} ${after} ${check.missing === 1 ? 'is' : 'are'} missing`;
    }
    case 'rewritten':
      return check.found
        ? `audit trail REBUILT: ${signed} with hash ${cp.headHash.slice(0, 12)}, but the trail has event ${cp.seq} (${check.found.id}) with hash ${check.found.hash.slice(0, 12)}: the history before it was rewritten`
        : `audit trail REBUILT: ${signed}, but no event ${cp.seq} is in the trail although as many events precede its place: the trail was renumbered`;
    case 'miscounted':
      return `audit trail ALTERED: ${signed}, but the trail holds ${check.counted} events up to it: events before it were deleted or inserted`;
    default: {
      const never: never = check;
      return String(never);
    }
  }
}
