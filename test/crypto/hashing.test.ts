// hashLocalFile: the SHA-256 and size of a file read with two alternating buffers, and every
// chunk handed over in order — at chunk boundaries, for an empty file, and when aborted.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storedSha256 } from '../../src/backup/read-backup.js';
import { hashLocalFile } from '../../src/crypto/hashing.js';
import { FilesystemStorage } from '../../src/storage/filesystem.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeboat-hashing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MiB = 1 << 20;

describe('hashLocalFile', () => {
  it.each([0, 1, MiB - 1, MiB, MiB + 1, 3 * MiB + 5])(
    '%i bytes: checksum, size and every chunk in order',
    async (size) => {
      const content = randomBytes(size);
      const path = join(dir, `f-${size}`);
      writeFileSync(path, content);
      const seen: Buffer[] = [];
      const r = await hashLocalFile(path, { onChunk: (c) => seen.push(Buffer.from(c)) });
      expect(r).toEqual({ sha256: createHash('sha256').update(content).digest('hex'), bytes: size });
      expect(Buffer.concat(seen).equals(content)).toBe(true);
    },
  );

  it('stops when aborted, with the abort reason', async () => {
    const path = join(dir, 'aborted');
    writeFileSync(path, randomBytes(3 * MiB));
    const abort = new AbortController();
    const hashing = hashLocalFile(path, { signal: abort.signal, onChunk: () => abort.abort(new Error('stop')) });
    await expect(hashing).rejects.toThrow('stop');
  });

  it('rejects for a missing file', async () => {
    await expect(hashLocalFile(join(dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('storedSha256 on a filesystem storage', () => {
  const storage = new FilesystemStorage({ name: 'local', root: dir });

  it('hashes the file in place', async () => {
    const content = randomBytes(MiB + 3);
    writeFileSync(join(dir, 'stored'), content);
    expect(await storedSha256(storage, 'stored')).toBe(createHash('sha256').update(content).digest('hex'));
  });

  it("a missing object is the driver's not_found", async () => {
    await expect(storedSha256(storage, 'missing')).rejects.toMatchObject({ code: 'not_found' });
  });
});
