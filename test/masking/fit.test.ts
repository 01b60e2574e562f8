// checkRuleFits: a rule whose output cannot fit its column is refused before anything is
// written, with a reason that names the rule and the column and says what to use instead.
import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../src/masking/column.js';
import { checkRuleFits } from '../../src/masking/fit.js';
import type { RuleSpec } from '../../src/masking/transformers/index.js';

function column(name: string, type: string, over: Partial<ColumnInfo> = {}): ColumnInfo {
  return { table: 'public.customers', name, type, maxLength: null, nullable: true, unique: false, ...over };
}
const unique = { unique: true, nullable: false };
const notNull = { nullable: false };

const R = (transform: RuleSpec['transform'], options?: Record<string, unknown>): RuleSpec =>
  options ? { transform, options } : { transform };

describe('checkRuleFits', () => {
  it.each<[string, RuleSpec, ColumnInfo, string | undefined]>([
    // uniqueness
    ['token keeps a unique column unique', R('token'), column('email', 'text', unique), undefined],
    ['hash keeps a unique column unique', R('hash'), column('ref', 'text', unique), undefined],
    ['email keeps a unique column unique', R('email'), column('email', 'citext', unique), undefined],
    [
      'name breaks a unique column',
      R('name'),
      column('email', 'text', unique),
      'rule public.customers.email (name) cannot fit: column has a UNIQUE constraint and name does not keep values distinct. HINT: use transform token',
    ],
    [
      'first_name breaks a unique citext column',
      R('first_name'),
      column('login', 'citext', unique),
      'rule public.customers.login (first_name) cannot fit: column has a UNIQUE constraint and first_name does not keep values distinct. HINT: use transform token',
    ],
    [
      'redact breaks a unique column',
      R('redact'),
      column('code', 'text', unique),
      'rule public.customers.code (redact) cannot fit: column has a UNIQUE constraint and redact does not keep values distinct. HINT: use transform token',
    ],
    [
      'regex_replace breaks a unique column',
      R('regex_replace', { pattern: '\\d' }),
      column('code', 'text', unique),
      'rule public.customers.code (regex_replace) cannot fit: column has a UNIQUE constraint and regex_replace does not keep values distinct. HINT: use transform token',
    ],
    [
      'fixed breaks a unique column',
      R('fixed', { value: 'x' }),
      column('code', 'text', unique),
      'rule public.customers.code (fixed) cannot fit: column has a UNIQUE constraint and fixed does not keep values distinct. HINT: use transform token',
    ],
    [
      'date_shift breaks a unique column',
      R('date_shift'),
      column('day', 'date', unique),
      'rule public.customers.day (date_shift) cannot fit: column has a UNIQUE constraint and date_shift does not keep values distinct. HINT: use transform token',
    ],
    [
      'number_noise breaks a unique column',
      R('number_noise'),
      column('n', 'integer', unique),
      'rule public.customers.n (number_noise) cannot fit: column has a UNIQUE constraint and number_noise does not keep values distinct. HINT: use transform token',
    ],
    [
      'json_path with token inside keeps a unique column unique',
      R('json_path', { paths: ['$.a'] }),
      column('doc', 'jsonb', unique),
      undefined,
    ],
    [
      'json_path with redact inside breaks a unique column',
      R('json_path', { paths: ['$.a'], transform: 'redact' }),
      column('doc', 'jsonb', unique),
      'rule public.customers.doc (json_path) cannot fit: column has a UNIQUE constraint and json_path does not keep values distinct. HINT: use transform token',
    ],
    // NOT NULL
    [
      'null on a NOT NULL column',
      R('null'),
      column('phone', 'text', notNull),
      'rule public.customers.phone (null) cannot fit: column is NOT NULL and null writes NULL. HINT: use transform redact, fixed with a non-null value, or token',
    ],
    [
      'fixed NULL on a NOT NULL column',
      R('fixed', { value: null }),
      column('phone', 'text', notNull),
      'rule public.customers.phone (fixed) cannot fit: column is NOT NULL and fixed writes NULL. HINT: use transform redact, fixed with a non-null value, or token',
    ],
    ['null on a nullable column of any type', R('null'), column('born', 'date'), undefined],
    // length
    [
      'token on varchar(10)',
      R('token'),
      column('code', 'character varying', { maxLength: 10 }),
      'rule public.customers.code (token) cannot fit: column is character varying(10) and token writes up to 20 characters. HINT: widen the column to at least 20 characters: token needs them to keep values distinct',
    ],
    ['token on varchar(20)', R('token'), column('code', 'character varying', { maxLength: 20 }), undefined],
    [
      'token on an email column of varchar(30)',
      R('token'),
      column('customer_email', 'character varying', { maxLength: 30 }),
      'rule public.customers.customer_email (token) cannot fit: column is character varying(30) and token writes up to 36 characters. HINT: widen the column to at least 36 characters: token needs them to keep values distinct',
    ],
    [
      'token on an email column of varchar(255)',
      R('token'),
      column('email', 'character varying(255)', { maxLength: 255 }),
      undefined,
    ],
    [
      'hash on varchar(32)',
      R('hash'),
      column('ref', 'character varying', { maxLength: 32 }),
      'rule public.customers.ref (hash) cannot fit: column is character varying(32) and hash writes up to 64 characters. HINT: widen the column to at least 64 characters: hash needs them to keep values distinct',
    ],
    [
      'name on varchar(12)',
      R('name'),
      column('full_name', 'character varying', { maxLength: 12 }),
      'rule public.customers.full_name (name) cannot fit: column is character varying(12) and name writes up to 19 characters. HINT: use transform redact (it keeps the length) or widen the column',
    ],
    [
      'email on varchar(40)',
      R('email'),
      column('email', 'character varying', { maxLength: 40 }),
      'rule public.customers.email (email) cannot fit: column is character varying(40) and email writes up to 48 characters. HINT: widen the column to at least 48 characters: email needs them to keep values distinct',
    ],
    [
      'phone on character(6)',
      R('phone'),
      column('tel', 'character', { maxLength: 6 }),
      'rule public.customers.tel (phone) cannot fit: column is character(6) and phone writes up to 8 characters. HINT: use transform redact (it keeps the length) or widen the column',
    ],
    [
      'fixed longer than varchar(3)',
      R('fixed', { value: 'n/a!' }),
      column('c', 'character varying', { maxLength: 3 }),
      'rule public.customers.c (fixed) cannot fit: column is character varying(3) and fixed writes up to 4 characters. HINT: use transform redact (it keeps the length) or widen the column',
    ],
    [
      'redact on varchar(5) keeps the length',
      R('redact'),
      column('c', 'character varying', { maxLength: 5 }),
      undefined,
    ],
    // types
    [
      'name on an integer',
      R('name'),
      column('n', 'integer'),
      'rule public.customers.n (name) cannot fit: column type integer cannot hold what name writes (text). HINT: use transform number_noise, fixed or null',
    ],
    ['token on a uuid', R('token'), column('id', 'uuid', unique), undefined],
    [
      'redact on a uuid',
      R('redact'),
      column('id', 'uuid'),
      'rule public.customers.id (redact) cannot fit: column type uuid cannot hold what redact writes (text). HINT: use transform token (it writes uuids into uuid columns)',
    ],
    [
      'date_shift on text',
      R('date_shift'),
      column('born', 'text'),
      'rule public.customers.born (date_shift) cannot fit: column type text cannot hold what date_shift writes (dates). HINT: use a text transform: token, email, name, redact, regex_replace, …',
    ],
    ['date_shift on a date', R('date_shift'), column('born', 'date'), undefined],
    ['date_shift on timestamptz', R('date_shift'), column('seen', 'timestamp with time zone'), undefined],
    [
      'email on a timestamp',
      R('email'),
      column('seen', 'timestamp without time zone'),
      'rule public.customers.seen (email) cannot fit: column type timestamp without time zone cannot hold what email writes (text). HINT: use transform date_shift, fixed or null',
    ],
    ['number_noise on numeric(10,2)', R('number_noise'), column('amount', 'numeric(10,2)'), undefined],
    [
      'number_noise on text',
      R('number_noise'),
      column('amount', 'text'),
      'rule public.customers.amount (number_noise) cannot fit: column type text cannot hold what number_noise writes (numbers). HINT: use a text transform: token, email, name, redact, regex_replace, …',
    ],
    ['json_path on jsonb', R('json_path', { paths: ['$.a'] }), column('doc', 'jsonb'), undefined],
    [
      'json_path on text',
      R('json_path', { paths: ['$.a'] }),
      column('doc', 'text'),
      'rule public.customers.doc (json_path) cannot fit: column type text cannot hold what json_path writes (json). HINT: use a text transform: token, email, name, redact, regex_replace, …',
    ],
    [
      'token on jsonb',
      R('token'),
      column('doc', 'jsonb'),
      'rule public.customers.doc (token) cannot fit: column type jsonb cannot hold what token writes (text or uuid). HINT: use transform json_path to mask fields inside the documents',
    ],
    ['fixed on any type', R('fixed', { value: '0' }), column('n', 'bigint'), undefined],
    [
      'hash on an array',
      R('hash'),
      column('tags', 'text[]'),
      'rule public.customers.tags (hash) cannot fit: column type text[] cannot hold what hash writes (text). HINT: use transform fixed or null',
    ],
    // options
    [
      'an invalid pattern',
      R('regex_replace', { pattern: '[' }),
      column('c', 'text'),
      'rule public.customers.c (regex_replace): option pattern is not a valid regular expression (Invalid regular expression: /[/g: Unterminated character class)',
    ],
    [
      'json_path without paths',
      R('json_path'),
      column('doc', 'json'),
      'rule public.customers.doc (json_path): option paths must be a non-empty list of JSON paths',
    ],
  ])('%s', (_name, rule, col, reason) => {
    const fit = checkRuleFits(rule, col);
    expect(fit).toEqual(reason === undefined ? { ok: true } : { ok: false, reason });
  });

  it('names schema-qualified, quoted tables as the config writes them', () => {
    const fit = checkRuleFits(
      R('name'),
      column('customer_email', 'text', { ...unique, table: '"Sales Dept"."Order"' }),
    );
    expect(fit.ok ? '' : fit.reason).toMatch(/^rule "Sales Dept"\."Order"\.customer_email \(name\) cannot fit: /);
  });
});
