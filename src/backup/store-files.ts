// Moves the files pg_dump wrote into storage in one pass each: hash what pg_dump wrote, count
// the rows of data files, compress and encrypt, hash what is stored, write. Nothing is read twice.
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hashingPassThrough, hashLocalFile } from '../crypto/hashing.js';
import { LifeboatError } from '../errors.js';
import { Waiters } from '../lib/waiters.js';
import type { Storage } from '../storage/storage.js';
import type { FileCodec } from './codec.js';
import type { BackupFile } from './manifest.js';
import { followFile } from './follow-file.js';
import { RowCounter } from './row-counter.js';

export interface StoredFile extends BackupFile {
  rows?: number;
}

/** Runs `fn` over `items` with at most `limit` at a time; the first failure rejects (others finish). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < items.length && failed === undefined) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
  return results;
}

/** A table data file of a pg_dump directory, by its dump id. */
const DATA_FILE = /^(\d+)\.dat(\.gz)?$/;

/**
 * pg_dump's finished data items, by dump id, as its verbose log reports them ("finished item N
 * TABLE DATA"). Whoever waits for the next one is woken at once, so a finished file is hashed or
 * stored then, not at the next poll.
 */
export class FinishedItems {
  readonly #ids = new Set<string>();
  readonly #waiters = new Waiters();

  add(dumpId: string): void {
    this.#ids.add(dumpId);
    this.#waiters.wakeAll();
  }

  has(dumpId: string): boolean {
    return this.#ids.has(dumpId);
  }

  /** Resolves when an item is added, or after `ms`. */
  next(ms: number): Promise<void> {
    return this.#waiters.wait('', ms);
  }
}

/** pg_dump's run as the storing side sees it: whether it has exited, and a loop until it has. */
function watchDump(
  dumpEnded: Promise<unknown>,
  finished: FinishedItems,
): {
  readonly ended: boolean;
  poll(step: () => Promise<void>): Promise<void>;
} {
  let ended = false;
  const endedNow = dumpEnded.then(
    () => (ended = true),
    () => (ended = true),
  );
  return {
    get ended() {
      return ended;
    },
    /**
     * Runs `step` when pg_dump finishes an item, and every 50 ms (new files appear without one),
     * until pg_dump has exited; then once more.
     */
    async poll(step) {
      while (!ended) {
        await step();
        await Promise.race([endedNow, finished.next(50)]);
      }
      await step();
    },
  };
}

/**
 * Stores a dump directory while pg_dump is still writing it: each data file is streamed to
 * storage as soon as it appears, following its growth until pg_dump reports it finished; the
 * rest (toc.dat, written last) once pg_dump has exited. Resolves when everything is stored.
 */
export async function storeWhileDumping(o: {
  dir: string;
  storage: Storage;
  prefix: string;
  codec: FileCodec;
  tocCodec: FileCodec;
  signal?: AbortSignal;
  /** The data files pg_dump has finished (by dump id). */
  finished: FinishedItems;
  /** Resolves when pg_dump has exited (either way). */
  dumpEnded: Promise<unknown>;
}): Promise<StoredFile[]> {
  const dump = watchDump(o.dumpEnded, o.finished);
  const started = new Map<string, Promise<StoredFile>>();
  const startFollowing = async () => {
    const names = await readdir(o.dir).catch(() => [] as string[]);
    for (const name of names) {
      const m = DATA_FILE.exec(name);
      if (!m || started.has(name)) continue;
      const id = m[1]!;
      const source = followFile(join(o.dir, name), () => dump.ended || o.finished.has(id), o.signal);
      const p = storeFile({ ...o, name, source });
      p.catch(() => {}); // awaited below
      started.set(name, p);
    }
  };
  await dump.poll(startFollowing);
  const followed = [...started.keys()];
  // what pg_dump writes last (toc.dat, blobs.toc) is stored once it has exited
  for (const name of (await readdir(o.dir).catch(() => [] as string[])).sort()) {
    if (!started.has(name)) started.set(name, storeFile({ ...o, name }));
  }
  const files = await Promise.all(started.values());
  // A file read while it grew must equal the file pg_dump left: hashed again from the page
  // cache (a fraction of a second per GB) — what is stored is then exactly what pg_dump wrote.
  await mapLimit(followed, 2, async (name) => {
    const onDisk = await hashFile(o.dir, name, o.signal, { countRows: false });
    const stored = files.find((f) => f.name === name)!;
    if (onDisk.sha256 !== stored.sha256 || onDisk.bytes !== stored.bytes) {
      throw new LifeboatError(
        'engine_failed',
        `pg_dump's ${name} changed after it was read (${stored.bytes} bytes read, ${onDisk.bytes} on disk)`,
        { hint: 'the backup was not kept; run it again' },
      );
    }
  });
  return files;
}

/**
 * For a storage pg_dump writes into itself (a local filesystem directory, files kept exactly as
 * pg_dump wrote them): nothing is copied; each data file is hashed (and an uncompressed one's rows
 * counted) once pg_dump reports it finished, the rest once pg_dump has exited.
 */
export async function hashWhileDumping(o: {
  dir: string;
  signal?: AbortSignal;
  finished: FinishedItems;
  dumpEnded: Promise<unknown>;
}): Promise<StoredFile[]> {
  const hashing = new Map<string, Promise<StoredFile>>();
  const hashFinished = async () => {
    for (const name of await readdir(o.dir).catch(() => [] as string[])) {
      const m = DATA_FILE.exec(name);
      if (!m || hashing.has(name) || !o.finished.has(m[1]!)) continue;
      const p = hashFile(o.dir, name, o.signal);
      p.catch(() => {}); // awaited below
      hashing.set(name, p);
    }
  };
  await watchDump(o.dumpEnded, o.finished).poll(hashFinished);
  await o.dumpEnded; // a failed pg_dump fails here, before its partial files are read
  for (const name of (await readdir(o.dir)).sort()) {
    if (!hashing.has(name)) hashing.set(name, hashFile(o.dir, name, o.signal));
  }
  return Promise.all(hashing.values());
}

/** A file of pg_dump's as it is on disk, stored as it is; an uncompressed data file's rows counted. */
async function hashFile(
  dir: string,
  name: string,
  signal?: AbortSignal,
  opts: { countRows?: boolean } = {},
): Promise<StoredFile> {
  const counter = (opts.countRows ?? true) && /^\d+\.dat$/.test(name) ? new RowCounter() : undefined;
  const { sha256, bytes } = await hashLocalFile(join(dir, name), {
    signal,
    ...(counter ? { onChunk: (chunk: Buffer) => counter.count(chunk) } : {}),
  });
  return {
    name,
    stored: name,
    bytes,
    sha256,
    storedBytes: bytes,
    storedSha256: sha256,
    ...(counter ? { rows: counter.rows } : {}),
  };
}

async function storeFile(o: {
  dir: string;
  name: string;
  /** The file's bytes (default: read the file as it is now). */
  source?: Readable;
  storage: Storage;
  prefix: string;
  codec: FileCodec;
  tocCodec: FileCodec;
  signal?: AbortSignal;
}): Promise<StoredFile> {
  const isData = /\.dat(\.gz)?$/.test(o.name) && o.name !== 'toc.dat';
  const codec = isData ? o.codec : o.tocCodec;
  const source = o.source ?? createReadStream(join(o.dir, o.name), { highWaterMark: 1 << 20 });
  const raw = hashingPassThrough();
  // stored as written (no compression or encryption of ours): the stored bytes are the raw bytes
  const stored = codec.suffix === '' ? undefined : hashingPassThrough();
  // rows of an uncompressed data file are counted on the way (a cross-check of the snapshot's
  // count); pg_dump's gzip files are not inflated just for that (it costs more than the count)
  const counter = isData && !o.name.endsWith('.gz') ? new RowCounter() : undefined;
  const rawOut: Transform = counter
    ? raw.stream.pipe(
        new Transform({
          highWaterMark: 1 << 20,
          transform(chunk: Buffer, _e, cb) {
            counter.write(chunk);
            cb(null, chunk);
          },
        }),
      )
    : raw.stream;
  const key = `${o.prefix}${o.name}${codec.suffix}`;
  const encoded = codec.encode();
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  const writing = o.storage.write(key, body, { signal: o.signal });
  await Promise.all([
    pipeline(source, raw.stream),
    pipeline(rawOut, ...(encoded as [Transform]), ...(stored ? [stored.stream] : []), body, { signal: o.signal }),
    writing,
  ]);
  const r = raw.digest();
  const s = stored?.digest() ?? r;
  return {
    name: o.name,
    stored: `${o.name}${codec.suffix}`,
    bytes: r.bytes,
    sha256: r.sha256,
    storedBytes: s.bytes,
    storedSha256: s.sha256,
    ...(counter ? { rows: counter.rows } : {}),
  };
}
