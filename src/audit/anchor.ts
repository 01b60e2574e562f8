// Anchoring the audit chain in the backup storage: writing signed checkpoints of its head to
// every storage in lifeboat.yaml (regularly from a server, at shutdown and after every backup),
// and reading back the newest one that the trusted key verifies. The decisions are the pure
// functions of checkpoint.ts; this module is the I/O around them.
//
// A writer never signs over a chain that does not extend its previous checkpoint: if the newest
// events were deleted, the next checkpoint would otherwise anchor the shortened chain and hide
// the deletion. It logs an error instead, and `audit verify` keeps reporting the truncation.
import type { KeyObject } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { sql } from 'kysely';
import type { Catalog } from '../catalog/types.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import { openCatalogStorage } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';
import type { Db } from '../store/db.js';
import {
  type ChainAt,
  type ChainHead,
  CHECKPOINT_PREFIX,
  checkpointKey,
  checkSignature,
  compareWithCheckpoint,
  describeAnchorMismatch,
  isCheckpointKey,
  parseCheckpoint,
  serializeCheckpoint,
  type SignedCheckpoint,
  signCheckpoint,
} from './checkpoint.js';
import type { Signer } from './signing-key.js';

/** The chain's newest event and how many events it holds up to it; undefined when empty. */
export async function chainHead(db: Db): Promise<ChainHead | undefined> {
  const { rows } = await sql<{ seq: string; id: string; hash: string; count: string }>`
    select seq, id, hash, (select count(*) from audit_events b where b.seq <= a.seq) as count
    from audit_events a order by seq desc limit 1`.execute(db);
  const r = rows[0];
  return r && { seq: Number(r.seq), eventId: r.id, headHash: r.hash, count: Number(r.count) };
}

/** What the chain holds where a checkpoint points. */
export async function chainAt(db: Db, seq: number): Promise<ChainAt> {
  const [event, agg] = await Promise.all([
    db.selectFrom('audit_events').select(['id', 'hash']).where('seq', '=', seq).executeTakeFirst(),
    db
      .selectFrom('audit_events')
      .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.max('seq').as('last')])
      .where('seq', '<=', seq)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    ...(event ? { event } : {}),
    countUpTo: Number(agg.n),
    ...(agg.last === null ? {} : { lastUpTo: { seq: Number(agg.last) } }),
  };
}

export interface StoredCheckpoint {
  key: string;
  signed: SignedCheckpoint;
}

export interface RejectedCheckpoint {
  key: string;
  code: 'bad_signature' | 'untrusted_key' | 'malformed';
  message: string;
}

export interface NewestCheckpoint {
  /** The newest checkpoint the trusted key verifies. */
  newest?: StoredCheckpoint;
  /** Newer ones that it does not verify (each is reported). */
  rejected: RejectedCheckpoint[];
}

/** How many checkpoints are read, newest first, looking for one that verifies. */
const SCAN_LIMIT = 20;

/** The newest checkpoint in `storage` that `trusted` verifies, and the newer ones it rejects. */
export async function newestCheckpoint(storage: Storage, trusted: KeyObject): Promise<NewestCheckpoint> {
  const keys = (await storage.list(CHECKPOINT_PREFIX)).filter(isCheckpointKey).reverse().slice(0, SCAN_LIMIT);
  const rejected: RejectedCheckpoint[] = [];
  for (const key of keys) {
    const parsed = parseCheckpoint(await text(await storage.read(key)));
    if (!parsed.ok) {
      rejected.push({ key, code: 'malformed', message: parsed.problem });
      continue;
    }
    const check = checkSignature(parsed.signed, trusted);
    if (check.ok) {
      if (key !== checkpointKey(parsed.signed.checkpoint.seq)) {
        rejected.push({ key, code: 'malformed', message: `it is stored under the key of another event` });
        continue;
      }
      return { newest: { key, signed: parsed.signed }, rejected };
    }
    rejected.push({ key, code: check.code, message: check.message });
  }
  return { rejected };
}

export type CheckpointOutcome =
  | { storage: string; outcome: 'written'; key: string }
  | { storage: string; outcome: 'unchanged'; key: string }
  | { storage: string; outcome: 'refused'; message: string }
  | { storage: string; outcome: 'failed'; message: string };

export interface CheckpointWriter {
  /**
   * Writes a checkpoint of the chain's head to every storage (one write at a time in this
   * process). Never throws: a storage that fails is logged and reported in the outcome.
   */
  write(reason: 'timer' | 'backup' | 'shutdown'): Promise<CheckpointOutcome[]>;
  /** Writes every `ms` until the returned function is called (it waits for a write in progress). */
  every(ms: number): () => Promise<void>;
}

export interface CheckpointWriterDeps {
  db: Db;
  catalog: Catalog;
  signer: Signer;
  logger: Logger;
  now?: () => Date;
  /** Opens a storage (tests pass their own). */
  openStorage?: (name: string) => Storage;
}

export function checkpointWriter(deps: CheckpointWriterDeps): CheckpointWriter {
  const now = deps.now ?? (() => new Date());
  const open = deps.openStorage ?? ((name: string) => openCatalogStorage(deps.catalog.storage[name]!));
  // the newest checkpoint this process knows per storage, so a timer tick reads nothing back
  const known = new Map<string, SignedCheckpoint | null>();
  let queue: Promise<unknown> = Promise.resolve();

  async function writeTo(name: string, head: ChainHead): Promise<CheckpointOutcome> {
    const storage = open(name);
    try {
      let previous = known.get(name);
      if (previous === undefined) {
        previous = (await newestCheckpoint(storage, deps.signer.publicKey)).newest?.signed ?? null;
        known.set(name, previous);
      }
      if (previous) {
        const cp = previous.checkpoint;
        if (cp.seq === head.seq && cp.headHash === head.headHash)
          return { storage: name, outcome: 'unchanged', key: checkpointKey(cp.seq) };
        const check = compareWithCheckpoint(cp, await chainAt(deps.db, cp.seq));
        if (!check.ok) return { storage: name, outcome: 'refused', message: describeAnchorMismatch(cp, check) };
      }
      const signed = signCheckpoint(head, now(), deps.signer);
      const key = checkpointKey(head.seq);
      await storage.write(key, Readable.from([Buffer.from(serializeCheckpoint(signed))]));
      known.set(name, signed);
      return { storage: name, outcome: 'written', key };
    } catch (err) {
      return { storage: name, outcome: 'failed', message: messageOf(err) };
    } finally {
      await storage.close?.();
    }
  }

  async function writeAll(reason: string): Promise<CheckpointOutcome[]> {
    let head: ChainHead | undefined;
    try {
      head = await chainHead(deps.db);
    } catch (err) {
      deps.logger.warn({ reason, err: messageOf(err) }, 'unable to read the audit chain for a checkpoint');
      return [];
    }
    if (!head) return [];
    const outcomes: CheckpointOutcome[] = [];
    for (const name of Object.keys(deps.catalog.storage)) {
      const o = await writeTo(name, head);
      outcomes.push(o);
      if (o.outcome === 'refused') {
        deps.logger.error(
          { storage: name, reason, problem: o.message },
          'audit checkpoint NOT written: the audit trail does not extend the previous checkpoint; run `lifeboat audit verify`',
        );
      } else if (o.outcome === 'failed') {
        deps.logger.warn({ storage: name, reason, err: o.message }, 'unable to write an audit checkpoint');
      } else if (o.outcome === 'written') {
        deps.logger.debug({ storage: name, reason, key: o.key }, 'audit checkpoint written');
      }
    }
    return outcomes;
  }

  const writer: CheckpointWriter = {
    write(reason) {
      const p = queue.then(() => writeAll(reason));
      queue = p.catch(() => {});
      return p;
    },
    every(ms) {
      const timer = setInterval(() => void writer.write('timer'), Math.max(ms, 1000));
      return async () => {
        clearInterval(timer);
        await queue;
      };
    },
  };
  return writer;
}
