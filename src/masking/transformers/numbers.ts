// number_noise: multiplies a number by a keyed factor in [1 - percent, 1 + percent], so totals
// and distributions stay roughly right while no individual amount is exact. The same value gets
// the same factor everywhere. Integers stay integers (rounded, and clamped to the type's range so
// the COPY never fails on overflow) and numerics keep their scale: the arithmetic is done on
// BigInt digits, never on floats, so 1234.5600 becomes another number with four decimals.
import { LifeboatError } from '../../errors.js';
import { baseType, integerRange, typeFamily } from '../column.js';
import { numberOption, requireKey, ruleLabel, type TransformContext, type ValueTransformer } from './context.js';
import { seeder, unitFraction } from './keyed.js';

const NUMBER_NOISE = 'lifeboat/number_noise/v1';
/** The factor is numerator / SCALE: nine decimals of resolution. */
const SCALE = 1_000_000_000n;
const NUMERIC = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const SPECIAL = new Set(['NaN', 'Infinity', '-Infinity']);

export function numberNoiseTransformer(ctx: TransformContext): ValueTransformer {
  const keyed = requireKey(ctx);
  const percent = numberOption(ctx, 'percent', 10, 0, 100);
  const column = ctx.column;
  const seedOf = seeder(column);
  const label = ruleLabel(ctx.rule, column);
  const family = typeFamily(column.type);
  const range = integerRange(column.type);
  const factor = (value: string): bigint => {
    const u = unitFraction(keyed.digest(NUMBER_NOISE, seedOf(value))) * 2 - 1;
    return SCALE + BigInt(Math.round((percent / 100) * u * Number(SCALE)));
  };
  const invalid = () =>
    new LifeboatError('invalid_request', `${label} cannot add noise to a value that is not a number`, {
      hint: `number_noise reads numbers as PostgreSQL writes them; the column type is ${baseType(column.type)}`,
    });
  return (value) => {
    if (value === null) return null;
    if (SPECIAL.has(value)) return value;
    if (family === 'float') {
      const n = Number(value);
      if (value.trim() === '' || Number.isNaN(n)) throw invalid();
      return String((n * Number(factor(value))) / Number(SCALE));
    }
    const m = NUMERIC.exec(value);
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw invalid();
    const scale = (m[3] ?? '').length;
    const digits = BigInt(`${m[1]}${m[2] || '0'}${m[3] ?? ''}`);
    let out = roundDiv(digits * factor(value), SCALE);
    if (range !== undefined && scale === 0) out = out < range[0] ? range[0] : out > range[1] ? range[1] : out;
    return formatScaled(out, scale, m[3] !== undefined && scale === 0);
  };
}

/** a / b rounded half away from zero (b > 0), as PostgreSQL rounds numerics. */
function roundDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  if (2n * (r < 0n ? -r : r) >= b) return a < 0n ? q - 1n : q + 1n;
  return q;
}

function formatScaled(v: bigint, scale: number, trailingDot: boolean): string {
  const neg = v < 0n;
  const s = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? s + (trailingDot ? '.' : '') : `${s.slice(0, -scale)}.${s.slice(-scale)}`;
  return neg ? `-${body}` : body;
}
