// When scheduled drills fire, as pure rules: `drill.schedule` is first_sunday, monthly or a cron
// expression. pg-boss fires one cron per database; "the first Sunday of the month" is every
// Sunday at 03:00 UTC whose day of the month is 7 or less (cron cannot AND a day of the month
// with a day of the week: it ORs them).
import type { Catalog } from '../catalog/types.js';

/** pg-boss keeps one schedule per queue name, so each database has its own scheduled queue. */
export const scheduledDrillQueue = (database: string) => `drill.scheduled.${database}`;

export function drillCron(schedule: string): string {
  switch (schedule) {
    case 'first_sunday':
      return '0 3 * * 0';
    case 'monthly':
      return '0 3 1 * *';
    default:
      return schedule;
  }
}

/** Whether a firing of the cron at `now` is a drill (first_sunday: only in the month's first week). */
export function drillDue(schedule: string, now: Date): boolean {
  return schedule !== 'first_sunday' || now.getUTCDate() <= 7;
}

/** The cron schedules lifeboat.yaml asks for: queue name → cron. */
export function wantedDrillSchedules(catalog: Catalog): Map<string, string> {
  return new Map(
    Object.values(catalog.databases)
      .filter((d) => d.drill?.schedule)
      .map((d) => [scheduledDrillQueue(d.name), drillCron(d.drill!.schedule!)]),
  );
}
