// The keyless transforms: null, fixed, redact (length and shape kept) and regex_replace.
import { describe, expect, it } from 'vitest';
import { createTransformer } from '../../src/masking/transformers/index.js';
import { col } from './helpers.js';

describe('redact', () => {
  const r = createTransformer({ transform: 'redact' }, undefined, col('text'));
  it.each([
    ["Jane O'Neil, 42", "Xxxx X'Xxxx, 00"],
    ['+44 (20) 7946-0958', '+00 (00) 0000-0000'],
    ['Zoë Łukasz 中文', 'Xxx Xxxxxx xx'],
    ['𝒜 😀 ٣', 'X 😀 0'],
    ['', ''],
    ['\\N\t', '\\X\t'],
  ])('%j → %j', (input, output) => {
    expect(r(input)).toBe(output);
    expect([...r(input)!].length).toBe([...input].length);
  });
});

describe('fixed', () => {
  it.each([
    [{ value: 'n/a' }, 'n/a'],
    [{ value: 0 }, '0'],
    [{ value: false }, 'false'],
    [{ value: null }, null],
  ])('%j writes %j for every value', (options, out) => {
    const f = createTransformer({ transform: 'fixed', options }, undefined, col('text'));
    expect(f('anything')).toBe(out);
    expect(f(null)).toBe(out);
  });
});

describe('regex_replace', () => {
  it('replaces every match by default, with group references', () => {
    const r = createTransformer(
      { transform: 'regex_replace', options: { pattern: '(\\w+)@(\\w+)', replacement: 'user@$2' } },
      undefined,
      col('text'),
    );
    expect(r('mail jane@corp or bob@home')).toBe('mail user@corp or user@home');
  });

  it('takes flags', () => {
    const r = createTransformer(
      { transform: 'regex_replace', options: { pattern: 'SECRET', flags: 'i' } },
      undefined,
      col('text'),
    );
    expect(r('a secret and a Secret')).toBe('a  and a Secret');
  });
});

describe('null', () => {
  it('writes NULL', () => {
    expect(createTransformer({ transform: 'null' }, undefined, col('integer'))('42')).toBeNull();
  });
});
