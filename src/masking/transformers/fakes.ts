// Realistic fakes (names, emails, phone numbers, addresses) for columns that people read: the
// same input always gives the same fake (keyed, so the same customer is "Ava Novak" in every
// table and every run with this key), drawn from the word lists in words.ts.
import { type TransformContext, requireKey, stringOption, type ValueTransformer } from './context.js';
import { type Keyed, pick, seeder, toBase32, uint32 } from './keyed.js';
import { CITIES, FIRST_NAMES, LAST_NAMES, longest, STREET_NAMES, STREET_SUFFIXES } from './words.js';

// One domain for the person, whichever part of the name is asked for: name(x) and first_name(x)
// describe the same fake person.
const PERSON = 'lifeboat/person/v1';
const ADDRESS = 'lifeboat/address/v1';
const PHONE = 'lifeboat/phone/v1';

/** 80 bits in the local part: distinct inputs give distinct fake emails (a unique column stays unique). */
export const EMAIL_SUFFIX_CHARS = 16;
export const DEFAULT_EMAIL_DOMAIN = 'example.com';

function person(keyed: Keyed, seed: string): { first: string; last: string; d: Buffer } {
  const d = keyed.digest(PERSON, seed);
  return { first: pick(FIRST_NAMES, d, 0), last: pick(LAST_NAMES, d, 4), d };
}

export function nameTransformer(ctx: TransformContext, part: 'name' | 'first_name' | 'last_name'): ValueTransformer {
  const keyed = requireKey(ctx);
  const column = ctx.column;
  const seedOf = seeder(column);
  return (value) => {
    if (value === null) return null;
    const p = person(keyed, seedOf(value));
    return part === 'first_name' ? p.first : part === 'last_name' ? p.last : `${p.first} ${p.last}`;
  };
}

export function emailTransformer(ctx: TransformContext): ValueTransformer {
  const keyed = requireKey(ctx);
  const domain = stringOption(ctx, 'domain', DEFAULT_EMAIL_DOMAIN);
  const column = ctx.column;
  const seedOf = seeder(column);
  return (value) => {
    if (value === null) return null;
    const p = person(keyed, seedOf(value));
    // the suffix comes from bytes the name did not use (8…17), so it adds its full 80 bits
    const suffix = toBase32(p.d.subarray(8, 18), EMAIL_SUFFIX_CHARS);
    return `${p.first}.${p.last}.${suffix}@${domain}`.toLowerCase();
  };
}

export function emailMaxLength(domain = DEFAULT_EMAIL_DOMAIN): number {
  return longest(FIRST_NAMES) + longest(LAST_NAMES) + EMAIL_SUFFIX_CHARS + 3 + domain.length;
}

export const NAME_MAX_LENGTH = {
  name: longest(FIRST_NAMES) + 1 + longest(LAST_NAMES),
  first_name: longest(FIRST_NAMES),
  last_name: longest(LAST_NAMES),
};

/**
 * The phone's shape is kept (a leading +, spaces, dashes, brackets, the number of digits) so
 * formats and CHECK constraints still hold; every digit is replaced. A value with fewer than 4
 * digits is not a phone number we can shape, so it becomes a fictional 555-01xx number.
 */
export const PHONE_MIN_LENGTH = 8;

export function phoneTransformer(ctx: TransformContext): ValueTransformer {
  const keyed = requireKey(ctx);
  const column = ctx.column;
  const seedOf = seeder(column);
  return (value) => {
    if (value === null) return null;
    const seed = seedOf(value);
    let digits = 0;
    for (let i = 0; i < value.length; i++) if (isDigit(value.charCodeAt(i))) digits++;
    if (digits < 4) {
      const d = keyed.digest(PHONE, seed);
      return `555-01${String(uint32(d) % 100).padStart(2, '0')}`;
    }
    const d = keyed.bytes(PHONE, seed, digits);
    let out = '';
    let k = 0;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (!isDigit(c)) {
        out += value[i];
        continue;
      }
      // keep a leading non-zero digit non-zero: a leading 0 reads as a trunk prefix
      const digit = k === 0 && c !== 0x30 ? 1 + (d[k]! % 9) : d[k]! % 10;
      out += String(digit);
      k++;
    }
    return out;
  };
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function addressTransformer(ctx: TransformContext): ValueTransformer {
  const keyed = requireKey(ctx);
  const column = ctx.column;
  const seedOf = seeder(column);
  return (value) => {
    if (value === null) return null;
    const d = keyed.digest(ADDRESS, seedOf(value));
    const number = 1 + (uint32(d, 0) % 9999);
    return `${number} ${pick(STREET_NAMES, d, 4)} ${pick(STREET_SUFFIXES, d, 8)}, ${pick(CITIES, d, 12)}`;
  };
}

export const ADDRESS_MAX_LENGTH = 4 + 1 + longest(STREET_NAMES) + 1 + longest(STREET_SUFFIXES) + 2 + longest(CITIES);
