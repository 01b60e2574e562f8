// One behaviour suite, run against every storage driver: the filesystem driver in a temporary
// directory and the S3 driver against a real S3-compatible server (s3rver) on loopback.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/lib/secret.js';
import { FilesystemStorage } from '../../src/storage/filesystem.js';
import type { Storage } from '../../src/storage/index.js';
import { S3Storage } from '../../src/storage/s3.js';
import { binaryData, collect, MiB, S3RVER_KEY, stallingStream, startS3, streamOf, tempDir } from './helpers.js';

interface Driver {
  kind: string;
  setup(): Promise<{ storage: Storage; teardown(): Promise<void> }>;
}

const drivers: Driver[] = [
  {
    kind: 'filesystem',
    async setup() {
      const dir = tempDir('lifeboat-fs-');
      const storage = new FilesystemStorage({ name: 'local', root: join(dir, 'backups') });
      return { storage, teardown: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    kind: 's3',
    async setup() {
      const s3 = await startS3();
      const storage = new S3Storage({
        name: 'offsite',
        bucket: s3.bucket,
        endpoint: s3.endpoint,
        prefix: 'lifeboat/',
        forcePathStyle: true,
        accessKeyId: new Secret(S3RVER_KEY.id),
        secretAccessKey: new Secret(S3RVER_KEY.secret),
      });
      return {
        storage,
        async teardown() {
          await storage.close?.();
          await s3.close();
        },
      };
    },
  },
];

describe.each(drivers)('the $kind storage driver', ({ setup }) => {
  let storage: Storage;
  let teardown: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, teardown } = await setup());
  });
  afterAll(async () => {
    await teardown?.();
  });

  it.each([0, 1, 5 * MiB, 20 * MiB])(
    'round-trips %i bytes through write, stat, read, list and delete',
    async (size) => {
      const data = binaryData(size);
      const key = `roundtrip/${size}/data.bin`;
      const before = Date.now();
      expect(await storage.write(key, streamOf(data))).toEqual({ bytes: size });
      const stat = await storage.stat(key);
      expect(stat?.bytes).toBe(size);
      // when it was written (S3 keeps whole seconds; the clocks are this machine's)
      expect(stat?.modifiedAt.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(stat?.modifiedAt.getTime()).toBeLessThanOrEqual(Date.now());
      const back = await collect(await storage.read(key));
      expect(back.length).toBe(size);
      expect(back.equals(data)).toBe(true);
      expect(await storage.list(`roundtrip/${size}/`)).toEqual([key]);
      await storage.delete(key);
      expect(await storage.stat(key)).toBeUndefined();
      expect(await storage.list(`roundtrip/${size}/`)).toEqual([]);
    },
  );

  it('replaces an object whole when a key is written again', async () => {
    await storage.write('replace/f', streamOf(binaryData(3 * MiB, 'one')));
    const second = binaryData(1000, 'two');
    await storage.write('replace/f', streamOf(second));
    expect((await collect(await storage.read('replace/f'))).equals(second)).toBe(true);
    expect(await storage.stat('replace/f')).toMatchObject({ bytes: 1000 });
  });

  it('reads byte ranges, end inclusive, cut at the end of the object', async () => {
    const data = binaryData(10_000);
    await storage.write('range/f', streamOf(data));
    const read = async (range: { start: number; end?: number }) => collect(await storage.read('range/f', { range }));
    expect((await read({ start: 100, end: 199 })).equals(data.subarray(100, 200))).toBe(true);
    expect((await read({ start: 9_990 })).equals(data.subarray(9_990))).toBe(true);
    expect((await read({ start: 9_990, end: 20_000 })).equals(data.subarray(9_990))).toBe(true);
    expect((await read({ start: 20_000 })).length).toBe(0);
    await expect(storage.read('range/f', { range: { start: 5, end: 4 } })).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'invalid byte range {"start":5,"end":4}',
    });
  });

  it('lists every key under a string prefix, recursively and sorted', async () => {
    const keys = ['ls/b', 'ls/a/1', 'ls/a/b/c/3', 'ls/ab/4', 'ls/a/b/2'];
    for (const k of keys) await storage.write(k, streamOf(Buffer.from(k)));
    expect(await storage.list('ls/a/')).toEqual(['ls/a/1', 'ls/a/b/2', 'ls/a/b/c/3']);
    expect(await storage.list('ls/a')).toEqual(['ls/a/1', 'ls/a/b/2', 'ls/a/b/c/3', 'ls/ab/4']);
    expect(await storage.list('ls/')).toEqual([...keys].sort());
    expect(await storage.list('ls/a/b/c/3')).toEqual(['ls/a/b/c/3']);
    expect(await storage.list('ls/none/')).toEqual([]);
    expect(await storage.list('')).toEqual(expect.arrayContaining(keys));
  });

  it('deletes by prefix exactly the keys under it and returns how many', async () => {
    for (const k of ['dp/x/1', 'dp/x/2/3', 'dp/x/2/4', 'dp/xy', 'dp/y']) {
      await storage.write(k, streamOf(Buffer.from(k)));
    }
    expect(await storage.deletePrefix('dp/x/')).toBe(3);
    expect(await storage.list('dp/')).toEqual(['dp/xy', 'dp/y']);
    expect(await storage.deletePrefix('dp/x/')).toBe(0);
    expect(await storage.deletePrefix('dp/')).toBe(2);
    expect(await storage.list('dp/')).toEqual([]);
  });

  it('refuses to delete by an empty prefix', async () => {
    await expect(storage.deletePrefix('')).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'invalid storage prefix "": deleting every object is refused',
    });
  });

  it('treats deleting a missing key as done', async () => {
    await expect(storage.delete('missing/never-written')).resolves.toBeUndefined();
  });

  it('answers a missing key with not_found on read and undefined on stat', async () => {
    await expect(storage.read('missing/nothing.dat')).rejects.toMatchObject({
      code: 'not_found',
      message: `unable to read missing/nothing.dat from storage ${storage.name} (${storage.describe()}): no such object`,
    });
    expect(await storage.stat('missing/nothing.dat')).toBeUndefined();
  });

  it.each([
    ['a single-request', 1 * MiB],
    ['a multipart', 12 * MiB],
  ])('leaves nothing behind when %s write is aborted mid-stream', async (_what, before) => {
    const ac = new AbortController();
    const body = stallingStream(before, { onHalfway: () => ac.abort(new Error('shutting down')) });
    const write = storage.write(`abort/${before}.bin`, body, { signal: ac.signal });
    await expect(write).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    expect(body.destroyed).toBe(true);
    expect(await storage.list('abort/')).toEqual([]);
    expect(await storage.stat(`abort/${before}.bin`)).toBeUndefined();
  });

  it('keeps the previous object when an overwrite is aborted', async () => {
    const first = binaryData(2 * MiB, 'kept');
    await storage.write('abort-keep/f', streamOf(first));
    const ac = new AbortController();
    const body = stallingStream(9 * MiB, { onHalfway: () => ac.abort() });
    await expect(storage.write('abort-keep/f', body, { signal: ac.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect((await collect(await storage.read('abort-keep/f'))).equals(first)).toBe(true);
    expect(await storage.list('abort-keep/')).toEqual(['abort-keep/f']);
  });

  it('rejects a write whose signal is already aborted without creating anything', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      storage.write('abort-early/f', streamOf(Buffer.from('x')), { signal: ac.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(await storage.list('abort-early/')).toEqual([]);
  });

  it.each([
    ['a single-request', 1 * MiB],
    ['a multipart', 12 * MiB],
  ])("leaves nothing behind when the body of %s write fails, and passes the body's error on", async (_what, before) => {
    const boom = new Error('pg_dump exited with code 1');
    const write = storage.write(`failing/${before}.bin`, stallingStream(before, { fail: boom }));
    await expect(write).rejects.toBe(boom);
    expect(await storage.list('failing/')).toEqual([]);
  });

  it.each([
    ['', 'it is empty'],
    ['/etc/passwd', 'it starts with /'],
    ['../outside', 'it has a ".." path segment'],
    ['a/../../b', 'it has a ".." path segment'],
    ['a/./b', 'it has a "." path segment'],
    ['a//b', 'it has an empty path segment (a leading, doubled or trailing /)'],
    ['a/b/', 'it has an empty path segment (a leading, doubled or trailing /)'],
    ['a\\b', 'it contains a backslash (use /)'],
    ['a/b\u0000', 'it contains a control character'],
    ['a/f.partial-1234', '".partial-" is reserved for writes in progress'],
  ])('rejects the key %j before touching the storage: %s', async (key, problem) => {
    const message = `invalid storage key ${JSON.stringify(key)}: ${problem}`;
    const expected = { code: 'invalid_request', message };
    const body = streamOf(Buffer.from('x'));
    await expect(storage.write(key, body)).rejects.toMatchObject(expected);
    expect(body.destroyed).toBe(true);
    await expect(storage.read(key)).rejects.toMatchObject(expected);
    await expect(storage.stat(key)).rejects.toMatchObject(expected);
    await expect(storage.delete(key)).rejects.toMatchObject(expected);
  });

  it('rejects a prefix that climbs out, and accepts a partial last segment', async () => {
    await expect(storage.list('../')).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'invalid storage prefix "../": it has a ".." path segment',
    });
    await expect(storage.deletePrefix('/abs')).rejects.toMatchObject({ code: 'invalid_request' });
    expect(await storage.list('backups/customer/2024-')).toEqual([]);
  });

  it('passes its check', async () => {
    await expect(storage.check?.()).resolves.toBeUndefined();
    expect(await storage.list('')).not.toContain(expect.stringContaining('check'));
  });
});
