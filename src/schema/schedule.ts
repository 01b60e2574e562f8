// Scheduled drift checks (`schema.drift_schedule`): pg-boss fires one cron per database, each on
// its own queue (pg-boss keeps one schedule per queue name); the worker runs the same check as
// `lifeboat schema drift`, as the actor `scheduler` (src/runtime/jobs.ts).
import type { Catalog } from '../catalog/types.js';

export const DRIFT_QUEUE_PREFIX = 'schema.drift.scheduled.';
export const scheduledDriftQueue = (database: string) => `${DRIFT_QUEUE_PREFIX}${database}`;

/** The drift cron schedules lifeboat.yaml asks for: queue name → cron. */
export function wantedDriftSchedules(catalog: Catalog): Map<string, string> {
  return new Map(
    Object.values(catalog.databases)
      .filter((d) => d.schema?.driftSchedule)
      .map((d) => [scheduledDriftQueue(d.name), d.schema!.driftSchedule!]),
  );
}
