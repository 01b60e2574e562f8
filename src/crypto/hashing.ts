// SHA-256 and byte count of a stream as it flows by, so a backup file is hashed while it is
// written, without reading it a second time.
import { createHash } from 'node:crypto';
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
