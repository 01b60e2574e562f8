// What only the filesystem driver does: in-progress files never outlive a failed write, a
// crashed writer's leftovers are invisible and swept, emptied directories are removed, and a
// full disk is reported in words (on a real 1 MiB tmpfs when the tests run as root).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilesystemStorage } from '../../src/storage/index.js';
import { collect, MiB, stallingStream, streamOf, tempDir } from './helpers.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('the filesystem storage driver', () => {
  let dir: string;
  let root: string;
  let storage: FilesystemStorage;

  beforeAll(() => {
    dir = tempDir('lifeboat-fs-');
    root = join(dir, 'store');
    storage = new FilesystemStorage({ name: 'local', root });
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves no in-progress file after a failed or aborted write', async () => {
    await storage.write('kept/a', streamOf(Buffer.from('a')));
    const boom = new Error('source failed');
    await expect(storage.write('kept/b', stallingStream(3 * MiB, { fail: boom }))).rejects.toBe(boom);
    const ac = new AbortController();
    await expect(
      storage.write('kept/c', stallingStream(3 * MiB, { onHalfway: () => ac.abort() }), { signal: ac.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(filesUnder(root)).toEqual(['kept/a']);
  });

  it("never lists a crashed writer's in-progress file, and sweeps it with its prefix", async () => {
    mkdirSync(join(root, 'crashed', 'db'), { recursive: true });
    writeFileSync(join(root, 'crashed', 'db', 'toc.dat.partial-0a1b2c3d4e5f'), 'half');
    await storage.write('crashed/db/1.dat', streamOf(Buffer.from('whole')));
    expect(await storage.list('crashed/')).toEqual(['crashed/db/1.dat']);
    expect(await storage.deletePrefix('crashed/')).toBe(1);
    expect(readdirSync(root)).not.toContain('crashed');
  });

  it('removes directories a delete leaves empty, never the root', async () => {
    await storage.write('deep/a/b/c/file', streamOf(Buffer.from('x')));
    await storage.write('deep/a/other', streamOf(Buffer.from('y')));
    await storage.delete('deep/a/b/c/file');
    expect(readdirSync(join(root, 'deep', 'a'))).toEqual(['other']);
    await storage.delete('deep/a/other');
    expect(readdirSync(root)).not.toContain('deep');
    const fresh = new FilesystemStorage({ name: 'fresh', root: join(dir, 'fresh') });
    await fresh.write('only', streamOf(Buffer.from('z')));
    await fresh.delete('only');
    expect(readdirSync(join(dir, 'fresh'))).toEqual([]);
  });

  it('answers a key that is a directory with not_found', async () => {
    await storage.write('dirs/inner/file', streamOf(Buffer.from('x')));
    await expect(storage.read('dirs/inner')).rejects.toMatchObject({ code: 'not_found' });
    expect(await storage.stat('dirs/inner')).toBeUndefined();
    expect(await storage.list('dirs/inner')).toEqual(['dirs/inner/file']);
  });

  it('checks that it can write without leaving anything, and tells its free space', async () => {
    const before = filesUnder(root);
    await storage.check();
    expect(filesUnder(root)).toEqual(before);
    expect(await storage.freeBytes()).toBeGreaterThan(0);
    expect(storage.describe()).toBe(root);
  });

  it('reads what it wrote while the reader stops early without leaking the file', async () => {
    await storage.write('early/f', streamOf(Buffer.alloc(MiB, 1)));
    const stream = await storage.read('early/f');
    for await (const _chunk of stream) break;
    expect(stream.destroyed).toBe(true);
    expect((await collect(await storage.read('early/f'))).length).toBe(MiB);
  });
});

describe('the filesystem storage driver on a full disk', () => {
  let dir: string;
  let mounted = false;

  beforeAll(() => {
    dir = tempDir('lifeboat-full-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
      mounted = true;
    } catch {
      // not root, or no mount in this container: the test below is skipped
    }
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports ENOSPC as storage_failed with a hint, and leaves nothing behind', async (ctx) => {
    if (!mounted) ctx.skip();
    const storage = new FilesystemStorage({ name: 'tiny', root: dir });
    const err = await storage.write('backups/big.bin', streamOf(Buffer.alloc(2 * MiB, 1))).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'storage_failed',
      message: `unable to write backups/big.bin to storage tiny (${dir}): ENOSPC: no space left on device, write`,
      hint: `free space on ${dir} or choose another storage`,
    });
    expect(filesUnder(dir)).toEqual([]);
    await storage.write('backups/small.bin', streamOf(Buffer.alloc(1000, 1)));
    expect(await storage.list('')).toEqual(['backups/small.bin']);
  });
});
