// The hashing pass-through: the bytes go through unchanged, and the SHA-256 and size it reports
// are those of the whole stream.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashingPassThrough } from '../../src/crypto/hashing.js';
import { binaryData, collect, MiB, streamOf } from './helpers.js';

describe('hashingPassThrough', () => {
  it.each([0, 1, 5 * MiB + 3])('hashes and counts %i bytes as they stream by', async (size) => {
    const data = binaryData(size, 'hash');
    const hashing = hashingPassThrough();
    const out = await collect(streamOf(data, 10_000).pipe(hashing.stream));
    expect(out.equals(data)).toBe(true);
    expect(hashing.digest()).toEqual({ sha256: createHash('sha256').update(data).digest('hex'), bytes: size });
    expect(hashing.digest()).toEqual(hashing.digest());
  });

  it('refuses to give a digest before the stream has ended', () => {
    const hashing = hashingPassThrough();
    hashing.stream.write(Buffer.from('part of a file'));
    expect(() => hashing.digest()).toThrow('hashingPassThrough: digest() called before the stream ended');
  });
});
