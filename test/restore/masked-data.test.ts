// The pure parts of streaming table data: reading pg_dump's COPY statement and cutting a data
// file at its end-of-data marker, whatever the chunk boundaries; merging the backup's and the
// destination's records of which table descends from which.
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { copyColumns, mergeAncestry, untilEndMarker } from '../../src/restore/steps/masked-data.js';

describe('copyColumns', () => {
  it.each([
    ['COPY public.customers (id, email, full_name) FROM stdin;', ['id', 'email', 'full_name']],
    ['COPY public."Odd ""Name"" (x" ("we (ird", "Col, 2") FROM stdin;', ['we (ird', 'Col, 2']],
    ['COPY "Sales Dept"."Order" ("Order Id", "select") FROM stdin;', ['Order Id', 'select']],
    ['COPY public.nocols  FROM stdin;', []],
    ['COPY public.t (a) FROM stdin;', ['a']],
  ])('%s', (statement, columns) => {
    expect(copyColumns(statement)).toEqual(columns);
  });
});

async function cut(data: string, chunk: number): Promise<string> {
  const bytes = Buffer.from(data);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  return (await buffer(Readable.from(chunks).pipe(untilEndMarker()))).toString();
}

describe('untilEndMarker', () => {
  const cases: Array<[string, string, string]> = [
    ['rows then the marker', '1\ta\n2\tb\n\\.\n\n\n', '1\ta\n2\tb\n'],
    ['an empty table', '\\.\n\n\n', ''],
    ['a row ending in an escaped backslash and a dot', '1\tx\\\\.\n2\ty\n\\.\n\n', '1\tx\\\\.\n2\ty\n'],
    ['a row that is only an escaped backslash and a dot', '\\\\.\n\\.\n', '\\\\.\n'],
    ['zero-column rows', '\n\n\\.\n\n', '\n\n'],
    ['no marker at all', '1\ta\n', '1\ta\n'],
  ];
  for (const [name, data, expected] of cases) {
    it(`${name}, for every chunk size`, async () => {
      for (let chunk = 1; chunk <= data.length; chunk++) expect(await cut(data, chunk)).toBe(expected);
    });
  }
});

describe('mergeAncestry', () => {
  const t = (name: string, ...ancestors: string[]) => ({
    schema: 'public',
    name,
    ancestors: ancestors.map((a) => ({ schema: 'public', name: a })),
  });
  it.each([
    ['both empty', [], [], []],
    ['only the backup knows', [t('p1', 'p')], [], [t('p1', 'p')]],
    ['only the destination knows', [], [t('p1', 'p')], [t('p1', 'p')]],
    ['the same record once', [t('p1', 'p')], [t('p1', 'p'), t('p')], [t('p1', 'p'), t('p')]],
    [
      'ancestors from either, the first record first',
      [t('p1', 'mid', 'top')],
      [t('p1', 'other', 'top')],
      [t('p1', 'mid', 'top', 'other')],
    ],
    ["a table without ancestors on one side keeps the other side's", [t('c')], [t('c', 'base')], [t('c', 'base')]],
  ])('%s', (_name, a, b, merged) => {
    expect(mergeAncestry(a, b)).toEqual(merged);
  });
});
