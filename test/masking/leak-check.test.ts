// The leak sampler keeps a bounded uniform sample per column, and the leak query quotes
// schema-qualified names properly and carries the originals as a parameter, never in the SQL.
import { describe, expect, it } from 'vitest';
import {
  LeakSampler,
  leakCheckApplies,
  leakCheckQuery,
  leakError,
  parseQualifiedName,
} from '../../src/masking/leak-check.js';

describe('LeakSampler', () => {
  it('keeps every value while under capacity', () => {
    const s = new LeakSampler({ capacity: 10, seed: 1 });
    for (let i = 0; i < 5; i++) s.add(2, `v${i}`);
    expect(s.sample(2)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    expect(s.seen(2)).toBe(5);
    expect(s.sample(3)).toEqual([]);
  });

  it('stays bounded and samples uniformly', () => {
    const counts = new Array<number>(10).fill(0);
    for (let run = 0; run < 400; run++) {
      const s = new LeakSampler({ capacity: 100, seed: run + 1 });
      for (let i = 0; i < 10_000; i++) s.add(0, `v${i}`);
      expect(s.sample(0).length).toBe(100);
      for (const v of s.sample(0)) counts[Math.floor(Number(v.slice(1)) / 1000)]!++;
    }
    // 40,000 kept values over 10 deciles: each near 4,000
    for (const c of counts) expect(Math.abs(c - 4000)).toBeLessThan(400);
  });

  it('keeps columns apart and skips values without a letter or a digit', () => {
    const s = new LeakSampler({ seed: 3 });
    s.add(1, 'a');
    s.add(4, 'b');
    s.add(4, '');
    s.add(4, ' - ');
    expect(s.columns()).toEqual([1, 4]);
    expect(s.sample(4)).toEqual(['b']);
    expect(s.seen(4)).toBe(3);
  });

  it('is offered a value before it is given one, and keeps only what it accepted', () => {
    const s = new LeakSampler({ capacity: 2, seed: 5 });
    expect(s.offer(0)).toBe(true);
    s.keep(0, 'a');
    expect(s.offer(0)).toBe(true);
    s.keep(0, 'b');
    let refused = 0;
    for (let i = 0; i < 100; i++) {
      if (s.offer(0)) {
        s.keep(0, `v${i}`);
      } else {
        refused++;
        s.keep(0, 'never'); // a keep without an accepted offer is ignored
      }
    }
    expect(refused).toBeGreaterThan(80);
    expect(s.seen(0)).toBe(102);
    expect(s.sample(0)).toHaveLength(2);
    expect(s.sample(0)).not.toContain('never');
  });
});

describe('LeakSampler.absorb', () => {
  it("merges other threads' samples into a uniform sample of all the values", () => {
    let fromA = 0;
    const runs = 300;
    for (let run = 0; run < runs; run++) {
      // two threads' shares of one column: 3,000 values and 7,000 values
      const a = new LeakSampler({ capacity: 100, seed: 2 * run + 1 });
      const b = new LeakSampler({ capacity: 100, seed: 2 * run + 2 });
      for (let i = 0; i < 3000; i++) a.add(0, `a${i}`);
      for (let i = 0; i < 7000; i++) b.add(0, `b${i}`);
      const merged = new LeakSampler({ capacity: 100, seed: run + 7 });
      for (const part of [a, b]) merged.absorb(0, part.seen(0), part.sample(0));
      expect(merged.seen(0)).toBe(10_000);
      expect(merged.sample(0)).toHaveLength(100);
      expect(new Set(merged.sample(0)).size).toBe(100);
      fromA += merged.sample(0).filter((v) => v.startsWith('a')).length;
    }
    // 30% of 30,000 kept values come from the first share
    expect(Math.abs(fromA / (runs * 100) - 0.3)).toBeLessThan(0.01);
  });

  it('keeps everything while both shares fit', () => {
    const merged = new LeakSampler({ capacity: 10 });
    merged.absorb(3, 2, ['x', 'y']);
    merged.absorb(3, 3, ['p', 'q', 'r']);
    expect([...merged.sample(3)].sort()).toEqual(['p', 'q', 'r', 'x', 'y']);
    expect(merged.seen(3)).toBe(5);
  });
});

describe('leakCheckQuery', () => {
  it('quotes a schema-qualified quoted table and the column', () => {
    const q = leakCheckQuery('"Sales Dept"."Order"', 'customer_email', ['a@b.example', "o'hara"]);
    expect(q.text).toBe(
      'select count(distinct s.v)::int as hits from unnest($1::text[]) as s(v) join "Sales Dept"."Order" as t on t."customer_email"::text = s.v',
    );
    expect(q.values).toEqual([['a@b.example', "o'hara"]]);
  });

  it.each([
    ['public.customers', '"public"."customers"'],
    ['Public.Customers', '"public"."customers"'],
    ['customers', '"customers"'],
    ['"a""b".c', '"a""b"."c"'],
    ['"We.ird"."t"', '"We.ird"."t"'],
  ])('reads %s as %s', (ref, quoted) => {
    expect(leakCheckQuery(ref, 'c"x', []).text).toContain(`join ${quoted} as t on t."c""x"::text`);
  });

  it.each(['', 'a.b.c', '"open', 'a.', '1abc', 'a b'])('refuses %j', (ref) => {
    expect(() => parseQualifiedName(ref)).toThrowError(`${ref} is not a table name`);
  });
});

describe('leak check policy', () => {
  it('checks transforms whose outputs cannot be someone else’s original', () => {
    expect(['token', 'hash', 'email', 'redact', 'regex_replace'].every((t) => leakCheckApplies(t as never))).toBe(true);
    expect(
      ['name', 'phone', 'address', 'date_shift', 'number_noise', 'fixed', 'null', 'json_path'].some((t) =>
        leakCheckApplies(t as never),
      ),
    ).toBe(false);
  });

  it('fails the run without quoting any value', () => {
    const err = leakError('public.customers.email', 'regex_replace', 3, 1000);
    expect(err.code).toBe('blocked_by_check');
    expect(err.message).toBe(
      'unable to swap the restored database: 3 of 1000 sampled original values of public.customers.email (regex_replace) are still present after masking',
    );
  });
});
