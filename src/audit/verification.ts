// The result of `audit verify` (CLI and API alike): the chain walked, then held against the newest
// checkpoint in each storage. Pure: the judgement over what was read, and the operator's text.
import type { ChainBreak } from './chain.js';
import { describeBreak } from './chain.js';
import { type AnchorCheck, type Checkpoint, describeAnchorMismatch } from './checkpoint.js';

export type AnchorProblemCode =
  'bad_signature' | 'untrusted_key' | 'malformed' | 'storage_unreadable' | 'truncated' | 'rewritten' | 'miscounted';

export interface AnchorProblem {
  storage: string;
  /** The checkpoint's key in the storage, when the problem is with one checkpoint. */
  key: string | null;
  code: AnchorProblemCode;
  message: string;
}

export interface CheckpointRef extends Checkpoint {
  storage: string;
  key: string;
}

export interface AnchorReport {
  /** anchored: checked against a checkpoint and it holds; mismatch: see problems; unanchored: see note. */
  status: 'anchored' | 'mismatch' | 'unanchored';
  trustedKey: { fingerprint: string; source: string } | null;
  /** The newest checkpoint that verified (across storages), the one the trail is anchored by. */
  checkpoint: CheckpointRef | null;
  problems: AnchorProblem[];
  /** Why the trail is not anchored. */
  note: string | null;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  lastHash: string;
  firstBreak: ChainBreak | null;
  anchor: AnchorReport;
}

/** What was read from one storage. */
export interface StorageFinding {
  storage: string;
  /** Listing or reading failed. */
  error?: string;
  rejected: Array<{ key: string; code: 'bad_signature' | 'untrusted_key' | 'malformed'; message: string }>;
  /** The newest checkpoint that verified, with how the chain compares to it. */
  newest?: { key: string; checkpoint: Checkpoint; check: AnchorCheck };
}

export type AnchorInput =
  | { kind: 'no_config' }
  | { kind: 'no_storage' }
  | { kind: 'no_trusted_key'; checkpointsIn: string[] }
  | { kind: 'checked'; trusted: { fingerprint: string; source: string }; findings: StorageFinding[] };

/** Why nothing was checked, or what every storage said, as one report. */
export function judgeAnchor(input: AnchorInput): AnchorReport {
  const unanchored = (note: string, trustedKey: AnchorReport['trustedKey'] = null): AnchorReport => ({
    status: 'unanchored',
    trustedKey,
    checkpoint: null,
    problems: [],
    note,
  });
  switch (input.kind) {
    case 'no_config':
      return unanchored('no lifeboat.yaml was found, so no storage to read checkpoints from');
    case 'no_storage':
      return unanchored('lifeboat.yaml declares no storage to keep checkpoints in');
    case 'no_trusted_key':
      return unanchored(
        input.checkpointsIn.length
          ? `no trusted public key to check the checkpoints in storage ${input.checkpointsIn.join(', ')} with (audit.public_key in lifeboat.yaml, or audit-signing.pub in the data directory)`
          : 'no trusted public key (audit.public_key in lifeboat.yaml, or audit-signing.pub in the data directory) and no checkpoint',
      );
    case 'checked':
      break;
    default: {
      const never: never = input;
      throw new Error(String(never));
    }
  }
  const problems: AnchorProblem[] = [];
  let checkpoint: CheckpointRef | null = null;
  for (const f of input.findings) {
    if (f.error !== undefined) {
      problems.push({
        storage: f.storage,
        key: null,
        code: 'storage_unreadable',
        message: `unable to read checkpoints from storage ${f.storage}: ${f.error}`,
      });
    }
    for (const r of f.rejected) {
      problems.push({
        storage: f.storage,
        key: r.key,
        code: r.code,
        message: `checkpoint ${r.key} in storage ${f.storage} cannot be trusted: ${r.message}`,
      });
    }
    if (!f.newest) continue;
    const { key, checkpoint: cp, check } = f.newest;
    if (!check.ok) {
      problems.push({
        storage: f.storage,
        key,
        code: check.code,
        message: `${describeAnchorMismatch(cp, check)} (checkpoint ${key} in storage ${f.storage})`,
      });
    }
    if (!checkpoint || cp.seq > checkpoint.seq) checkpoint = { ...cp, storage: f.storage, key };
  }
  if (problems.length) return { status: 'mismatch', trustedKey: input.trusted, checkpoint, problems, note: null };
  if (checkpoint) return { status: 'anchored', trustedKey: input.trusted, checkpoint, problems, note: null };
  const names = input.findings.map((f) => f.storage).join(', ');
  return unanchored(
    `no checkpoint in storage ${names} yet (a server writes one every audit.checkpoint_every, at shutdown and after every backup)`,
    input.trusted,
  );
}

export function auditVerification(
  chain: { ok: boolean; checked: number; lastHash: string; firstBreak?: ChainBreak },
  anchor: AnchorReport,
): AuditVerification {
  return {
    ok: chain.ok && anchor.status !== 'mismatch',
    checked: chain.checked,
    lastHash: chain.lastHash,
    firstBreak: chain.firstBreak ?? null,
    anchor,
  };
}

/** What `audit verify` prints: one line on stdout when intact, else every problem on stderr. */
export function verificationText(v: AuditVerification): { stdout: string; stderr: string[] } {
  if (v.ok) {
    const head = `audit trail intact: ${v.checked} events verified (head ${v.lastHash.slice(0, 12)})`;
    const cp = v.anchor.checkpoint;
    if (v.anchor.status === 'anchored' && cp) {
      return {
        stdout: `${head}; anchored by checkpoint of ${cp.at} at event ${cp.seq} signed by key ${cp.keyFingerprint} (storage ${cp.storage})`,
        stderr: [],
      };
    }
    return {
      stdout: `${head}; NOT anchored, so deleted newest events or a rebuilt chain would go unnoticed: ${v.anchor.note ?? 'no checkpoint'}`,
      stderr: [],
    };
  }
  const stderr: string[] = [];
  if (v.firstBreak) stderr.push(`audit trail BROKEN after ${v.checked} good events: ${describeBreak(v.firstBreak)}`);
  for (const p of v.anchor.problems) stderr.push(p.message);
  return { stdout: '', stderr };
}
