// Masking one large table in several threads. A token costs microseconds of CPU per value (an
// HMAC), so a million-row table masked on one thread is the slowest stream of a masked restore
// and the database waits on it. Here the main thread only cuts the COPY data into row-aligned
// batches and counts their rows; the threads mask the batches (each with the same rules, rebuilt
// from their plain description) and the results are put back in their original order. Each
// thread keeps a leak sample of what it saw; the samples are merged into one at the end.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type ErrorCode, LifeboatError } from '../errors.js';
import type { ColumnInfo } from './column.js';
import { isEscaped, type MaskStats } from './copy-stream.js';
import type { LeakSampler } from './leak-check.js';
import type { RuleSpec } from './transformers/index.js';

/** What a thread needs to rebuild a table's masking plan: plain data, no functions. */
export interface ThreadPlan {
  readonly table: string;
  /** The table's columns in COPY order. */
  readonly columns: readonly string[];
  readonly rules: ReadonlyArray<{ index: number; rule: RuleSpec; column: ColumnInfo }>;
  /** The masking key, revealed: it is handed to a thread of this process, never written anywhere. */
  readonly key?: { value: string; source: string } | undefined;
  readonly sampleCapacity?: number | undefined;
}

export type ToThread = { type: 'batch'; id: number; data: Uint8Array; firstRow: number } | { type: 'finish' };

export type FromThread =
  | { type: 'batch'; id: number; data: Uint8Array; rows: number; rewritten: number }
  | { type: 'batch'; id: number; error: { code: ErrorCode; message: string; hint?: string } }
  | { type: 'samples'; samples: Array<{ column: number; seen: number; values: string[] }> };

/**
 * A table whose data file (as pg_dump wrote it, usually gzip) is smaller is masked in the stream:
 * starting threads (~50 ms each) would cost more than they save.
 */
export const PARALLEL_MIN_BYTES = 8 << 20;
const BATCH_BYTES = 1 << 20;

/**
 * How many threads mask a table whose data file has `bytes`: the configured number, or with
 * `auto` none (mask in the stream) for a small table or a single core, else one per core, at most
 * four.
 */
export function maskThreads(bytes: number, setting: 'auto' | number = 'auto', cores = availableParallelism()): number {
  if (setting !== 'auto') return setting;
  if (bytes < PARALLEL_MIN_BYTES || cores < 2) return 0;
  return Math.min(cores, 4);
}

/**
 * The thread entry, as JavaScript: next to this module when it runs built (dist/), and the built
 * copy when it runs from TypeScript source (the tests, which build first).
 */
function threadEntry(): string {
  const here = fileURLToPath(new URL('./mask-thread.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = fileURLToPath(new URL('../../dist/masking/mask-thread.js', import.meta.url));
  if (existsSync(built)) return built;
  throw new LifeboatError('internal', 'the masking thread is not built (dist/masking/mask-thread.js is missing)', {
    hint: 'run `npm run build`',
  });
}

const LF = 0x0a;

/** A Transform like maskCopyStream, masking in `threads` worker threads. */
export function parallelMaskStream(
  plan: ThreadPlan,
  opts: { threads: number; sampler?: LeakSampler | undefined; batchBytes?: number },
): Transform & { stats: MaskStats } {
  const stats: MaskStats = { rows: 0, rewritten: 0 };
  const batchBytes = opts.batchBytes ?? BATCH_BYTES;
  const entry = threadEntry();
  const threads = Array.from({ length: Math.max(1, opts.threads) }, () => new Worker(entry, { workerData: plan }));
  /** Batches sent and not yet pushed, oldest first: results are pushed in this order. */
  const queue: Array<{ id: number; reply?: FromThread }> = [];
  const maxInFlight = threads.length * 2;
  const sampleWaiters: Array<(m: FromThread) => void> = [];
  let carry: Buffer[] = [];
  let carried = 0;
  let nextId = 0;
  let rowsSent = 0;
  let stopped = false;
  let failure: Error | undefined;
  /** The held callback of transform (too many batches in flight) or of flush (until all are back). */
  let held: { callback: TransformCallback; until: 'room' | 'empty' } | undefined;

  const stop = () => {
    stopped = true;
    for (const t of threads) void t.terminate();
  };
  const fail = (err: Error) => {
    if (failure !== undefined || stopped) return;
    failure = err;
    stop();
    const h = held;
    held = undefined;
    if (h !== undefined) h.callback(err);
    else stream.destroy(err);
  };

  /** Pushes every finished batch at the head of the queue, then releases a held callback. */
  const drain = () => {
    while (queue.length > 0 && queue[0]!.reply !== undefined) {
      const m = queue.shift()!.reply!;
      if (m.type !== 'batch') continue;
      if ('error' in m) {
        fail(
          new LifeboatError(m.error.code, m.error.message, m.error.hint === undefined ? {} : { hint: m.error.hint }),
        );
        return;
      }
      stats.rows += m.rows;
      stats.rewritten += m.rewritten;
      if (m.data.byteLength > 0) stream.push(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
    }
    if (held?.until === 'room' && queue.length < maxInFlight) {
      const { callback } = held;
      held = undefined;
      callback();
    } else if (held?.until === 'empty' && queue.length === 0) {
      const { callback } = held;
      held = undefined;
      collectSamples().then(
        () => {
          stop();
          callback();
        },
        (err: Error) => fail(err),
      );
    }
  };

  threads.forEach((t, i) => {
    t.on('message', (m: FromThread) => {
      if (m.type === 'samples') {
        sampleWaiters[i]?.(m);
        return;
      }
      const entry = queue.find((q) => q.id === m.id);
      if (entry === undefined) return;
      entry.reply = m;
      drain();
    });
    t.on('error', (err) =>
      fail(new LifeboatError('internal', `unable to mask ${plan.table}: a masking thread failed (${err.name})`)),
    );
    t.on('exit', (code) => {
      if (!stopped)
        fail(new LifeboatError('internal', `unable to mask ${plan.table}: a masking thread exited (${code})`));
    });
  });

  const send = (data: Buffer, rows: number) => {
    const id = nextId++;
    queue.push({ id });
    const message: ToThread = { type: 'batch', id, data, firstRow: rowsSent };
    // the batch's memory moves to the thread: concatOwned made it for this batch alone
    threads[id % threads.length]!.postMessage(message, [data.buffer as ArrayBuffer]);
    rowsSent += rows;
  };

  const collectSamples = async () => {
    const replies = await Promise.all(
      threads.map(
        (t, i) =>
          new Promise<FromThread>((resolve) => {
            sampleWaiters[i] = resolve;
            t.postMessage({ type: 'finish' } satisfies ToThread);
          }),
      ),
    );
    for (const r of replies) {
      if (r.type === 'samples') for (const c of r.samples) opts.sampler?.absorb(c.column, c.seen, c.values);
    }
  };

  const stream = new Transform({
    transform(chunk: Buffer, _e, callback: TransformCallback) {
      if (failure !== undefined) return callback(failure);
      carry.push(chunk);
      carried += chunk.length;
      if (carried < batchBytes) return callback();
      // still inside one long row (a large document): collect without copying it all again
      if (carry.length > 1 && chunk.indexOf(LF) === -1) return callback();
      const all = concatOwned(carry, carried);
      const cut = lastRowEnd(all);
      if (cut === 0) {
        // one row longer than a batch: keep collecting
        carry = [all];
        return callback();
      }
      carry = cut < all.length ? [Buffer.from(all.subarray(cut))] : [];
      carried = all.length - cut;
      send(all.subarray(0, cut), countRows(all, cut));
      if (queue.length < maxInFlight) return callback();
      held = { callback, until: 'room' };
    },
    flush(callback: TransformCallback) {
      if (failure !== undefined) return callback(failure);
      if (carried > 0) {
        const all = concatOwned(carry, carried);
        carry = [];
        carried = 0;
        // a last row without its newline is still a row: the thread's masker ends it
        send(all, countRows(all, all.length) + (all[all.length - 1] === LF ? 0 : 1));
      }
      held = { callback, until: 'empty' };
      drain();
    },
    destroy(err, callback) {
      stop();
      callback(err);
    },
  });
  return Object.assign(stream, { stats });
}

/** The pieces in one new buffer of its own (its memory is transferred to a thread). */
function concatOwned(pieces: Buffer[], length: number): Buffer {
  const out = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const p of pieces) at += p.copy(out, at);
  return out;
}

/** The end of the last complete row (after its newline), 0 when there is none. */
function lastRowEnd(buf: Buffer): number {
  let nl = buf.lastIndexOf(LF);
  while (nl >= 0 && isEscaped(buf, 0, nl)) nl = nl > 0 ? buf.lastIndexOf(LF, nl - 1) : -1;
  return nl + 1;
}

/** Rows (unescaped newlines) in buf[0, end). */
function countRows(buf: Buffer, end: number): number {
  let n = 0;
  for (let nl = buf.indexOf(LF); nl !== -1 && nl < end; nl = buf.indexOf(LF, nl + 1)) if (!isEscaped(buf, 0, nl)) n++;
  return n;
}
