// The masking stream: whatever the chunking, unmasked fields come out as the very bytes that went
// in, masked fields are re-encoded correctly, and the end marker, an unterminated last row and
// escaped line ends are handled as PostgreSQL handles them.
import { describe, expect, it } from 'vitest';
import { decodeRow, encodeRow } from '../../src/masking/copy-codec.js';
import { type MaskPlan, maskCopyStream, type MaskStreamOptions } from '../../src/masking/copy-stream.js';
import { randomValue, Rng } from './generators.js';
import { through } from './helpers.js';

const runThrough = (plan: MaskPlan, input: Buffer, chunkSize: number, opts?: MaskStreamOptions) =>
  through(maskCopyStream(plan, opts), input, chunkSize);

const upper = (v: string | null) => (v === null ? null : `M:${v.toUpperCase()}`);
const COLUMNS = ['id', 'email', 'note', 'doc', 'tags'];

function dataset(rows: number): { input: Buffer; expected: Buffer; originals: (string | null)[][] } {
  const rng = new Rng(99);
  const lines: string[] = [];
  const expected: string[] = [];
  const originals: (string | null)[][] = [];
  for (let i = 0; i < rows; i++) {
    const row = [String(i), randomValue(rng), randomValue(rng), randomValue(rng), randomValue(rng)];
    originals.push(row);
    lines.push(encodeRow(row));
    expected.push(encodeRow([row[0]!, upper(row[1]!), row[2]!, row[3]!, upper(row[4]!)]));
  }
  // non-canonical but valid escapes in unmasked columns must survive byte for byte
  lines.push('9998\tx@y.z\t\\x41\\101\\q\t{}\t\\N');
  expected.push('9998\tM:X@Y.Z\t\\x41\\101\\q\t{}\t\\N');
  lines.push('9999\t\\N\tZoë 中文 😀 Ł\t{"k": "\\\\n"}\tnote');
  expected.push('9999\t\\N\tZoë 中文 😀 Ł\t{"k": "\\\\n"}\tM:NOTE');
  return {
    input: Buffer.from(`${lines.join('\n')}\n\\.\n`, 'utf8'),
    expected: Buffer.from(`${expected.join('\n')}\n\\.\n`, 'utf8'),
    originals,
  };
}

describe('maskCopyStream', () => {
  const plan: MaskPlan = {
    table: 'public.t',
    columns: COLUMNS,
    rules: new Map([
      [1, upper],
      [4, upper],
    ]),
  };
  const { input, expected } = dataset(3000);

  it.each([1, 7, 64, 4096, 1 << 20])('gives the same bytes with chunks of %i bytes', async (size) => {
    const out = await runThrough(plan, input, size);
    expect(out.equals(expected)).toBe(true);
  });

  it('passes unmasked columns through byte-identical', async () => {
    const out = (await runThrough(plan, input, 64)).toString('utf8').split('\n');
    const inLines = input.toString('utf8').split('\n');
    expect(out.length).toBe(inLines.length);
    for (let i = 0; i < inLines.length - 2; i++) {
      const a = inLines[i]!.split('\t');
      const b = out[i]!.split('\t');
      expect([b[0], b[2], b[3]]).toEqual([a[0], a[2], a[3]]);
    }
  });

  it('without rules is the identity', async () => {
    const out = await runThrough({ columns: COLUMNS, rules: new Map() }, input, 7);
    expect(out.equals(input)).toBe(true);
  });

  it('samples every non-null original of the masked columns', async () => {
    const seen: [number, string][] = [];
    const small = dataset(50);
    const sampler = { offer: () => true, keep: (c: number, v: string) => void seen.push([c, v]) };
    await runThrough(plan, small.input, 13, { sampler });
    const want: [number, string][] = [];
    for (const row of small.originals) {
      if (row[1] !== null) want.push([1, row[1]!]);
      if (row[4] !== null) want.push([4, row[4]!]);
    }
    expect(seen).toEqual([...want, [1, 'x@y.z'], [4, 'note']]);
  });

  it("takes a rule's ASCII fast path for plain ASCII fields only, with the same output and samples", async () => {
    const small = dataset(3000);
    const sampled = (into: [number, string][]) => ({
      sampler: { offer: () => true, keep: (c: number, v: string) => void into.push([c, v]) },
    });
    const slowSeen: [number, string][] = [];
    const slow = await runThrough(plan, small.input, 64, sampled(slowSeen));
    let fastCalls = 0;
    const ascii = (buf: Uint8Array, start: number, end: number) => {
      fastCalls++;
      for (let i = start; i < end; i++) if (buf[i]! >= 0x80 || buf[i] === 0x5c) throw new Error('not plain ASCII');
      return upper(Buffer.from(buf.subarray(start, end)).toString('latin1'));
    };
    const rule = Object.assign((v: string | null) => upper(v), { ascii });
    const fastSeen: [number, string][] = [];
    const fast = await runThrough(
      {
        ...plan,
        rules: new Map([
          [1, rule],
          [4, rule],
        ]),
      },
      small.input,
      64,
      sampled(fastSeen),
    );
    expect(fast.equals(slow)).toBe(true);
    expect(fast.equals(small.expected)).toBe(true);
    expect(fastSeen).toEqual(slowSeen);
    // the generated values are mostly escapes and multibyte text: some, not all, take the fast path
    expect(fastCalls).toBeGreaterThan(100);
    expect(fastCalls).toBeLessThan(slowSeen.length);
  });

  it('gives rules that ask for it the decoded original row', async () => {
    const rows: (string | null)[][] = [];
    const withRow = (v: string | null, row: (string | null)[]) => {
      rows.push([...row]);
      return `${row[0]}:${v}`;
    };
    const out = await runThrough(
      { columns: ['id', 'v'], rules: new Map([[1, withRow]]) },
      Buffer.from('1\ta\\tb\n2\t\\N\n'),
      3,
    );
    expect(rows).toEqual([
      ['1', 'a\tb'],
      ['2', null],
    ]);
    expect(out.toString()).toBe('1\t1:a\\tb\n2\t2:null\n');
  });

  it('masks a last row that has no newline', async () => {
    const out = await runThrough(plan, Buffer.from('1\ta\tb\tc\td\n2\te\tf\tg\th'), 5);
    expect(out.toString()).toBe('1\tM:A\tb\tc\tM:D\n2\tM:E\tf\tg\tM:H');
  });

  it('passes the end marker and anything after it through untouched', async () => {
    const out = await runThrough(plan, Buffer.from('1\ta\tb\tc\td\n\\.\nnot\tdata\n'), 4);
    expect(out.toString()).toBe('1\tM:A\tb\tc\tM:D\n\\.\nnot\tdata\n');
  });

  it('reads the text \\. and backslash-newline as data, as PostgreSQL does', async () => {
    const p: MaskPlan = { columns: ['id', 'v'], rules: new Map([[1, upper]]) };
    // `\\.` is the text \. ; a backslash before a raw newline escapes it (PostgreSQL accepts this on input)
    const out = await runThrough(p, Buffer.from('1\t\\\\.\n2\tx\\\ny\n'), 1);
    expect(out.toString()).toBe('1\tM:\\\\.\n2\tM:X\\nY\n');
    expect(decodeRow('2\tx\\\ny')).toEqual(['2', 'x\ny']);
  });

  it('keeps the original bytes when a rule returns the value unchanged', async () => {
    const same = (v: string | null) => v;
    const out = await runThrough({ columns: ['v'], rules: new Map([[0, same]]) }, Buffer.from('\\x41\n'), 1);
    expect(out.toString()).toBe('\\x41\n');
  });

  it('fails on a row whose width is not the plan’s, naming the table', async () => {
    await expect(runThrough(plan, Buffer.from('1\ta\tb\n'), 64)).rejects.toThrowError(
      'unable to mask public.t: row 1 has 3 fields but the masking plan expects 5 (id, email, note, doc, tags)',
    );
    await expect(runThrough(plan, Buffer.from('1\ta\tb\tc\td\te\n'), 64)).rejects.toThrowError(
      'unable to mask public.t: row 1 has 6 fields but the masking plan expects 5 (id, email, note, doc, tags)',
    );
  });

  it('reports a failing rule by table, column and row without quoting the value', async () => {
    const boom = () => {
      throw new SyntaxError('Unexpected token in secret@example.com');
    };
    const p: MaskPlan = { table: 'public.t', columns: ['id', 'email'], rules: new Map([[1, boom]]) };
    const err = await runThrough(p, Buffer.from('1\tsecret@example.com\n'), 64).catch((e: Error) => e);
    expect((err as Error).message).toBe('unable to mask public.t.email, row 1: the transform failed (SyntaxError)');
    expect(String((err as Error).cause)).not.toContain('secret');
  });
});
