// Wraps a driver's raw read stream so that every driver's reads fail the same way: an I/O or
// network error mid-stream becomes a LifeboatError naming the storage and key, an abort becomes
// an AbortError, and an object that ends short of its announced size is an error rather than a
// silently truncated file.
import { finished, type Readable, Transform } from 'node:stream';
import { abortError, isAbortError } from './errors.js';

export interface ReadGuardOptions {
  /** The number of bytes the object (or range) must deliver, when known. */
  expectedBytes?: number;
  signal?: AbortSignal;
  /** Builds the error for a failure: a reason in words and the underlying error. */
  fail: (reason: string, cause?: unknown) => Error;
}

export function guardRead(source: Readable, opts: ReadGuardOptions): Readable {
  const { expectedBytes, signal, fail } = opts;
  let seen = 0;
  const out = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      if (expectedBytes !== undefined && seen !== expectedBytes) {
        callback(fail(`the object ended after ${seen} of ${expectedBytes} bytes`));
      } else {
        callback();
      }
    },
  });
  const onAbort = () => out.destroy(abortError(signal!));
  signal?.addEventListener('abort', onAbort, { once: true });
  finished(source, (err) => {
    if (!err) return;
    if (signal?.aborted) out.destroy(abortError(signal));
    else out.destroy(isAbortError(err) ? err : fail(err.message || 'the stream closed early', err));
  });
  // When the reader stops early (destroys the stream) the file or connection is released at once.
  out.once('close', () => {
    signal?.removeEventListener('abort', onAbort);
    source.destroy();
  });
  source.pipe(out);
  return out;
}
