import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { RowCounter } from '../../src/backup/row-counter.js';

async function count(text: string, chunk: number): Promise<number> {
  const buf = Buffer.from(text, 'latin1');
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  const c = new RowCounter();
  await pipeline(Readable.from(parts), c);
  return c.rows;
}

describe('RowCounter', () => {
  it.each([
    ['three rows and pg_dump trailer', '1\ta\n2\t\\N\n3\t\\\\.\n\\.\n\n\n', 3],
    ['no rows', '\\.\n\n\n', 0],
    ['a value that is a backslash-dot is a row', '\\\\.\n\\.\n\n', 1],
    ['a line starting with \\. but longer is a row', '\\.x\n\\.\n\n', 1],
    ['no terminator: every line', 'a\nb\n', 2],
    ['empty file', '', 0],
  ])('%s', async (_name, text, rows) => {
    for (const chunk of [1, 2, 3, 7, 1024]) expect(await count(text, chunk)).toBe(rows);
  });
});
