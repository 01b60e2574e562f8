// The thresholds the SLOs are judged against, derived from the schedules (pure; the clock is an
// argument):
//   - backup freshness: the longest interval between two firings of `backup.schedule`, plus a
//     third of it (at least 2 hours, for the backup to run and be verified): 6-hourly → 8h as in
//     seed 002, daily → 32h, hourly → 3h, weekdays at 02:00 → 4d. The longest interval, so that
//     a schedule with a gap (no backups at the weekend) never alerts on the Monday.
//   - drill freshness: a passing drill every calendar month (UTC). A month's drill is due one day
//     after the month's first firing of `drill.schedule` (first_sunday: as late as the 7th, 03:00
//     UTC); without a schedule, on the 8th. Until then the month before is what counts, so the
//     1st of a month is never a breach (and never a "recovery") in itself.
import cronParser from 'cron-parser';
import { drillCron } from '../drills/schedule.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** At least this long after a scheduled firing before its backup is missed. */
export const MIN_BACKUP_GRACE_MS = 2 * HOUR;
/** After the month's first scheduled drill, this long to pass it (or re-run it) before the SLO is breached. */
export const DRILL_GRACE_MS = DAY;
/** Without a drill schedule, a passing drill is due by this long into the month. */
export const UNSCHEDULED_DRILL_DUE_MS = 7 * DAY;

// from a fixed anchor so that the threshold of a schedule does not depend on the day it is asked
const ANCHOR = Date.UTC(2025, 0, 1);
const WINDOW_MS = 35 * DAY;
const MAX_FIRINGS = 500;
const intervals = new Map<string, number>();

/** The longest interval between two consecutive firings of `cron` (over five weeks, or 500 firings). */
export function longestInterval(cron: string): number {
  const known = intervals.get(cron);
  if (known !== undefined) return known;
  const it = cronParser.parseExpression(cron, { tz: 'UTC', currentDate: new Date(ANCHOR) });
  let prev = it.next().toDate().getTime();
  let longest = 0;
  for (let i = 0; i < MAX_FIRINGS; i++) {
    const t = it.next().toDate().getTime();
    longest = Math.max(longest, t - prev);
    prev = t;
    if (t - ANCHOR > WINDOW_MS && longest > 0) break;
  }
  intervals.set(cron, longest);
  return longest;
}

/** The default backup freshness threshold of a backup schedule. */
export function freshnessFromSchedule(cron: string): number {
  const interval = longestInterval(cron);
  return interval + Math.max(MIN_BACKUP_GRACE_MS, Math.round(interval / 3));
}

export function monthStart(at: Date, monthsBack = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - monthsBack, 1));
}

/**
 * When the drill of the month that starts at `start` is due: one day after its first scheduled
 * firing in that month, or the 8th without a schedule. A schedule that does not fire in the
 * month (a yearly cron) makes it due at the month's end: that month counts as the one before.
 */
export function drillDueAt(schedule: string | undefined, start: Date): Date {
  if (schedule === undefined) return new Date(start.getTime() + UNSCHEDULED_DRILL_DUE_MS);
  const next = monthStart(start, -1);
  // first_sunday fires every Sunday; its first firing of a month is the month's first Sunday
  const it = cronParser.parseExpression(drillCron(schedule), {
    tz: 'UTC',
    currentDate: new Date(start.getTime() - 1000),
  });
  const first = it.next().toDate();
  if (first.getTime() >= next.getTime()) return next;
  return new Date(first.getTime() + DRILL_GRACE_MS);
}
