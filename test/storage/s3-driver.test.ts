// What only the S3 driver does: failures of the service (unreachable, wrong credentials, no
// bucket) told in words without a secret, paging through long listings, batch deletes and key
// prefixes inside a shared bucket. Against a real S3-compatible server (s3rver) on loopback.
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifeboatError } from '../../src/errors.js';
import { Secret } from '../../src/lib/secret.js';
import type { Storage } from '../../src/storage/index.js';
import { S3Storage } from '../../src/storage/s3.js';
import { closedPort, collect, S3RVER_KEY, startS3, streamOf, type TestS3 } from './helpers.js';

const ACCESS_KEY_ID = 'AKIALIFEBOATTEST7777';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYLIFEBOATKEY';

function s3Storage(
  s3: { endpoint: string; bucket: string },
  opts: { prefix?: string; keys?: { id: string; secret: string }; bucket?: string } = {},
): Storage {
  const keys = opts.keys ?? S3RVER_KEY;
  return new S3Storage({
    name: 'offsite',
    bucket: opts.bucket ?? s3.bucket,
    endpoint: s3.endpoint,
    prefix: opts.prefix,
    forcePathStyle: true,
    accessKeyId: new Secret(keys.id, 'env:S3_KEY_ID'),
    secretAccessKey: new Secret(keys.secret, 'env:S3_SECRET'),
  });
}

/** Everything an operator or a log could ever see of the error. */
function everythingShown(err: LifeboatError): string {
  return [err.message, err.hint, JSON.stringify(err.toBody()), inspect(err, { depth: 20 })].join('\n');
}

async function failure(p: Promise<unknown>): Promise<LifeboatError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err === undefined) throw new Error('expected a failure');
  return err as LifeboatError;
}

describe('the S3 storage driver', () => {
  let s3: TestS3;

  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('fails within a bounded time on an unreachable endpoint, naming it and no secret', async () => {
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}`;
    const storage = s3Storage(
      { endpoint, bucket: 'lifeboat' },
      { prefix: 'backups', keys: { id: ACCESS_KEY_ID, secret: SECRET_ACCESS_KEY } },
    );
    const where = `storage offsite (s3://lifeboat/backups at ${endpoint})`;
    const started = Date.now();
    const failures = [
      ['write customer/toc.dat to', await failure(storage.write('customer/toc.dat', streamOf(Buffer.from('x'))))],
      ['read customer/toc.dat from', await failure(storage.read('customer/toc.dat'))],
      ['stat customer/toc.dat in', await failure(storage.stat('customer/toc.dat'))],
      ['list customer/* in', await failure(storage.list('customer/'))],
      ['delete customer/* from', await failure(storage.deletePrefix('customer/'))],
    ] as const;
    expect(Date.now() - started).toBeLessThan(20_000);
    for (const [what, err] of failures) {
      expect(err.code).toBe('storage_failed');
      expect(err.message).toBe(`unable to ${what} ${where}: connect ECONNREFUSED 127.0.0.1:${port}`);
      expect(err.hint).toBe(`check that ${endpoint} is reachable from this machine (address, port, firewall, proxy)`);
      const shown = everythingShown(err);
      expect(shown).not.toContain(SECRET_ACCESS_KEY);
      expect(shown).not.toContain(ACCESS_KEY_ID);
    }
    await storage.close?.();
  });

  it('reports wrong credentials with a hint and without the keys', async () => {
    const storage = s3Storage(s3, { keys: { id: ACCESS_KEY_ID, secret: SECRET_ACCESS_KEY } });
    const err = await failure(storage.write('x/y', streamOf(Buffer.from('data'))));
    expect(err.code).toBe('storage_failed');
    expect(err.message).toMatch(
      /^unable to write x\/y to storage offsite \(s3:\/\/lifeboat-test at http:\/\/127\.0\.0\.1:\d+\): InvalidAccessKeyId: /,
    );
    expect(err.hint).toBe(
      'check the credentials of storage offsite (access_key_id, secret_access_key) and that they may use bucket lifeboat-test',
    );
    const shown = everythingShown(err);
    expect(shown).not.toContain(SECRET_ACCESS_KEY);
    expect(shown).not.toContain(ACCESS_KEY_ID);
    await storage.close?.();
  });

  it('reports a missing bucket', async () => {
    const storage = s3Storage(s3, { bucket: 'no-such-bucket' });
    const err = await failure(storage.list(''));
    expect(err.code).toBe('storage_failed');
    expect(err.message).toMatch(/: NoSuchBucket: The specified bucket does not exist \(HTTP 404\)$/);
    expect(err.hint).toBe('create bucket no-such-bucket, or correct the bucket of storage offsite');
    await storage.close?.();
  });

  it('pages through listings longer than 1000 keys and deletes them in batches', async () => {
    const storage = s3Storage(s3, { prefix: 'paging' });
    const keys = Array.from({ length: 1234 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    const queue = [...keys];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let k = queue.shift(); k !== undefined; k = queue.shift())
          await storage.write(k, streamOf(Buffer.alloc(0)));
      }),
    );
    expect(await storage.list('many/')).toEqual(keys);
    expect(await storage.deletePrefix('many/')).toBe(1234);
    expect(await storage.list('many/')).toEqual([]);
    await storage.close?.();
  });

  it('keeps storages with different prefixes in one bucket apart', async () => {
    const a = s3Storage(s3, { prefix: '/team-a/' });
    const b = s3Storage(s3, { prefix: 'team-b' });
    const whole = s3Storage(s3);
    await a.write('db/file', streamOf(Buffer.from('A')));
    await b.write('db/file', streamOf(Buffer.from('B')));
    expect(await a.list('')).toEqual(['db/file']);
    expect((await collect(await b.read('db/file'))).toString()).toBe('B');
    expect(await whole.list('team-')).toEqual(['team-a/db/file', 'team-b/db/file']);
    expect(await a.deletePrefix('db/')).toBe(1);
    expect(await whole.list('team-')).toEqual(['team-b/db/file']);
    expect(a.describe()).toBe(`s3://lifeboat-test/team-a at ${s3.endpoint}`);
    for (const s of [a, b, whole]) await s.close?.();
  });

  it('describes itself without the credentials of an endpoint URL', () => {
    const storage = new S3Storage({
      name: 'r2',
      bucket: 'backups',
      endpoint: 'https://user:hunter22@accountid.r2.cloudflarestorage.com/?token=abc',
    });
    expect(storage.describe()).toBe('s3://backups at https://accountid.r2.cloudflarestorage.com');
    expect(storage.kind).toBe('s3');
    expect(new S3Storage({ name: 'aws', bucket: 'b', prefix: 'p/q/' }).describe()).toBe('s3://b/p/q');
  });
});
