// Encryption at rest in the age format: round trips with a passphrase and with X25519 keys,
// files that typage (the reference TypeScript age) reads and writes, and every way decryption
// must refuse — wrong or missing key, truncation, a flipped bit — without emitting garbage.
import { pipeline } from 'node:stream/promises';
import { Decrypter, Encrypter } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptStream, encryptStream, generateX25519Identity } from '../../src/crypto/age.js';
import { Secret } from '../../src/lib/secret.js';
import { binaryData, collect, MiB, streamOf } from './helpers.js';

const PASSPHRASE = new Secret('correct-horse-battery-staple-lifeboat');
/** Fast scrypt for tests; the default (18) is exercised once below. */
const FAST = 10;
const LABEL = 'backup 42 file toc.dat';
const WRONG_KEY = `unable to decrypt ${LABEL}: wrong passphrase or identity`;

async function encrypt(data: Buffer, opts: Parameters<typeof encryptStream>[0]): Promise<Buffer> {
  return collect(streamOf(data).pipe(encryptStream(opts)));
}

/** Decrypts through a pipeline, as callers do; returns the plaintext or the error. */
async function decrypt(
  file: Buffer,
  opts: Parameters<typeof decryptStream>[0],
  chunk?: number,
): Promise<{ out: Buffer; error?: undefined } | { out: Buffer; error: { code?: string; message: string } }> {
  const chunks: Buffer[] = [];
  try {
    await pipeline(streamOf(file, chunk), decryptStream(opts, LABEL), async (source: AsyncIterable<Buffer>) => {
      for await (const c of source) chunks.push(c);
    });
    return { out: Buffer.concat(chunks) };
  } catch (error) {
    return { out: Buffer.concat(chunks), error: error as { code?: string; message: string } };
  }
}

describe('age encryption', () => {
  let keys: { identity: string; recipient: string };
  let big: Buffer;

  beforeAll(async () => {
    keys = await generateX25519Identity();
    big = binaryData(10 * MiB);
  });

  it('generates X25519 key pairs in the age encoding', () => {
    expect(keys.identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    expect(keys.recipient).toMatch(/^age1[0-9a-z]{58}$/);
  });

  it.each([0, 10 * MiB])('round-trips %i bytes with a passphrase, as a real age file', async (size) => {
    const data = size === 0 ? Buffer.alloc(0) : big;
    const file = await encrypt(data, { passphrase: PASSPHRASE, scryptWorkFactor: FAST });
    expect(file.subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');
    expect(file.toString('latin1')).toContain(`\n-> scrypt `);
    const { out, error } = await decrypt(file, { passphrase: PASSPHRASE });
    expect(error).toBeUndefined();
    expect(out.equals(data)).toBe(true);
  });

  it.each([0, 10 * MiB])('round-trips %i bytes with X25519 recipients', async (size) => {
    const data = size === 0 ? Buffer.alloc(0) : big;
    const other = await generateX25519Identity();
    const file = await encrypt(data, { recipients: [keys.recipient, other.recipient] });
    expect(file.subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');
    for (const identity of [keys.identity, other.identity]) {
      const { out, error } = await decrypt(file, { identities: [new Secret(identity)] });
      expect(error).toBeUndefined();
      expect(out.equals(data)).toBe(true);
    }
  });

  it('writes files the reference implementation (typage) decrypts, and reads the ones it writes', async () => {
    const data = binaryData(300_000, 'interop');
    const byUs = await encrypt(data, { recipients: [keys.recipient] });
    const d = new Decrypter();
    d.addIdentity(keys.identity);
    expect(Buffer.from(await d.decrypt(byUs)).equals(data)).toBe(true);

    const byUsWithPassphrase = await encrypt(data, { passphrase: PASSPHRASE, scryptWorkFactor: FAST });
    const dp = new Decrypter();
    dp.addPassphrase(PASSPHRASE.reveal());
    expect(Buffer.from(await dp.decrypt(byUsWithPassphrase)).equals(data)).toBe(true);

    const e = new Encrypter();
    e.setScryptWorkFactor(FAST);
    e.setPassphrase(PASSPHRASE.reveal());
    const byTypage = Buffer.from(await e.encrypt(data));
    expect((await decrypt(byTypage, { passphrase: PASSPHRASE })).out.equals(data)).toBe(true);
  });

  it('round-trips exact multiples of the 64 KiB chunk, fed in odd-sized pieces', async () => {
    for (const size of [64 * 1024, 3 * 64 * 1024]) {
      const data = binaryData(size, 'chunks');
      const file = await encrypt(data, { recipients: [keys.recipient] });
      const { out, error } = await decrypt(file, { identities: [new Secret(keys.identity)] }, 7_777);
      expect(error).toBeUndefined();
      expect(out.equals(data)).toBe(true);
    }
  });

  it('uses scrypt work factor 18 by default, and decrypts it', async () => {
    const file = await encrypt(Buffer.from('default work factor'), { passphrase: PASSPHRASE });
    expect(file.toString('latin1')).toMatch(/\n-> scrypt [A-Za-z0-9+/]{22} 18\n/);
    expect((await decrypt(file, { passphrase: PASSPHRASE })).out.toString()).toBe('default work factor');
  });

  it('refuses a wrong passphrase with the exact message and a hint', async () => {
    const file = await encrypt(Buffer.from('secret rows'), { passphrase: PASSPHRASE, scryptWorkFactor: FAST });
    const { out, error } = await decrypt(file, { passphrase: new Secret('not-the-passphrase') });
    expect(out.length).toBe(0);
    expect(error).toMatchObject({
      code: 'storage_failed',
      message: WRONG_KEY,
      hint: expect.stringContaining('use the passphrase or the identity the backup was encrypted with'),
    });
  });

  it('refuses a wrong identity, a passphrase for a key-encrypted file, and a missing key', async () => {
    const file = await encrypt(Buffer.from('secret rows'), { recipients: [keys.recipient] });
    const stranger = await generateX25519Identity();
    for (const opts of [
      { identities: [new Secret(stranger.identity)] },
      { passphrase: PASSPHRASE },
      { identities: [] },
      { identities: [new Secret('# only a comment\n')] },
      { passphrase: new Secret('') },
    ]) {
      const { out, error } = await decrypt(file, opts);
      expect(out.length).toBe(0);
      expect(error).toMatchObject({ code: 'storage_failed', message: WRONG_KEY });
    }
  });

  it('reads identities from an identity file as age-keygen writes it', async () => {
    const file = await encrypt(Buffer.from('rows'), { recipients: [keys.recipient] });
    const identityFile = `# created: 2024-05-01T03:00:00Z\n# public key: ${keys.recipient}\n${keys.identity}\n`;
    expect((await decrypt(file, { identities: [new Secret(identityFile)] })).out.toString()).toBe('rows');
  });

  it('fails on a truncated file wherever it is cut, and never emits unauthenticated bytes', async () => {
    const data = binaryData(200_000, 'truncate');
    const file = await encrypt(data, { recipients: [keys.recipient] });
    const headerEnd = file.indexOf('\n--- ') + 1 + 4 + 43 + 1;
    const payload = headerEnd + 16;
    const cuts = [
      ['inside the header', 30, 'it ends inside its header'],
      ['before the nonce ends', headerEnd + 8, 'it ends inside its header'],
      ['after the nonce', payload, 'chunk 0 is shorter than its tag'],
      ['inside a chunk', payload + 1000, 'chunk 0 failed authentication'],
      ['at a chunk boundary', payload + 65_552, 'chunk 0 failed authentication'],
      ['one byte short', file.length - 1, 'chunk 3 failed authentication'],
    ] as const;
    for (const [, at, detail] of cuts) {
      const { out, error } = await decrypt(file.subarray(0, at), { identities: [new Secret(keys.identity)] });
      expect(error).toMatchObject({
        code: 'storage_failed',
        message: `unable to decrypt ${LABEL}: the file is truncated or corrupted (${detail})`,
      });
      // What came out before the error is authentic: a prefix of the plaintext, never garbage.
      expect(data.subarray(0, out.length).equals(out)).toBe(true);
    }
  });

  it('fails on an empty file, on garbage appended, and on a file that is not age at all', async () => {
    const file = await encrypt(Buffer.from('rows'), { recipients: [keys.recipient] });
    const id = { identities: [new Secret(keys.identity)] };
    expect((await decrypt(Buffer.alloc(0), id)).error?.message).toBe(
      `unable to decrypt ${LABEL}: the file is truncated or corrupted (the file is empty)`,
    );
    expect((await decrypt(Buffer.concat([file, Buffer.from('x')]), id)).error?.message).toBe(
      `unable to decrypt ${LABEL}: the file is truncated or corrupted (chunk 0 failed authentication)`,
    );
    expect((await decrypt(Buffer.from('PGDMP\u0001\u000e\u0000'), id)).error?.message).toBe(
      `unable to decrypt ${LABEL}: it is not an age-encrypted file`,
    );
  });

  it('fails on a single flipped bit in the payload, the header MAC or a stanza', async () => {
    const data = binaryData(150_000, 'flip');
    const file = await encrypt(data, { recipients: [keys.recipient] });
    const mac = file.indexOf('\n--- ') + 5;
    const id = { identities: [new Secret(keys.identity)] };
    const flipped = (at: number) => {
      const copy = Buffer.from(file);
      copy[at]! ^= 0x01;
      return copy;
    };
    const inPayload = await decrypt(flipped(file.length - 100), id);
    expect(inPayload.error?.message).toBe(
      `unable to decrypt ${LABEL}: the file is truncated or corrupted (chunk 2 failed authentication)`,
    );
    expect(data.subarray(0, inPayload.out.length).equals(inPayload.out)).toBe(true);
    expect((await decrypt(flipped(mac + 2), id)).error?.message).toMatch(
      new RegExp(`^unable to decrypt ${LABEL}: the file is truncated or corrupted \\(header: `),
    );
    // A damaged stanza no longer opens with the key: indistinguishable from a wrong key. The bit is
    // flipped in a base64 letter that stays a base64 letter ('/' would become '.', 'A' '@'): the
    // key is random, and a letter that is not base64 is a header that does not parse, not a key.
    let inStanza = file.indexOf('\n', file.indexOf('-> X25519')) + 3;
    while (!/[A-Za-z0-9+/]/.test(String.fromCharCode(file[inStanza]! ^ 0x01))) inStanza++;
    expect((await decrypt(flipped(inStanza), id)).error?.message).toBe(WRONG_KEY);
  });

  it('reports unusable encryption settings as config_invalid, on the stream', async () => {
    const bad = async (opts: Parameters<typeof encryptStream>[0]) =>
      collect(streamOf(Buffer.from('x')).pipe(encryptStream(opts))).catch((e: unknown) => e);
    expect(await bad({ recipients: [] })).toMatchObject({
      code: 'config_invalid',
      message: 'unable to encrypt: no recipient given',
    });
    expect(await bad({ recipients: ['ssh-ed25519 AAAA'] })).toMatchObject({
      code: 'config_invalid',
      message: 'unable to encrypt: "ssh-ed25519 AAAA" is not an age recipient',
    });
    expect(await bad({ recipients: [keys.recipient, 'age1notavalidkey'] })).toMatchObject({
      code: 'config_invalid',
      message: 'unable to encrypt: "age1notavalidkey" is not an age recipient',
    });
    expect(await bad({ passphrase: PASSPHRASE, scryptWorkFactor: 30 })).toMatchObject({
      code: 'config_invalid',
      message: 'unable to encrypt: scrypt work factor 30 is out of range',
    });
    const notAnIdentity = await decrypt(Buffer.from('x'), { identities: [new Secret('AGE-SECRET-KEY-1NOPE')] });
    expect(notAnIdentity.error).toMatchObject({
      code: 'config_invalid',
      message: `unable to decrypt ${LABEL}: an identity is not a valid age identity`,
    });
    expect(JSON.stringify(notAnIdentity.error)).not.toContain('NOPE');
  });
});
