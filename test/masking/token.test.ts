// token and hash: distinct inputs stay distinct (200,000 emails, no collision), an email stays a
// valid email, text keeps its length when long enough, case matters except on citext, uuid
// columns get uuids, and the result is joinable across tables.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTransformer } from '../../src/masking/transformers/index.js';
import { toBase32 } from '../../src/masking/transformers/keyed.js';
import { Rng } from './generators.js';
import { col, KEY } from './helpers.js';

const token = (type = 'text') => createTransformer({ transform: 'token' }, KEY, col(type));
// the HTML living-standard email grammar: what <input type=email> and most validators accept
const VALID_EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

describe('token', () => {
  it('maps 200,000 distinct emails to 200,000 distinct valid emails', () => {
    const t = token();
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) {
      const out = t(`user${i}@customer${i % 97}.example`)!;
      if (!VALID_EMAIL.test(out)) throw new Error(`not an email: ${out}`);
      seen.add(out);
    }
    expect(seen.size).toBe(200_000);
  });

  it('writes tok_<16 base32>@example.invalid for an email', () => {
    expect(token()('Jane.Doe@corp.example')).toMatch(/^tok_[a-z2-7]{16}@example\.invalid$/);
  });

  it('keeps the length of text of 16 to 32 characters, shortens longer text to 32, prefixes shorter text', () => {
    const t = token();
    expect(t('customer-000000123')).toMatch(/^[a-z2-7]{18}$/);
    expect(t('x'.repeat(32))).toMatch(/^[a-z2-7]{32}$/);
    expect(t('x'.repeat(200))).toMatch(/^[a-z2-7]{32}$/);
    expect(t('x'.repeat(200))).not.toBe(t('x'.repeat(201)));
    expect(t('Zoë Ł 中文 😀 and more text')!.length).toBe([...'Zoë Ł 中文 😀 and more text'].length);
    expect(t('abc')).toMatch(/^tok_[a-z2-7]{16}$/);
    expect(t('')).toMatch(/^tok_[a-z2-7]{16}$/);
  });

  it('is case-sensitive on text: different inputs never collapse', () => {
    const t = token();
    expect(t('Bob@Example.com')).not.toBe(t('bob@example.com'));
    expect(t('ABC')).not.toBe(t('abc'));
  });

  it('is case-insensitive on citext, as the column compares', () => {
    const t = token('citext');
    expect(t('Bob@Example.com')).toBe(t('bob@example.com'));
    expect(t('Bob@Example.com')).toBe(token()('bob@example.com'));
    expect(t('alice@example.com')).not.toBe(t('bob@example.com'));
  });

  it('ignores the padding of character(n), as the column compares', () => {
    expect(token('character(20)')('abc                 ')).toBe(token()('abc'));
  });

  it('writes a uuid into a uuid column, equal for equal uuids in any case', () => {
    const t = token('uuid');
    const out = t('5F0C6D1E-9A77-4C43-9A59-2F1D7F3F0B11');
    expect(out).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(t('5f0c6d1e-9a77-4c43-9a59-2f1d7f3f0b11')).toBe(out);
  });

  it('gives the same token inside json_path as in a column', () => {
    const j = createTransformer({ transform: 'json_path', options: { paths: ['$.email'] } }, KEY, col('jsonb'));
    expect(JSON.parse(j('{"email": "a@b.example"}')!)).toEqual({ email: token()('a@b.example') });
  });
});

describe('the documented derivation', () => {
  it('base32 follows RFC 4648 (lower case)', () => {
    const vectors: [string, string][] = [
      ['f', 'my'],
      ['fo', 'mzxq'],
      ['foo', 'mzxw6'],
      ['foob', 'mzxw6yq'],
      ['fooba', 'mzxw6ytb'],
      ['foobar', 'mzxw6ytboi'],
    ];
    for (const [input, output] of vectors) expect(toBase32(Buffer.from(input), output.length)).toBe(output);
  });

  it('token = tok_ + base32(HMAC-SHA256(key, "lifeboat/token/v1" NUL input)), recomputable with any HMAC tool', () => {
    const mac = (input: string) => createHmac('sha256', KEY.reveal()).update(`lifeboat/token/v1\0${input}`).digest();
    const b32 = (bytes: Buffer, n: number) => {
      let bits = '';
      for (const b of bytes) bits += b.toString(2).padStart(8, '0');
      return Array.from(
        { length: n },
        (_, i) => 'abcdefghijklmnopqrstuvwxyz234567'[parseInt(bits.slice(i * 5, i * 5 + 5), 2)],
      ).join('');
    };
    expect(token()('jane@corp.example')).toBe(`tok_${b32(mac('jane@corp.example'), 16)}@example.invalid`);
    expect(token()('abc')).toBe(`tok_${b32(mac('abc'), 16)}`);
    expect(token()('a-long-customer-reference')).toBe(b32(mac('a-long-customer-reference'), 25));
    const hash = createTransformer({ transform: 'hash' }, KEY, col('text'));
    expect(hash('abc')).toBe(createHmac('sha256', KEY.reveal()).update('lifeboat/hash/v1\0abc').digest('hex'));
  });
});

describe('hash', () => {
  it('writes 64 hex characters, distinct per input, case-folded on citext only', () => {
    const h = createTransformer({ transform: 'hash' }, KEY, col('text'));
    const ci = createTransformer({ transform: 'hash' }, KEY, col('citext'));
    expect(h('a')).toMatch(/^[0-9a-f]{64}$/);
    expect(h('A')).not.toBe(h('a'));
    expect(ci('A')).toBe(ci('a'));
  });
});

describe('the ASCII fast path', () => {
  // What the stream hands the fast path: printable and control ASCII without a backslash, with
  // emails and near-emails (no @, two @, @ at either end, white space around) well represented.
  function asciiValue(rng: Rng): string {
    const pieces = ['@', '@', ' ', '\t', '\x0b', '\r', '.', 'a', 'Z', '0', '-', '_', 'x@y.z', '\x01', '\x7f'];
    const n = rng.int(rng.chance(0.2) ? 300 : 40);
    let s = '';
    for (let i = 0; i < n; i++) {
      s += rng.chance(0.3) ? rng.pick(pieces) : String.fromCharCode(0x20 + rng.int(0x5f)).replace('\\', '/');
    }
    return s;
  }

  for (const transform of ['token', 'hash'] as const) {
    it(`${transform}: gives what the string path gives, on 50,000 ASCII values`, () => {
      const t = createTransformer({ transform }, KEY, col('text'));
      expect(t.ascii).toBeDefined();
      const rng = new Rng(0xa5c11);
      const fixed = ['', 'a', 'a@b', '@b', 'a@', 'a@@b', 'a @b', 'jane@corp.example', 'x'.repeat(16), 'x'.repeat(15)];
      const values = [...fixed, ...Array.from({ length: 50_000 }, () => asciiValue(rng))];
      for (const v of values) {
        // at an offset inside a larger buffer, as in a COPY chunk
        const buf = Buffer.from(`id\t${v}\tnext\n`, 'latin1');
        const got = t.ascii!(buf, 3, 3 + v.length);
        if (got !== t(v)) throw new Error(`${transform} differs on ${JSON.stringify(v)}: ${got} vs ${t(v)}`);
      }
    });
  }

  it('is not offered where the value is not the seed (citext, character(n)) nor for uuid', () => {
    expect(createTransformer({ transform: 'token' }, KEY, col('citext')).ascii).toBeUndefined();
    expect(createTransformer({ transform: 'token' }, KEY, col('character(8)')).ascii).toBeUndefined();
    expect(createTransformer({ transform: 'token' }, KEY, col('uuid')).ascii).toBeUndefined();
    expect(createTransformer({ transform: 'hash' }, KEY, col('citext')).ascii).toBeUndefined();
  });
});
