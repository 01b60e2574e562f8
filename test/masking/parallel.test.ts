// Masking in threads gives, byte for byte, what masking in the stream gives — whatever the batch
// and chunk sizes — with the same row count, a leak sample of the same population, and the same
// error (the row numbered within the whole table) when a row does not fit the plan.
import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../src/masking/column.js';
import { encodeRow } from '../../src/masking/copy-codec.js';
import { maskCopyStream, type MaskRule } from '../../src/masking/copy-stream.js';
import { LeakSampler } from '../../src/masking/leak-check.js';
import { maskThreads, PARALLEL_MIN_BYTES, parallelMaskStream, type ThreadPlan } from '../../src/masking/parallel.js';
import { createTransformer, type RuleSpec } from '../../src/masking/transformers/index.js';
import { randomValue, Rng } from './generators.js';
import { col, KEY, through } from './helpers.js';

const COLUMNS = ['id', 'email', 'note', 'phone', 'body'];
const RULES: Array<{ index: number; rule: RuleSpec; column: ColumnInfo }> = [
  { index: 1, rule: { transform: 'token' }, column: col('text', { name: 'email' }) },
  { index: 2, rule: { transform: 'redact' }, column: col('text', { name: 'note' }) },
  { index: 4, rule: { transform: 'token' }, column: col('text', { name: 'body' }) },
];
const PLAN: ThreadPlan = {
  table: 'public.t',
  columns: COLUMNS,
  rules: RULES,
  key: { value: KEY.reveal(), source: KEY.source },
};

function data(rows: number, seed = 7): Buffer {
  const rng = new Rng(seed);
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const plain = `customer ${i} wrote about order ${rng.int(100000)} and asked for a refund`;
    lines.push(
      encodeRow([
        String(i),
        rng.chance(0.5) ? `user${rng.int(5000)}@example.com` : randomValue(rng),
        randomValue(rng),
        rng.chance(0.1) ? null : `+1-555-${rng.int(10000)}`,
        rng.chance(0.7) ? plain : randomValue(rng),
      ]),
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

function inStream(sampler?: LeakSampler) {
  const rules = new Map<number, MaskRule>(RULES.map((r) => [r.index, createTransformer(r.rule, KEY, r.column)]));
  return maskCopyStream({ table: PLAN.table, columns: COLUMNS, rules }, { sampler });
}

describe('parallelMaskStream', () => {
  const input = data(20_000);

  it.each([
    { threads: 2, batch: 4096, chunk: 1000 },
    { threads: 3, batch: 64 << 10, chunk: 7 << 10 },
    { threads: 2, batch: 1 << 20, chunk: 1 << 16 },
  ])('equals the stream byte for byte ($threads threads, $batch-byte batches)', async ({ threads, batch, chunk }) => {
    const one = inStream();
    const expected = await through(one, input, chunk);
    const many = parallelMaskStream(PLAN, { threads, batchBytes: batch });
    const got = await through(many, input, chunk);
    expect(got.equals(expected)).toBe(true);
    expect(many.stats).toEqual(one.stats);
    expect(many.stats.rows).toBe(20_000);
  });

  it('handles a last row without its newline, rows longer than a batch, and empty input', async () => {
    const long = `1\ta@b.example\tx\t\\N\t${'word '.repeat(4000)}\n2\tc@d.example\ty\t\\N\tlast`;
    const input2 = Buffer.from(long);
    const expected = await through(inStream(), input2, 100);
    expect(
      (await through(parallelMaskStream(PLAN, { threads: 2, batchBytes: 1024 }), input2, 100)).equals(expected),
    ).toBe(true);
    expect((await through(parallelMaskStream(PLAN, { threads: 2 }), Buffer.alloc(0), 10)).length).toBe(0);
  });

  it('merges the threads’ leak samples into one sample of every value', async () => {
    const single = new LeakSampler({ capacity: 200, seed: 1 });
    await through(inStream(single), input, 1 << 14);
    const merged = new LeakSampler({ capacity: 200, seed: 2 });
    await through(parallelMaskStream(PLAN, { threads: 2, batchBytes: 8192, sampler: merged }), input, 1 << 14);
    expect(merged.columns()).toEqual(single.columns());
    const originals = new Map<number, Set<string>>([1, 2, 4].map((c) => [c, new Set<string>()]));
    for (const line of input.toString('utf8').split('\n').slice(0, -1)) {
      const f = line.split('\t');
      for (const c of [1, 2, 4]) originals.get(c)!.add(f[c]!);
    }
    for (const c of merged.columns()) {
      expect(merged.seen(c)).toBe(single.seen(c));
      expect(merged.sample(c).length).toBeGreaterThan(150); // 200 minus values without a letter or digit
      // every sampled value is an original of that column (compared in COPY text where it is plain)
      const plain = merged.sample(c).filter((v) => /^[\x20-\x5b\x5d-\x7e]*$/.test(v));
      for (const v of plain) expect(originals.get(c)!.has(v)).toBe(true);
    }
  });

  it('fails with the row numbered within the whole table when a row does not fit the plan', async () => {
    const bad = Buffer.concat([data(3000), Buffer.from('3000\tonly\tthree\n'), data(10)]);
    const expected = await through(inStream(), bad, 4096).catch((e: Error) => e.message);
    expect(expected).toMatch(/row 3001 has 3 fields/);
    const got = await through(parallelMaskStream(PLAN, { threads: 2, batchBytes: 4096 }), bad, 4096).catch(
      (e: Error) => e.message,
    );
    expect(got).toBe(expected);
  });
});

describe('maskThreads', () => {
  it('masks small tables and single cores in the stream, large ones on up to four threads', () => {
    expect(maskThreads(PARALLEL_MIN_BYTES - 1, 'auto', 8)).toBe(0);
    expect(maskThreads(PARALLEL_MIN_BYTES, 'auto', 1)).toBe(0);
    expect(maskThreads(PARALLEL_MIN_BYTES, 'auto', 2)).toBe(2);
    expect(maskThreads(10 * PARALLEL_MIN_BYTES, 'auto', 16)).toBe(4);
  });

  it('takes a configured number as it is, 0 meaning in the stream', () => {
    expect(maskThreads(1, 3, 2)).toBe(3);
    expect(maskThreads(10 * PARALLEL_MIN_BYTES, 0, 16)).toBe(0);
  });
});
