// The entry of a masking thread (see parallel.ts): it rebuilds the table's rules from their plain
// description, then masks the row-aligned batches it is sent, in the order it receives them, and
// keeps its own leak sample, which it hands back once at the end.
import { parentPort, workerData } from 'node:worker_threads';
import { isLifeboatError } from '../errors.js';
import { Secret } from '../lib/secret.js';
import { CopyMasker, type MaskRule } from './copy-stream.js';
import { LeakSampler } from './leak-check.js';
import type { FromThread, ThreadPlan, ToThread } from './parallel.js';
import { createTransformer } from './transformers/index.js';

const plan = workerData as ThreadPlan;
const key = plan.key === undefined ? undefined : new Secret(plan.key.value, plan.key.source);
const rules = new Map<number, MaskRule>(plan.rules.map((r) => [r.index, createTransformer(r.rule, key, r.column)]));
const sampler = new LeakSampler(plan.sampleCapacity === undefined ? {} : { capacity: plan.sampleCapacity });
const port = parentPort!;

port.on('message', (msg: ToThread) => {
  if (msg.type === 'finish') {
    const samples = sampler
      .columns()
      .map((c) => ({ column: c, seen: sampler.seen(c), values: [...sampler.sample(c)] }));
    port.postMessage({ type: 'samples', samples } satisfies FromThread);
    return;
  }
  const masker = new CopyMasker(
    { table: plan.table, columns: plan.columns, rules },
    { sampler, firstRow: msg.firstRow },
  );
  try {
    const input = Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength);
    const pieces = [...masker.write(input), ...masker.end()];
    const out = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
    const reply: FromThread = {
      type: 'batch',
      id: msg.id,
      data: out,
      rows: masker.stats.rows,
      rewritten: masker.stats.rewritten,
    };
    // a buffer bigger than the allocation pool owns its memory (the masker's output), so it can
    // move instead of being copied; a small one may share the pool and is copied
    const owned = out.buffer.byteLength > Buffer.poolSize;
    port.postMessage(reply, owned ? [out.buffer as ArrayBuffer] : []);
  } catch (err) {
    // only our own errors carry a message that is safe to repeat (see CopyMasker's #failure)
    const error = isLifeboatError(err)
      ? { code: err.code, message: err.message, ...(err.hint === undefined ? {} : { hint: err.hint }) }
      : { code: 'internal' as const, message: `unable to mask ${plan.table}: the masking thread failed` };
    port.postMessage({ type: 'batch', id: msg.id, error } satisfies FromThread);
  }
});
