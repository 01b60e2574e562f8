// The small value types lifeboat.yaml is built from: names, references, durations, cron
// expressions, job counts. Checks that zod cannot express carry their issue code in `params`,
// so that the issue mapper reports `invalid_duration` rather than a generic "custom" error.
// the very cron-parser pg-boss evaluates schedules with (package.json pins its major), so a
// schedule that loads is one the scheduler takes
import cronParser from 'cron-parser';
import { z } from 'zod';
import { parseDuration } from '../lib/duration.js';

/** Names of teams, users, servers, storage, databases and channels. */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;

export const nameKey = z.string().regex(NAME_PATTERN);

/** A name that must be defined in another section (checked across sections after parsing). */
export const reference = z.string().min(1);

export const duration = z
  .string()
  .superRefine((text, ctx) => {
    if (parseDuration(text) !== undefined) return;
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not a duration`,
      params: {
        code: 'invalid_duration',
        hint: 'write a number and a unit without spaces (ms, s, m, h, d, w): 90s, 15m, 1h, 30d, or combined 1h30m',
      },
    });
  })
  .meta({ description: 'a duration such as 90s, 15m, 1h, 30d, 2w or 1h30m' });

export const cron = z
  .string()
  .superRefine((text, ctx) => {
    const problem = cronProblem(text);
    if (problem === undefined) return;
    ctx.addIssue({
      code: 'custom',
      message: problem,
      params: {
        code: 'invalid_cron',
        hint: 'five fields (minute hour day-of-month month day-of-week), or six with one second first; "0 2 * * *" is 02:00 every day',
      },
    });
  })
  .meta({ description: 'a cron expression with 5 fields, or 6 with one second first (at most once a minute)' });

function cronProblem(text: string): string | undefined {
  // cron-parser also takes @daily and 3-field forms; we hold to the two forms people can read.
  const fields = text.trim().split(/\s+/).filter(Boolean).length;
  const notCron = (why: string) => `"${text}" is not a cron expression: ${why}`;
  if (fields !== 5 && fields !== 6) return notCron(`it has ${fields} field${fields === 1 ? '' : 's'}`);
  let seconds: readonly number[];
  try {
    const expression = cronParser.parseExpression(text, { tz: 'UTC' });
    // pg-boss asks every entry for its last occurrence, and one that throws there stops them all
    expression.prev();
    seconds = expression.fields.second;
  } catch (err) {
    return notCron(err instanceof Error ? err.message : String(err));
  }
  // pg-boss fires an entry at most once a minute: "*/10 * * * * *" would quietly mean "* * * * *"
  if (seconds.length > 1) return `"${text}" fires more than once a minute; a schedule fires at most once a minute`;
  return undefined;
}

/** Parallel jobs of pg_dump / pg_restore. */
export const jobs = z.number().int().min(1).max(16);

export const count = z.number().int().min(0);
