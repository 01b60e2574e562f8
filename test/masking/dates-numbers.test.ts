// date_shift and number_noise: bounded, never-zero date shifts that keep the column's format
// (time, offset, fractional seconds, BC), and noise that keeps integers integral (within the
// type's range) and numerics at their scale.
import { describe, expect, it } from 'vitest';
import { civilFromDays, daysFromCivil } from '../../src/masking/transformers/dates.js';
import { createTransformer } from '../../src/masking/transformers/index.js';
import { col, KEY } from './helpers.js';

const shift = (type: string, options = {}) => createTransformer({ transform: 'date_shift', options }, KEY, col(type));
const dayNumber = (iso: string) =>
  Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86_400_000;

describe('calendar arithmetic', () => {
  it('agrees with Date.UTC for every day from 1900 to 2100', () => {
    for (let d = dayNumber('1900-01-01'); d <= dayNumber('2100-12-31'); d++) {
      const date = new Date(d * 86_400_000);
      const ymd: [number, number, number] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
      if (daysFromCivil(...ymd) !== d) throw new Error(`daysFromCivil ${ymd}`);
      expect(civilFromDays(d)).toEqual(ymd);
    }
  });
});

describe('date_shift', () => {
  it('moves dates by 1 to 30 days either way, never 0, both ways', () => {
    const s = shift('date');
    const moves = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const input = new Date(Date.UTC(1950, 0, 1) + i * 7 * 86_400_000).toISOString().slice(0, 10);
      const out = s(input)!;
      expect(out).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const delta = dayNumber(out) - dayNumber(input);
      expect(Math.abs(delta)).toBeGreaterThanOrEqual(1);
      expect(Math.abs(delta)).toBeLessThanOrEqual(30);
      moves.add(delta);
    }
    expect(moves.size).toBe(60);
  });

  it('honours the days option', () => {
    const s = shift('date', { days: 1 });
    for (const d of ['2020-01-01', '2020-02-29', '2020-12-31'])
      expect(Math.abs(dayNumber(s(d)!) - dayNumber(d))).toBe(1);
  });

  it.each([
    ['timestamp without time zone', '2024-03-05 12:34:56.123456', / 12:34:56\.123456$/],
    ['timestamp with time zone', '2024-03-05 12:34:56+01', / 12:34:56\+01$/],
    ['timestamp with time zone', '1999-12-31 23:59:59.5-03:30', / 23:59:59\.5-03:30$/],
    ['date', '0044-03-15 BC', /^00(44|43)-\d{2}-\d{2} BC$/],
    ['timestamp without time zone', '0044-03-15 12:00:00 BC', /^00(44|43)-\d{2}-\d{2} 12:00:00 BC$/],
  ])('keeps the format of %s: %s', (type, input, pattern) => {
    expect(shift(type)(input)).toMatch(pattern);
  });

  it('crosses from AD into BC without a year zero', () => {
    const s = shift('date', { days: 30 });
    const outs = Array.from({ length: 200 }, (_, i) => s(`0001-01-${String(1 + (i % 9)).padStart(2, '0')}`)! + i).map(
      (o) => o.replace(/\d+$/, ''),
    );
    expect(outs.some((o) => o.endsWith(' BC') && o.startsWith('0001-12-'))).toBe(true);
    expect(outs.every((o) => !o.startsWith('0000'))).toBe(true);
  });

  it('leaves infinity alone and refuses non-ISO values without quoting them', () => {
    expect(shift('date')('infinity')).toBe('infinity');
    expect(shift('date')('-infinity')).toBe('-infinity');
    expect(() => shift('date')('03/05/2024')).toThrowError(
      'rule public.customers.c (date_shift) cannot shift a value that is not an ISO date or timestamp',
    );
  });
});

describe('number_noise', () => {
  const noise = (type: string, options = {}) =>
    createTransformer({ transform: 'number_noise', options }, KEY, col(type));

  it('keeps integers integral and within ±10% by default', () => {
    const n = noise('integer');
    let changed = 0;
    for (let i = 1000; i < 3000; i++) {
      const out = n(String(i))!;
      expect(out).toMatch(/^-?\d+$/);
      expect(Math.abs(Number(out) - i)).toBeLessThanOrEqual(Math.ceil(i * 0.1));
      if (Number(out) !== i) changed++;
    }
    expect(changed).toBeGreaterThan(1900);
  });

  it('clamps to the integer type’s range', () => {
    const n = noise('smallint', { percent: 50 });
    for (let i = 0; i < 200; i++) {
      const v = Number(n(String(32767 - i))!);
      expect(v).toBeLessThanOrEqual(32767);
    }
    const big = noise('bigint', { percent: 50 });
    for (let i = 0; i < 50; i++)
      expect(BigInt(big(String(9223372036854775807n - BigInt(i)))!)).toBeLessThanOrEqual(9223372036854775807n);
  });

  it('keeps the scale of numerics, exactly', () => {
    const n = noise('numeric(12,4)');
    for (const v of ['1234.5600', '-0.0001', '0.0000', '99999999.9999']) {
      const out = n(v)!;
      expect(out).toMatch(/^-?\d+\.\d{4}$/);
      expect(Math.abs(Number(out) - Number(v))).toBeLessThanOrEqual(Math.abs(Number(v)) * 0.1 + 0.0001);
    }
    expect(n('12345678901234567890.12')).toMatch(/^\d{19,20}\.\d{2}$/);
  });

  it('adds noise to floats and leaves NaN and infinities alone', () => {
    const n = noise('double precision', { percent: 5 });
    const out = Number(n('1.5e10'));
    expect(Math.abs(out - 1.5e10)).toBeLessThanOrEqual(1.5e10 * 0.05);
    expect(n('NaN')).toBe('NaN');
    expect(n('-Infinity')).toBe('-Infinity');
  });

  it('refuses a value that is not a number without quoting it', () => {
    expect(() => noise('numeric')('12,5')).toThrowError(
      'rule public.customers.c (number_noise) cannot add noise to a value that is not a number',
    );
  });
});
