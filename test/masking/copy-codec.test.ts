// The COPY text codec: exact round trips over generated values (≥ 100,000), decoding of the
// escape forms PostgreSQL accepts (octal, hex, letter escapes, escaped delimiters), and the
// encodings PostgreSQL itself produces, written out by hand.
import { describe, expect, it } from 'vitest';
import { decodeField, decodeFieldBytes, decodeRow, encodeField, encodeRow } from '../../src/masking/copy-codec.js';
import { randomValue, Rng } from './generators.js';

describe('COPY codec round trip (property)', () => {
  it('decodeField(encodeField(v)) === v for 120,000 generated values', () => {
    const rng = new Rng(20240607);
    for (let i = 0; i < 120_000; i++) {
      const v = randomValue(rng);
      const raw = encodeField(v);
      // an encoded field never holds a raw delimiter or line end, so rows can be split on bytes
      if (/[\t\n\r]/.test(raw)) throw new Error(`case ${i}: raw delimiter in ${JSON.stringify(raw)}`);
      const back = decodeField(raw);
      if (back !== v)
        throw new Error(`case ${i}: ${JSON.stringify(v)} → ${JSON.stringify(raw)} → ${JSON.stringify(back)}`);
      const bytes = Buffer.from(`x\t${raw}\ty`, 'utf8');
      const fromBytes = decodeFieldBytes(bytes, 2, bytes.length - 2);
      if (fromBytes !== v) throw new Error(`case ${i}: bytes decode gave ${JSON.stringify(fromBytes)}`);
    }
  });

  it('decodeRow(encodeRow(row)) equals the row for 20,000 generated rows', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 20_000; i++) {
      const row = Array.from({ length: 1 + rng.int(8) }, () => randomValue(rng));
      const line = encodeRow(row);
      expect(line.includes('\n')).toBe(false);
      const back = decodeRow(line);
      if (JSON.stringify(back) !== JSON.stringify(row)) {
        throw new Error(`row ${i}: ${JSON.stringify(row)} → ${JSON.stringify(line)} → ${JSON.stringify(back)}`);
      }
    }
  });
});

describe('encodeField', () => {
  it.each([
    [null, '\\N'],
    ['', ''],
    ['\\N', '\\\\N'],
    ['\\.', '\\\\.'],
    ['a\tb', 'a\\tb'],
    ['line1\nline2\r\n', 'line1\\nline2\\r\\n'],
    ['\b\f\v', '\\b\\f\\v'],
    ['back\\slash', 'back\\\\slash'],
    // other control characters and DEL travel raw, as PostgreSQL writes them
    ['\x01\x1f\x7f', '\x01\x1f\x7f'],
    ['Zoë 中文 😀', 'Zoë 中文 😀'],
    ['{a,"b c",NULL}', '{a,"b c",NULL}'],
    ['{"x\\"y"}', '{"x\\\\"y"}'],
    ['{"k": "a\\nb"}', '{"k": "a\\\\nb"}'],
  ])('%j → %j', (value, raw) => {
    expect(encodeField(value)).toBe(raw);
  });

  it('keeps the character after an escaped \\N (the peer-tool bug)', () => {
    expect(encodeField('\\Nx')).toBe('\\\\Nx');
    expect(encodeField('\\N\\N')).toBe('\\\\N\\\\N');
    expect(encodeField('a\\N\tb')).toBe('a\\\\N\\tb');
    expect(decodeField(encodeField('\\N\\N'))).toBe('\\N\\N');
  });
});

describe('decodeField on the escape forms PostgreSQL accepts', () => {
  it.each([
    ['\\N', null],
    ['\\\\N', '\\N'],
    ['\\NX', 'NX'], // not the NULL marker: \N is only NULL as the whole field
    ['', ''],
    ['\\.', '.'],
    ['\\\\.', '\\.'],
    ['\\b\\f\\n\\r\\t\\v\\\\', '\b\f\n\r\t\v\\'],
    ['\\101\\102', 'AB'], // octal, three digits
    ['\\1018', 'A8'], // at most three octal digits
    ['\\7', '\x07'], // one digit
    ['\\12x', '\nx'], // two digits
    ['\\400', '\u0000'], // \400 & 0xFF = 0: kept as a NUL byte
    ['\\x41\\x4a', 'AJ'], // hex, two digits
    ['\\x4g', '\x04g'], // one hex digit
    ['\\xg', 'xg'], // \x without a hex digit is the letter x
    ['\\303\\251', 'é'], // octal escapes forming one two-byte UTF-8 character
    ['\\xc3\\xa9t\\xc3\\xa9', 'été'], // hex escapes forming multibyte characters
    ['\\346\\226\\207', '文'],
    ['\\xf0\\x9f\\x98\\x80', '😀'],
    ['\\q\\"\\,', 'q",'], // any other escaped character is itself
    ['a\\', 'a'], // a trailing lone backslash is dropped
  ])('%j → %j', (raw, value) => {
    expect(decodeField(raw)).toBe(value);
  });

  it('refuses escapes that do not form UTF-8, naming no value', () => {
    expect(() => decodeField('\\xff')).toThrowError('unable to decode a COPY field: its bytes are not valid UTF-8');
  });
});

describe('decodeRow', () => {
  it.each([
    ['1\t\\N\t', ['1', null, '']],
    ['\\N\t\\\\N\tN', [null, '\\N', 'N']],
    ['a\\tb\tc', ['a\tb', 'c']],
    ['a\\\tb', ['a\tb']], // an escaped raw tab is data, not a delimiter
    ['a\\\\\tb', ['a\\', 'b']], // an escaped backslash before a delimiter
    ['', ['']],
    ['\t', ['', '']],
    ['{a,"b c",NULL}\t{"k": "v\\\\n"}', ['{a,"b c",NULL}', '{"k": "v\\n"}']],
  ])('%j → %j', (line, row) => {
    expect(decodeRow(line)).toEqual(row);
  });

  it('encodeRow writes NULL, empty and the text \\N apart', () => {
    expect(encodeRow([null, '', '\\N', 'x'])).toBe('\\N\t\t\\\\N\tx');
  });
});
