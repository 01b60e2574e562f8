// date_shift: moves a date or timestamp by a keyed number of days in [-days, -1] ∪ [1, days], so
// a masked value always differs from the original, stays plausible (a birthday moves by weeks,
// not decades), and the same value moves the same way everywhere (equal dates stay equal).
// Values are read and written in the ISO format pg_dump always uses (it sets DateStyle = ISO):
// only the calendar date is rewritten; the time of day, fractional seconds, UTC offset and the
// BC marker are kept as they were, so the column type's own format is kept.
import { LifeboatError } from '../../errors.js';
import { numberOption, requireKey, ruleLabel, type TransformContext, type ValueTransformer } from './context.js';
import { seeder, uint32 } from './keyed.js';

const DATE_SHIFT = 'lifeboat/date_shift/v1';
const ISO_DATE = /^(\d{4,})-(\d{2})-(\d{2})(.*?)( BC)?$/;

export function dateShiftTransformer(ctx: TransformContext): ValueTransformer {
  const keyed = requireKey(ctx);
  const days = Math.trunc(numberOption(ctx, 'days', 30, 1, 36_500));
  const column = ctx.column;
  const seedOf = seeder(column);
  const label = ruleLabel(ctx.rule, column);
  return (value) => {
    if (value === null) return null;
    // infinity and -infinity are not dates anyone was born on: nothing to hide, nothing to shift
    if (value === 'infinity' || value === '-infinity') return value;
    const m = ISO_DATE.exec(value);
    if (!m) {
      // the value itself is never quoted: it is the personal data being masked
      throw new LifeboatError('invalid_request', `${label} cannot shift a value that is not an ISO date or timestamp`, {
        hint: 'date_shift reads the ISO format pg_dump writes (DateStyle ISO); use it on date and timestamp columns only',
      });
    }
    const u = uint32(keyed.digest(DATE_SHIFT, seedOf(value))) % (2 * days);
    const shift = u < days ? -(u + 1) : u - days + 1;
    const year = m[5] === undefined ? Number(m[1]) : 1 - Number(m[1]);
    const [y, mo, d] = civilFromDays(daysFromCivil(year, Number(m[2]), Number(m[3])) + shift);
    return `${formatYear(y)}-${pad2(mo)}-${pad2(d)}${m[4]}${y <= 0 ? ' BC' : ''}`;
  };
}

// Proleptic Gregorian day numbers (Howard Hinnant's algorithms): exact integer arithmetic for
// any year, with none of Date's time-zone and two-digit-year traps. Year 0 is 1 BC.
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return [year, month, day];
}

function formatYear(astronomical: number): string {
  // PostgreSQL writes at least four digits, and BC years as 1 BC, 2 BC … (no year zero)
  return String(astronomical <= 0 ? 1 - astronomical : astronomical).padStart(4, '0');
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
