// Keyed derivation: every deterministic fake and token is a function of HMAC-SHA256(key, domain,
// input). The domain names the transform family and never the table or column, which is what
// makes the same person mask to the same fake in every table (joins survive), while without the
// key nobody can recompute the mapping — not even for small input spaces like dates or phone
// numbers, where an unkeyed hash would be reversed by trying every candidate.
import { LifeboatError } from '../../errors.js';
import type { Secret } from '../../lib/secret.js';
import { type ColumnInfo, isPaddedChar, typeFamily } from '../column.js';
import { HmacSha256 } from './hmac-sha256.js';

// RFC 4648 base32, lower case: tokens often land in case-insensitive places (emails, citext).
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export class Keyed {
  readonly #hmac: HmacSha256;
  readonly #scratch = Buffer.alloc(32);

  constructor(secret: Secret) {
    const raw = secret.reveal();
    if (raw.length === 0) {
      throw new LifeboatError('config_invalid', `the masking key (${secret.source}) is empty`, {
        hint: 'set masking.key to a long random value, e.g. the output of `openssl rand -base64 32`',
      });
    }
    this.#hmac = new HmacSha256(Buffer.from(raw, 'utf8'));
  }

  /**
   * HMAC-SHA256(key, domain ‖ 0x00 ‖ UTF-8 input): 32 bytes. The NUL separator keeps `domain` and
   * `input` from sliding into each other (PostgreSQL text never contains NUL).
   */
  digest(domain: string, input: string): Buffer {
    const out = Buffer.allocUnsafe(32);
    this.#hmac.digestString(`${domain}\0${input}`, out);
    return out;
  }

  /**
   * The same digest in a buffer owned by this Keyed and overwritten by the next call: for the hot
   * paths (token, hash) that consume it at once, a million allocations fewer per million rows.
   */
  digestScratch(domain: string, input: string): Buffer {
    this.#hmac.digestString(`${domain}\0${input}`, this.#scratch);
    return this.#scratch;
  }

  /**
   * `digestScratch(domain, value)` for a value held as ASCII bytes data[start, end) (so its UTF-8
   * is those bytes); `prefix` is `domainPrefix(domain)`.
   */
  digestRangeScratch(prefix: Uint8Array, data: Uint8Array, start: number, end: number): Buffer {
    this.#hmac.digestRange(prefix, data, start, end, this.#scratch);
    return this.#scratch;
  }

  /** `n` bytes: the digest, extended with counter blocks when more than 32 are needed. */
  bytes(domain: string, input: string, n: number): Buffer {
    const first = this.digest(domain, input);
    if (n <= first.length) return first.subarray(0, n);
    const blocks = [first];
    for (let i = 1; blocks.length * 32 < n; i++) blocks.push(this.digest(`${domain}#${i}`, input));
    return Buffer.concat(blocks).subarray(0, n);
  }

  /** `chars` characters of base32 (5 bits each) derived from the input. */
  base32(domain: string, input: string, chars: number): string {
    const bytes = Math.ceil((chars * 5) / 8);
    return toBase32(bytes <= 32 ? this.digestScratch(domain, input) : this.bytes(domain, input, bytes), chars);
  }
}

/** What `digest(domain, …)` hashes before the input: the domain and its NUL separator, as bytes. */
export function domainPrefix(domain: string): Uint8Array {
  return Buffer.from(`${domain}\0`, 'utf8');
}

export function toBase32(bytes: Uint8Array, chars: number): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  let i = 0;
  // ten bits (two characters) at a time through a 1024-entry table while they last
  while (out.length + 2 <= chars) {
    while (bits < 10) {
      acc = ((acc << 8) | bytes[i++]!) & 0xffffff;
      bits += 8;
    }
    bits -= 10;
    out += PAIRS[(acc >> bits) & 1023];
  }
  if (out.length < chars) {
    if (bits < 5) {
      acc = ((acc << 8) | bytes[i++]!) & 0xffffff;
      bits += 8;
    }
    out += BASE32[(acc >> (bits - 5)) & 31];
  }
  return out;
}

const PAIRS: readonly string[] = Array.from({ length: 1024 }, (_, v) => BASE32[v >> 5]! + BASE32[v & 31]!);

/** A uint32 from 4 bytes of a digest. */
export function uint32(d: Uint8Array, offset = 0): number {
  return ((d[offset]! << 24) | (d[offset + 1]! << 16) | (d[offset + 2]! << 8) | d[offset + 3]!) >>> 0;
}

/** A number in [0, 1) from 6 bytes of a digest (48 bits: plenty for noise). */
export function unitFraction(d: Uint8Array, offset = 0): number {
  let v = 0;
  for (let i = 0; i < 6; i++) v = v * 256 + d[offset + i]!;
  return v / 2 ** 48;
}

/** Picks an element; the modulo bias over 2^32 is below 1e-7 for our list sizes. */
export function pick<T>(list: readonly T[], d: Uint8Array, offset: number): T {
  return list[uint32(d, offset) % list.length]!;
}

/**
 * How a column's values become the text a keyed transform derives from: the value as the column
 * compares it. citext is case-insensitive, so `Bob@X.com` and `bob@x.com` are equal there — a join
 * or a foreign key matches them — and they must mask alike; character(n) ignores its padding the
 * same way. Everywhere else equality is exact and case-sensitive, and so is the seed: two
 * different inputs never collapse into one output. Built once per rule, not per value.
 */
export function seeder(column: Pick<ColumnInfo, 'type'>): (value: string) => string {
  if (seedIsValue(column)) return (v) => v;
  if (typeFamily(column.type) === 'citext') return (v) => v.toLowerCase();
  return (v) => v.replace(/ +$/, '');
}

/** True when the column's seeder is the identity: its values are compared exactly as they are. */
export function seedIsValue(column: Pick<ColumnInfo, 'type'>): boolean {
  return typeFamily(column.type) !== 'citext' && !isPaddedChar(column.type);
}
