// SHA-256 and byte count of a backup file: of a stream as it flows by, so a file is hashed while
// it is written, without reading it a second time; and of a local file read in place.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';

export interface HashingPassThrough {
  /** Passes every byte through unchanged. */
  stream: Transform;
  /** The SHA-256 (hex) and size of everything that went through. Only once the stream has ended. */
  digest(): { sha256: string; bytes: number };
}

export function hashingPassThrough(): HashingPassThrough {
  const hash = createHash('sha256');
  let bytes = 0;
  let result: { sha256: string; bytes: number } | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      result = { sha256: hash.digest('hex'), bytes };
      callback();
    },
  });
  return {
    stream,
    digest() {
      // A digest of part of a file would look valid and be wrong: refuse instead.
      if (result === undefined) throw new Error('hashingPassThrough: digest() called before the stream ended');
      return result;
    },
  };
}

const CHUNK = 1 << 20;

/**
 * SHA-256 and size of a local file, read in 1 MiB steps with the next read under way while the
 * current chunk is hashed (as fast as SHA-256 itself, 1.5× a stream pipeline: verification re-reads
 * every file of a backup). `onChunk` sees each chunk in order (to count rows) and must not keep
 * it: the two buffers are reused.
 */
export async function hashLocalFile(
  path: string,
  opts: { signal?: AbortSignal; onChunk?: (chunk: Buffer) => void } = {},
): Promise<{ sha256: string; bytes: number }> {
  const fh = await open(path, 'r');
  const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)] as const;
  let pending = fh.read(buffers[0], 0, CHUNK, 0);
  try {
    const hash = createHash('sha256');
    let bytes = 0;
    for (let i = 0; ; i ^= 1) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) return { sha256: hash.digest('hex'), bytes };
      opts.signal?.throwIfAborted();
      const chunk = buffers[i]!.subarray(0, bytesRead);
      bytes += bytesRead;
      pending = fh.read(buffers[i ^ 1]!, 0, CHUNK, bytes);
      hash.update(chunk);
      opts.onChunk?.(chunk);
    }
  } finally {
    await pending.catch(() => {});
    await fh.close();
  }
}
