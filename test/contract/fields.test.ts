// The field types of the request schemas (src/contract/fields.ts): what each accepts, exactly.
import { describe, expect, it } from 'vitest';
import { backupId, catalogName, freeText, line, queryBoolean, queryInt, runId } from '../../src/contract/fields.js';
import { quoteInput } from '../../src/errors.js';

const verdicts = (schema: { safeParse(v: unknown): { success: boolean; data?: unknown } }, values: unknown[]) =>
  values.map((v) => {
    const r = schema.safeParse(v);
    return r.success ? r.data : 'refused';
  });

describe('request field types', () => {
  it('reads a run id as a positive decimal number only', () => {
    expect(
      verdicts(runId, [
        '1',
        '42',
        '9007199254740991',
        '9007199254740992',
        '0',
        '01',
        '0x2',
        '1e3',
        '+1',
        ' 1',
        '-1',
        '1.0',
        '',
        2,
      ]),
    ).toEqual([
      1,
      42,
      9007199254740991,
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
    ]);
  });

  it('reads a query integer as decimal digits within its range', () => {
    expect(
      verdicts(queryInt(1, 500), ['1', '500', '501', '0', '00', '05', '0x5', '5e1', '5.0', ' 5', '', 'Infinity']),
    ).toEqual([
      1,
      500,
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
    ]);
    expect(verdicts(queryInt(0, 60), ['0', '60'])).toEqual([0, 60]);
  });

  it('reads a query boolean from true/1 and false/0 only', () => {
    expect(verdicts(queryBoolean, ['true', '1', 'false', '0', 'yes', 'False', '', 'on', true])).toEqual([
      true,
      true,
      false,
      false,
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
    ]);
  });

  it('takes catalog names as lifeboat.yaml defines them', () => {
    expect(
      verdicts(catalogName('database'), [
        'CustomerDB',
        'a',
        'dev-pg01',
        'a.b_c',
        'x'.repeat(63),
        'x'.repeat(64),
        '1db',
        '',
        'a b',
        'a\u0000',
        'é',
        '../x',
      ]),
    ).toEqual([
      'CustomerDB',
      'a',
      'dev-pg01',
      'a.b_c',
      'x'.repeat(63),
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
    ]);
  });

  it('takes backup ids as Lifeboat and other tools make them', () => {
    expect(
      verdicts(backupId, [
        '20240601T020000Z-1a2b',
        '20240601-020000F',
        'x'.repeat(64),
        'x'.repeat(65),
        '',
        '-x',
        'a/b',
        'a\u0000',
      ]),
    ).toEqual([
      '20240601T020000Z-1a2b',
      '20240601-020000F',
      'x'.repeat(64),
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
    ]);
  });

  it('keeps control and format characters out of a line, and line breaks in free text', () => {
    const shown = [
      'dev-pg01/Ünï 😀',
      "it's",
      '',
      'a\u0000b',
      'a\nb',
      'a\u200Bb',
      'a\u202Eb',
      'a\uD800b',
      'x'.repeat(21),
    ];
    expect(verdicts(line(20), shown)).toEqual([
      'dev-pg01/Ünï 😀',
      "it's",
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
    ]);
    expect(verdicts(freeText(20), [...shown, 'a\tb\r\nc', '👩‍👩‍👧'])).toEqual([
      'dev-pg01/Ünï 😀',
      "it's",
      '',
      'refused',
      'a\nb',
      'a\u200Bb',
      'refused',
      'refused',
      'refused',
      'a\tb\r\nc',
      '👩‍👩‍👧',
    ]);
  });

  it('quotes user input in messages cut at 64 characters, control characters escaped', () => {
    expect(quoteInput('CustomerDB')).toBe('"CustomerDB"');
    expect(quoteInput('a\u0000"b')).toBe('"a\\u0000\\"b"');
    expect(quoteInput('😀'.repeat(100))).toBe(`"${'😀'.repeat(64)}…"`);
    expect(quoteInput('x'.repeat(1_000_000), 10)).toBe(`"${'x'.repeat(10)}…"`);
  });
});
