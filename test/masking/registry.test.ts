// createTransformer refuses a misconfigured rule when the plan is built, naming the rule, the
// column and what to fix — never half-way through a restore.
import { describe, expect, it } from 'vitest';
import { LifeboatError } from '../../src/errors.js';
import { Secret } from '../../src/lib/secret.js';
import { createTransformer, type RuleSpec, transformNeedsKey } from '../../src/masking/transformers/index.js';
import { col, KEY } from './helpers.js';

function errorOf(rule: RuleSpec, key: Secret | undefined, type = 'text'): LifeboatError {
  try {
    createTransformer(rule, key, col(type));
  } catch (err) {
    return err as LifeboatError;
  }
  throw new Error('expected an error');
}

describe('createTransformer refuses', () => {
  it.each<[RuleSpec, Secret | undefined, string]>([
    [{ transform: 'token' }, undefined, 'rule public.customers.c (token): transform token needs the masking key'],
    [{ transform: 'name' }, undefined, 'rule public.customers.c (name): transform name needs the masking key'],
    [
      { transform: 'date_shift' },
      undefined,
      'rule public.customers.c (date_shift): transform date_shift needs the masking key',
    ],
    [
      { transform: 'json_path', options: { paths: ['$.a'] } },
      undefined,
      'rule public.customers.c $.a (token): transform token needs the masking key',
    ],
    [{ transform: 'token' }, new Secret('', 'env:EMPTY'), 'the masking key (env:EMPTY) is empty'],
    [{ transform: 'fixed' }, undefined, 'rule public.customers.c (fixed): option value is required'],
    [
      { transform: 'fixed', options: { value: [1] } },
      undefined,
      'rule public.customers.c (fixed): option value must be a string, a number, a boolean or null',
    ],
    [{ transform: 'regex_replace' }, undefined, 'rule public.customers.c (regex_replace): option pattern is required'],
    [
      { transform: 'regex_replace', options: { pattern: '(' } },
      undefined,
      'rule public.customers.c (regex_replace): option pattern is not a valid regular expression (Invalid regular expression: /(/g: Unterminated group)',
    ],
    [
      { transform: 'regex_replace', options: { pattern: 'a', flags: 'x' } },
      undefined,
      'rule public.customers.c (regex_replace): option flags may only hold g, i, m, s, u and y',
    ],
    [
      { transform: 'date_shift', options: { days: 0 } },
      KEY,
      'rule public.customers.c (date_shift): option days must be a number from 1 to 36500',
    ],
    [
      { transform: 'number_noise', options: { percent: '5' } },
      KEY,
      'rule public.customers.c (number_noise): option percent must be a number from 0 to 100',
    ],
    [
      { transform: 'email', options: { domain: 3 } },
      KEY,
      'rule public.customers.c (email): option domain must be a string',
    ],
    [
      { transform: 'json_path' },
      KEY,
      'rule public.customers.c (json_path): option paths must be a non-empty list of JSON paths',
    ],
    [
      { transform: 'json_path', options: { paths: ['a.b'] } },
      KEY,
      'rule public.customers.c (json_path): path a.b must start with $',
    ],
    [
      { transform: 'json_path', options: { paths: ['$.a..b'] } },
      KEY,
      "rule public.customers.c (json_path): path $.a..b is not a simple JSON path (use $.a.b, $.a[*], $.a[0], $['a b'])",
    ],
    [
      { transform: 'json_path', options: { paths: ['$.a'], transform: 'json_path' } },
      KEY,
      'rule public.customers.c (json_path): option transform must be a transform other than json_path',
    ],
    [
      { transform: 'json_path', options: { paths: [{ path: '$.a', transform: 'fixed' }] } },
      KEY,
      'rule public.customers.c $.a (fixed): option value is required',
    ],
  ])('%j', (rule, key, message) => {
    const err = errorOf(rule, key);
    expect(err).toBeInstanceOf(LifeboatError);
    expect(err.message).toBe(message);
    expect(err.code).toBe('config_invalid');
  });
});

describe('transformNeedsKey', () => {
  it.each<[RuleSpec, boolean]>([
    [{ transform: 'token' }, true],
    [{ transform: 'email' }, true],
    [{ transform: 'number_noise' }, true],
    [{ transform: 'redact' }, false],
    [{ transform: 'fixed', options: { value: 'x' } }, false],
    [{ transform: 'json_path', options: { paths: ['$.a'] } }, true],
    [{ transform: 'json_path', options: { paths: ['$.a'], transform: 'redact' } }, false],
    [
      { transform: 'json_path', options: { paths: ['$.a', { path: '$.b', transform: 'hash' }], transform: 'redact' } },
      true,
    ],
  ])('%j → %s', (rule, needs) => {
    expect(transformNeedsKey(rule)).toBe(needs);
  });
});
