// Hashing: the pass-through lets the bytes through unchanged and reports the SHA-256 and size of
// the whole stream; a local file hashed in place (two alternating buffers) gives the same, and
// hands over every chunk in order — at chunk boundaries, for an empty file, and when aborted.
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storedSha256 } from '../../src/backup/read-backup.js';
import { hashingPassThrough, hashLocalFile } from '../../src/crypto/hashing.js';
import { FilesystemStorage } from '../../src/storage/filesystem.js';
import { binaryData, collect, MiB, streamOf, tempDir } from './helpers.js';

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

describe('hashLocalFile', () => {
  const dir = tempDir('lifeboat-hash-local-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([0, 1, MiB - 1, MiB, MiB + 1, 3 * MiB + 5])(
    '%i bytes: checksum, size and every chunk in order',
    async (size) => {
      const data = binaryData(size, 'local');
      const path = join(dir, `f-${size}`);
      writeFileSync(path, data);
      const seen: Buffer[] = [];
      const r = await hashLocalFile(path, { onChunk: (c) => seen.push(Buffer.from(c)) });
      expect(r).toEqual({ sha256: createHash('sha256').update(data).digest('hex'), bytes: size });
      expect(Buffer.concat(seen).equals(data)).toBe(true);
    },
  );

  it('stops when aborted, with the abort reason', async () => {
    const path = join(dir, 'aborted');
    writeFileSync(path, binaryData(3 * MiB, 'abort'));
    const abort = new AbortController();
    const hashing = hashLocalFile(path, { signal: abort.signal, onChunk: () => abort.abort(new Error('stop')) });
    await expect(hashing).rejects.toThrow('stop');
  });

  it('rejects for a missing file', async () => {
    await expect(hashLocalFile(join(dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it("serves storedSha256 on a filesystem storage; a missing object is still the driver's not_found", async () => {
    const storage = new FilesystemStorage({ name: 'local', root: dir });
    const data = binaryData(MiB + 3, 'stored');
    writeFileSync(join(dir, 'stored'), data);
    expect(await storedSha256(storage, 'stored')).toBe(createHash('sha256').update(data).digest('hex'));
    await expect(storedSha256(storage, 'missing')).rejects.toMatchObject({ code: 'not_found' });
  });
});
