// Deterministic tokens for identifiers and join keys: with the database's masking key, equal
// inputs give equal tokens in every table and every run (foreign keys and joins survive), and
// distinct inputs give distinct tokens (at least 80 bits of HMAC each, so a UNIQUE column stays
// unique: the chance of any collision among a billion values is about 2^-21). The format is
// kept where it matters to constraints and applications: an email stays a valid email, a uuid a
// uuid, and text keeps its length when it is long enough to carry 80 bits (up to 32 characters).
import { typeFamily } from '../column.js';
import { type AsciiTransformer, type TransformContext, requireKey, type ValueTransformer } from './context.js';
import { domainPrefix, seedIsValue, seeder, toBase32 } from './keyed.js';

const TOKEN = 'lifeboat/token/v1';
const HASH = 'lifeboat/hash/v1';
const TOKEN_BYTES = domainPrefix(TOKEN);
const HASH_BYTES = domainPrefix(HASH);

/** base32 characters in every token: 16 × 5 = 80 bits. */
export const TOKEN_CHARS = 16;
/**
 * Longer text keeps its length up to this many characters, and is shortened to it beyond:
 * a free-text column's token carries no more meaning at 300 characters than at 32, and each
 * 52 characters cost another HMAC per value (free text is often the largest column).
 */
export const LONG_TOKEN_CHARS = 32;
export const TOKEN_PREFIX = 'tok_';
export const TOKEN_EMAIL_DOMAIN = 'example.invalid';
/** A short value's token: `tok_` and 16 characters. */
export const SHORT_TOKEN_LENGTH = TOKEN_PREFIX.length + TOKEN_CHARS;
/** An email's token: `tok_<16>@example.invalid`. */
export const EMAIL_TOKEN_LENGTH = SHORT_TOKEN_LENGTH + 1 + TOKEN_EMAIL_DOMAIN.length;
export const HASH_LENGTH = 64;

const EMAIL = /^[^@\s]+@[^@\s]+$/;

export function tokenTransformer(ctx: TransformContext): ValueTransformer {
  const keyed = requireKey(ctx);
  const column = ctx.column;
  const seedOf = seeder(column);
  if (typeFamily(column.type) === 'uuid') {
    return (value) => (value === null ? null : uuidFrom(keyed.bytes(TOKEN, value.toLowerCase(), 16)));
  }
  const token: ValueTransformer = (value) => {
    if (value === null) return null;
    const seed = seedOf(value);
    const isEmail = EMAIL.test(seed);
    // PostgreSQL measures varchar(n) in characters, so length is counted in code points
    const length = isEmail ? 0 : codePoints(seed);
    return layToken(keyed.base32(TOKEN, seed, tokenChars(isEmail, length)), isEmail, length);
  };
  if (!seedIsValue(column)) return token;
  // The same, straight from ASCII bytes: one character per byte, hashed as they are.
  const ascii: AsciiTransformer = (buf, start, end) => {
    const isEmail = isAsciiEmail(buf, start, end);
    const length = end - start;
    const digest = keyed.digestRangeScratch(TOKEN_BYTES, buf, start, end);
    return layToken(toBase32(digest, tokenChars(isEmail, length)), isEmail, length);
  };
  return Object.assign(token, { ascii });
}

/** How many base32 characters a token has: 16, or a long text's own length up to 32. */
function tokenChars(isEmail: boolean, length: number): number {
  return !isEmail && length >= TOKEN_CHARS ? Math.min(length, LONG_TOKEN_CHARS) : TOKEN_CHARS;
}

/** What goes around a token's characters: an email's form, or the prefix of a short value's. */
function layToken(chars: string, isEmail: boolean, length: number): string {
  if (isEmail) return `${TOKEN_PREFIX}${chars}@${TOKEN_EMAIL_DOMAIN}`;
  return length >= TOKEN_CHARS ? chars : TOKEN_PREFIX + chars;
}

/** EMAIL.test on ASCII bytes: one `@` with something on both sides, and no white space. */
function isAsciiEmail(buf: Uint8Array, start: number, end: number): boolean {
  let at = -1;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b === 0x40) {
      if (at >= 0) return false;
      at = i;
    } else if (b === 0x20 || (b >= 0x09 && b <= 0x0d)) {
      return false;
    }
  }
  return at > start && at < end - 1;
}

/** Hex HMAC-SHA256: 256 bits, for columns where any opaque unique text will do. */
export function hashTransformer(ctx: TransformContext): ValueTransformer {
  const keyed = requireKey(ctx);
  const column = ctx.column;
  const seedOf = seeder(column);
  const hash: ValueTransformer = (value) =>
    value === null ? null : keyed.digestScratch(HASH, seedOf(value)).toString('hex');
  if (!seedIsValue(column)) return hash;
  const ascii: AsciiTransformer = (buf, start, end) =>
    keyed.digestRangeScratch(HASH_BYTES, buf, start, end).toString('hex');
  return Object.assign(hash, { ascii });
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // a high surrogate and its low surrogate are one character
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** A version-8 (custom) RFC 9562 uuid from 16 bytes: 122 bits of the HMAC survive. */
function uuidFrom(b: Buffer): string {
  const u = Buffer.from(b);
  u[6] = (u[6]! & 0x0f) | 0x80;
  u[8] = (u[8]! & 0x3f) | 0x80;
  const h = u.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
