// Every keyed transform is a function of (key, input) only: the same key and input give the same
// output from two separately built transformers and in two different tables (so joins survive),
// another key gives another output, and NULL stays NULL (except fixed and null).
import { describe, expect, it } from 'vitest';
import { createTransformer, type RuleSpec } from '../../src/masking/transformers/index.js';
import { col, KEY, OTHER_KEY } from './helpers.js';

const CASES: [RuleSpec, string, string][] = [
  [{ transform: 'email' }, 'text', 'jane.doe@corp.example'],
  [{ transform: 'name' }, 'text', 'Jane Doe'],
  [{ transform: 'first_name' }, 'text', 'Jane'],
  [{ transform: 'last_name' }, 'character varying', 'Doe'],
  [{ transform: 'phone' }, 'text', '+44 20 7946 0958'],
  [{ transform: 'address' }, 'text', '221B Baker Street, London'],
  [{ transform: 'token' }, 'text', 'jane.doe@corp.example'],
  [{ transform: 'token' }, 'text', 'customer-000123'],
  [{ transform: 'token' }, 'uuid', '5f0c6d1e-9a77-4c43-9a59-2f1d7f3f0b11'],
  [{ transform: 'hash' }, 'text', 'jane.doe@corp.example'],
  [{ transform: 'date_shift' }, 'date', '1984-02-29'],
  [{ transform: 'number_noise' }, 'numeric', '1234.56'],
  [{ transform: 'json_path', options: { paths: ['$.email'] } }, 'jsonb', '{"email": "jane@corp.example"}'],
];

describe.each(CASES)('%j on %s', (rule, type, input) => {
  it('is deterministic across builds and tables', () => {
    const a = createTransformer(rule, KEY, { ...col(type), table: 'public.customers', name: 'a' });
    const b = createTransformer(rule, KEY, { ...col(type), table: '"Sales Dept"."Order"', name: 'b' });
    const out = a(input);
    expect(out).not.toBeNull();
    expect(out).not.toBe(input);
    expect(b(input)).toBe(out);
    expect(a(input)).toBe(out);
  });

  it('changes with the key', () => {
    const a = createTransformer(rule, KEY, col(type));
    const b = createTransformer(rule, OTHER_KEY, col(type));
    expect(b(input)).not.toBe(a(input));
  });

  it('keeps NULL', () => {
    expect(createTransformer(rule, KEY, col(type))(null)).toBeNull();
  });
});

describe('NULL handling of the keyless transforms', () => {
  it('fixed writes its value for NULL too, null writes NULL for everything', () => {
    expect(createTransformer({ transform: 'fixed', options: { value: 'n/a' } }, undefined, col('text'))(null)).toBe(
      'n/a',
    );
    expect(createTransformer({ transform: 'null' }, undefined, col('text'))('x')).toBeNull();
    expect(createTransformer({ transform: 'redact' }, undefined, col('text'))(null)).toBeNull();
    expect(
      createTransformer({ transform: 'regex_replace', options: { pattern: '.' } }, undefined, col('text'))(null),
    ).toBeNull();
  });
});
