// Moves the files pg_dump wrote into storage in one pass each: hash what pg_dump wrote, count
// the rows of data files, compress and encrypt, hash what is stored, write. Nothing is read twice.
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { hashingPassThrough } from '../crypto/hashing.js';
import type { Storage } from '../storage/storage.js';
import type { FileCodec } from './codec.js';
import type { BackupFile } from './manifest.js';
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

export async function storeDumpDirectory(o: {
  dir: string;
  storage: Storage;
  prefix: string;
  codec: FileCodec;
  /** Codec applies only to data files (`*.dat`, `*.dat.gz`); toc.dat is only encrypted. */
  tocCodec: FileCodec;
  parallel: number;
  signal?: AbortSignal;
}): Promise<StoredFile[]> {
  const names = (await readdir(o.dir)).sort();
  // the biggest files first, so that two streams finish together
  return mapLimit(names, o.parallel, (name) => storeFile({ ...o, name }));
}

async function storeFile(o: {
  dir: string;
  name: string;
  storage: Storage;
  prefix: string;
  codec: FileCodec;
  tocCodec: FileCodec;
  signal?: AbortSignal;
}): Promise<StoredFile> {
  const isData = /\.dat(\.gz)?$/.test(o.name) && o.name !== 'toc.dat';
  const codec = isData ? o.codec : o.tocCodec;
  const source = createReadStream(join(o.dir, o.name), { highWaterMark: 1 << 20 });
  const raw = hashingPassThrough();
  const stored = hashingPassThrough();
  const counting: Promise<void>[] = [];
  let counter: RowCounter | undefined;
  let rawOut: Transform = raw.stream;
  if (isData) {
    counter = new RowCounter();
    // the row count reads the same bytes through a tee; gzip files are inflated for counting only
    const tee = new PassThrough({ highWaterMark: 1 << 20 });
    raw.stream.pipe(tee);
    const countStages = o.name.endsWith('.gz') ? [createGunzip(), counter] : [counter];
    counting.push(pipeline(tee, ...(countStages as [Transform, RowCounter])));
    const main = new PassThrough({ highWaterMark: 1 << 20 });
    raw.stream.pipe(main);
    rawOut = main;
  }
  const key = `${o.prefix}${o.name}${codec.suffix}`;
  const encoded = codec.encode();
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  const writing = o.storage.write(key, body, { signal: o.signal });
  await Promise.all([
    pipeline(source, raw.stream),
    pipeline(rawOut, ...(encoded as [Transform]), stored.stream, body, { signal: o.signal }),
    ...counting,
    writing,
  ]);
  const r = raw.digest();
  const s = stored.digest();
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
