// The realistic fakes: names from the word lists, unique-looking valid emails, phone numbers that
// keep their shape, plausible addresses — and the same fake for the same person in every column.
import { describe, expect, it } from 'vitest';
import { createTransformer } from '../../src/masking/transformers/index.js';
import { FIRST_NAMES, LAST_NAMES } from '../../src/masking/transformers/words.js';
import { col, KEY } from './helpers.js';

const make = (transform: 'name' | 'first_name' | 'last_name' | 'email' | 'phone' | 'address', options = {}) =>
  createTransformer({ transform, options }, KEY, col('text'));

describe('name fakes', () => {
  it('draw first and last names from the lists, and agree on the person', () => {
    const full = make('name')('Jane Doe')!;
    const [first, last] = full.split(' ');
    expect(FIRST_NAMES).toContain(first);
    expect(LAST_NAMES).toContain(last);
    expect(make('first_name')('Jane Doe')).toBe(first);
    expect(make('last_name')('Jane Doe')).toBe(last);
  });

  it('spread over the lists', () => {
    const n = make('first_name');
    const seen = new Set(Array.from({ length: 2000 }, (_, i) => n(`person ${i}`)));
    expect(seen.size).toBeGreaterThan(FIRST_NAMES.length * 0.9);
  });
});

describe('email fake', () => {
  it('writes first.last.<16 base32>@example.com, lower case', () => {
    expect(make('email')('Jane.Doe@Corp.example')).toMatch(/^[a-z]+\.[a-z]+\.[a-z2-7]{16}@example\.com$/);
  });

  it('takes its domain from the options', () => {
    expect(make('email', { domain: 'mask.test' })('a@b.c')).toMatch(/@mask\.test$/);
  });

  it('keeps 50,000 distinct inputs distinct', () => {
    const e = make('email');
    expect(new Set(Array.from({ length: 50_000 }, (_, i) => e(`u${i}@x.example`))).size).toBe(50_000);
  });
});

describe('phone fake', () => {
  it.each(['+44 20 7946 0958', '(555) 123-4567', '020-7946-0958', '+1.212.555.0100', '0612345678'])(
    'keeps the shape of %s',
    (input) => {
      const out = make('phone')(input)!;
      expect(out.replace(/\d/g, '9')).toBe(input.replace(/\d/g, '9'));
      expect(out).not.toBe(input);
    },
  );

  it('keeps a leading non-zero digit non-zero', () => {
    const p = make('phone');
    for (let i = 0; i < 500; i++) expect(p(`+${1000000 + i}`)![1]).not.toBe('0');
  });

  it('writes a fictional 555-01xx number for values with fewer than 4 digits', () => {
    expect(make('phone')('n/a')).toMatch(/^555-01\d\d$/);
    expect(make('phone')('ext 12')).toMatch(/^555-01\d\d$/);
  });
});

describe('address fake', () => {
  it('writes <number> <street> <suffix>, <city>', () => {
    expect(make('address')('221B Baker Street, London NW1 6XE')).toMatch(
      /^\d{1,4} [A-Z][a-z]+ [A-Z][a-z]+, [A-Z][a-z]+( [A-Z][a-z]+)?$/,
    );
  });
});
