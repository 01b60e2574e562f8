// A drill's evidence pack, in the backup storage beside the backups: `_drills/<drill id>/` holds
// the backup's manifest, result.json, the run log (secrets redacted) and proof.json (the SHA-256
// of every other file of the pack, and the sequence number and hash of the audit event that
// recorded the drill's verdict with those same hashes). A pack is verified by hashing its files
// against proof.json, and proof.json against what the catalog recorded (packProblems).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Storage } from '../storage/index.js';

export const EVIDENCE_ROOT = '_drills/';
export const PROOF_FILE = 'proof.json';

export function evidencePrefix(drillId: number): string {
  return `${EVIDENCE_ROOT}${drillId}/`;
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface Proof {
  format: 'lifeboat-drill-evidence/1';
  drill: number;
  /** File name → SHA-256 (hex) of every file of the pack but proof.json. */
  files: Record<string, string>;
  /** The audit event that recorded the verdict and these hashes. */
  audit: { seq: number; hash: string };
}

export async function writeFiles(storage: Storage, prefix: string, files: Record<string, Buffer>): Promise<void> {
  for (const [name, body] of Object.entries(files)) await storage.write(`${prefix}${name}`, Readable.from([body]));
}

export function hashesOf(files: Record<string, Buffer>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([name, body]) => [name, sha256(body)]));
}

/**
 * What is wrong with a pack (empty: it verifies). `recorded` is what the catalog holds: the
 * hashes the audit event recorded and that event's sequence number and hash.
 */
export function packProblems(
  files: Record<string, Buffer>,
  recorded: { files: Record<string, string>; audit: { seq: number; hash: string } } | undefined,
): string[] {
  const problems: string[] = [];
  const raw = files[PROOF_FILE];
  if (!raw) return [`${PROOF_FILE} is missing`];
  let proof: Proof;
  try {
    proof = JSON.parse(raw.toString('utf8')) as Proof;
  } catch {
    return [`${PROOF_FILE} is not JSON`];
  }
  for (const [name, hash] of Object.entries(proof.files ?? {})) {
    const body = files[name];
    if (!body) problems.push(`${name} is missing`);
    else if (sha256(body) !== hash) problems.push(`${name} does not match its hash in ${PROOF_FILE}`);
  }
  for (const name of Object.keys(files)) {
    if (name !== PROOF_FILE && !(name in (proof.files ?? {}))) problems.push(`${name} is not in ${PROOF_FILE}`);
  }
  if (recorded) {
    if (proof.audit?.seq !== recorded.audit.seq || proof.audit?.hash !== recorded.audit.hash)
      problems.push(`${PROOF_FILE} names audit event ${proof.audit?.seq}, not the one that recorded the drill`);
    for (const [name, hash] of Object.entries(recorded.files)) {
      if (proof.files?.[name] !== hash)
        problems.push(`${name}: ${PROOF_FILE} differs from the hash the audit event recorded`);
    }
  }
  return problems;
}
