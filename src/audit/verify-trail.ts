// `audit verify` as one operation, for the CLI (direct store access) and the API alike: read the
// newest checkpoint of every storage, walk the whole chain, then look up the chain where each
// checkpoint points. Checkpoints are read *before* the walk, so a checkpoint written meanwhile
// can never point past the chain that was walked.
import type { Catalog } from '../catalog/types.js';
import { messageOf } from '../errors.js';
import { openCatalogStorage } from '../storage/index.js';
import type { Db } from '../store/db.js';
import { chainAt, newestCheckpoint, type RejectedCheckpoint, type StoredCheckpoint } from './anchor.js';
import { CHECKPOINT_PREFIX, compareWithCheckpoint, isCheckpointKey } from './checkpoint.js';
import { verifyAuditTrail } from './read.js';
import type { TrustedKey } from './signing-key.js';
import {
  type AnchorInput,
  type AuditVerification,
  auditVerification,
  judgeAnchor,
  type StorageFinding,
} from './verification.js';

export interface VerifyTrailDeps {
  db: Db;
  /** Undefined when no lifeboat.yaml was found (then nothing can be anchored). */
  catalog: Catalog | undefined;
  trusted: TrustedKey | undefined;
}

export async function verifyAnchoredTrail(deps: VerifyTrailDeps): Promise<AuditVerification> {
  const read = await readCheckpoints(deps);
  const chain = await verifyAuditTrail(deps.db);
  let input: AnchorInput;
  if (read.kind === 'checked') {
    const findings: StorageFinding[] = [];
    for (const f of read.found) {
      if (!f.newest) {
        findings.push({ storage: f.storage, rejected: f.rejected, ...(f.error ? { error: f.error } : {}) });
        continue;
      }
      const cp = f.newest.signed.checkpoint;
      const check = compareWithCheckpoint(cp, await chainAt(deps.db, cp.seq));
      findings.push({
        storage: f.storage,
        rejected: f.rejected,
        newest: { key: f.newest.key, checkpoint: cp, check },
      });
    }
    input = { kind: 'checked', trusted: read.trusted, findings };
  } else input = read;
  return auditVerification(chain, judgeAnchor(input));
}

/** What one storage held (or why it could not be read). */
interface Found {
  storage: string;
  error?: string;
  rejected: RejectedCheckpoint[];
  newest?: StoredCheckpoint;
}

type Read =
  | Exclude<AnchorInput, { kind: 'checked' }>
  | { kind: 'checked'; trusted: { fingerprint: string; source: string }; found: Found[] };

async function readCheckpoints(deps: VerifyTrailDeps): Promise<Read> {
  if (!deps.catalog) return { kind: 'no_config' };
  const names = Object.keys(deps.catalog.storage);
  if (!names.length) return { kind: 'no_storage' };
  const found: Found[] = [];
  const withCheckpoints: string[] = [];
  for (const name of names) {
    const storage = openCatalogStorage(deps.catalog.storage[name]!);
    try {
      if (!deps.trusted) {
        if ((await storage.list(CHECKPOINT_PREFIX)).some(isCheckpointKey)) withCheckpoints.push(name);
        continue;
      }
      found.push({ storage: name, ...(await newestCheckpoint(storage, deps.trusted.publicKey)) });
    } catch (err) {
      found.push({ storage: name, error: messageOf(err), rejected: [] });
    } finally {
      await storage.close?.();
    }
  }
  if (!deps.trusted) return { kind: 'no_trusted_key', checkpointsIn: withCheckpoints };
  return {
    kind: 'checked',
    trusted: { fingerprint: deps.trusted.fingerprint, source: deps.trusted.source },
    found,
  };
}
