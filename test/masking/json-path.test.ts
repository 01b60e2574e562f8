// json_path: masks what the paths select, leaf by leaf for containers, and writes everything
// else back losslessly (numbers keep their digits, duplicate keys and order survive).
import { describe, expect, it } from 'vitest';
import { createTransformer } from '../../src/masking/transformers/index.js';
import { parseJson, writeJson } from '../../src/masking/transformers/json-doc.js';
import { col, KEY } from './helpers.js';

const jp = (options: Record<string, unknown>, type = 'jsonb') =>
  createTransformer({ transform: 'json_path', options }, KEY, col(type));
const token = createTransformer({ transform: 'token' }, KEY, col('text'));

describe('json_path', () => {
  it('masks nested fields and array elements', () => {
    const f = jp({ paths: ['$.contact.email', '$.phones[*]'] });
    const out = JSON.parse(
      f('{"id": 7, "contact": {"email": "a@b.example", "city": "Paris"}, "phones": ["+33 1 23", "+33 4 56"]}')!,
    );
    expect(out).toEqual({
      id: 7,
      contact: { email: token('a@b.example'), city: 'Paris' },
      phones: [token('+33 1 23'), token('+33 4 56')],
    });
  });

  it('supports [n], [*].field, $.* and quoted keys', () => {
    const f = jp({ paths: ['$.orders[*].card', '$.list[1]', "$['odd key']"] });
    const out = JSON.parse(
      f('{"orders": [{"card": "4111"}, {"card": "5500", "x": 1}], "list": ["a", "b"], "odd key": "v"}')!,
    );
    expect(out).toEqual({
      orders: [{ card: token('4111') }, { card: token('5500'), x: 1 }],
      list: ['a', token('b')],
      'odd key': token('v'),
    });
    expect(JSON.parse(jp({ paths: ['$.*'] })('{"a": "x", "b": "y"}')!)).toEqual({ a: token('x'), b: token('y') });
  });

  it('masks every leaf under a selected container', () => {
    const out = JSON.parse(
      jp({ paths: ['$.person'] })('{"person": {"name": "Jane", "tags": ["vip", 3]}, "keep": "me"}')!,
    );
    expect(out).toEqual({ person: { name: token('Jane'), tags: [token('vip'), token('3')] }, keep: 'me' });
  });

  it('takes a nested transform, per path or for all', () => {
    const out = JSON.parse(
      jp({
        transform: 'redact',
        paths: [
          '$.note',
          { path: '$.amount', transform: 'number_noise', options: { percent: 1 } },
          { path: '$.gone', transform: 'null' },
        ],
      })('{"note": "Call Jane 555", "amount": 100.00, "gone": "x"}')!,
    );
    expect(out.note).toBe('Xxxx Xxxx 000');
    expect(typeof out.amount).toBe('number');
    expect(Math.abs(out.amount - 100)).toBeLessThanOrEqual(1);
    expect(out.gone).toBeNull();
  });

  it('writes untouched parts losslessly: digits, duplicate keys, order', () => {
    const out = jp(
      { paths: ['$.s'] },
      'json',
    )('{"n": 1.10, "big": 12345678901234567890, "d": 1, "d": 2, "e": 1E+2, "s": "x", "u": "\\u00e9\\n"}');
    expect(out).toBe(`{"n":1.10,"big":12345678901234567890,"d":1,"d":2,"e":1E+2,"s":"${token('x')}","u":"é\\n"}`);
  });

  it('leaves documents without the path as they were, and NULL as NULL', () => {
    expect(jp({ paths: ['$.missing.deep'] })('{"a": [1, {"b": null}]}')).toBe('{"a":[1,{"b":null}]}');
    expect(jp({ paths: ['$.a'] })(null)).toBeNull();
  });

  it('refuses a document that is not JSON without quoting it', () => {
    expect(() => jp({ paths: ['$.a'] })('{"secret": ')).toThrowError('a json value could not be parsed');
  });
});

describe('the lossless JSON reader', () => {
  it.each([
    'null',
    'true',
    '"x"',
    '[]',
    '{}',
    '[1,-2.5e-3,{"a":[null]}]',
    '{"k":"\\"\\\\\\/\\b\\f\\n\\r\\t\\ud83d\\ude00"}',
  ])('round-trips %s', (doc) => {
    expect(JSON.parse(writeJson(parseJson(doc)))).toEqual(JSON.parse(doc));
  });

  it.each(['', '{', '[1,]', '{"a" 1}', '01', 'nul', '"unterminated', '{"a":1}x'])('rejects %j', (doc) => {
    expect(() => parseJson(doc)).toThrowError('a json value could not be parsed');
  });
});
