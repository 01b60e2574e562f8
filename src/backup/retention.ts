// Retention: which backups of one database to keep and which to delete. Pure: no I/O and no
// clock (`now` is passed in); `backup prune [--dry-run]` and the post-backup prune call it, show
// or carry out the decision, and audit every deletion.
//
// The rules. A backup is kept if ANY of them keeps it; every reason that applies is listed.
//   Protected, whatever the policy says:
//     newest_verified  the newest `verified` backup; if none is verified, the newest `completed`
//                      one. A database always keeps one backup it can be restored from.
//     in_use           referenced by a pending or running restore (`opts.inUse`): deleting it
//                      would pull the archive from under the restore.
//     running          still being written; its outcome is not known yet.
//   Policy rules (only usable backups, i.e. `completed` or `verified`, are kept by them):
//     keep_days N      finished within the last N days (by finishedAt, else startedAt); a backup
//                      exactly N days old is still kept.
//     keep_last N      the N newest usable backups; failed and corrupt ones do not count.
//     daily N          the newest usable backup of each of the N most recent calendar days (UTC)
//                      on which there is a usable backup: days without one are not counted, so
//                      a pause in backups never empties the history.
//     weekly N         the same per ISO week (Monday to Sunday, UTC; the week belongs to the ISO
//                      year of its Thursday, so 31 Dec may be in week 1 and 1 Jan in week 52/53).
//     monthly N        the same per calendar month (UTC).
//   Everything else is removed, including `failed`, `cancelled` and `corrupt` backups that are not protected
//   (a corrupt backup is never offered for a restore, so it is never the newest verified).
//
// Retention not configured: a policy with no active rule removes nothing at all. A rule set to
// 0 is off: a deletion cannot be undone, so `keep_last: 0` never means "delete everything".
//
// Output is deterministic whatever the input order: `keep` and `remove` are sorted newest first
// (by finishedAt, else startedAt; equal times by id, descending), reasons follow KEEP_REASONS.
import { LifeboatError } from '../errors.js';
import { type BackupStatus } from './status.js';

export interface RetentionPolicy {
  keepDays?: number;
  keepLast?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
}

export interface BackupForRetention {
  id: string;
  finishedAt: Date | null;
  startedAt: Date;
  status: BackupStatus;
}

/** Every reason a backup can be kept for, in the order a kept backup lists them. */
export const KEEP_REASONS = [
  'newest_verified',
  'in_use',
  'running',
  'keep_days',
  'keep_last',
  'daily',
  'weekly',
  'monthly',
] as const;

export type KeepReason = (typeof KEEP_REASONS)[number];

export interface RetentionDecision {
  /** `reasons` is empty only when retention is not configured (nothing is removed then). */
  keep: Array<{ id: string; reasons: KeepReason[] }>;
  remove: Array<{ id: string; why: string }>;
}

export interface RetentionOptions {
  now: Date;
  /** Ids of backups referenced by a pending or running restore. */
  inUse: ReadonlySet<string>;
  /** Calendar days, weeks and months are taken in this zone. Only UTC today. */
  timeZone?: 'UTC';
}

const DAY_MS = 86_400_000;

type Period = 'daily' | 'weekly' | 'monthly';
const PERIODS: readonly Period[] = ['daily', 'weekly', 'monthly'];

export function planRetention(
  backups: BackupForRetention[],
  policy: RetentionPolicy,
  opts: RetentionOptions,
): RetentionDecision {
  const rules = activeRules(policy);
  const timeZone = opts.timeZone ?? 'UTC';
  const sorted = newestFirst(backups);
  const reasons = new Map<string, Set<KeepReason>>(sorted.map((b) => [b.id, new Set<KeepReason>()]));
  const add = (id: string, reason: KeepReason) => reasons.get(id)!.add(reason);

  // Protection first: it holds whatever the policy says.
  // an unverifiable backup (its storage could not be read) is kept like a completed one
  const anchor =
    sorted.find((b) => b.status === 'verified') ??
    sorted.find((b) => b.status === 'completed' || b.status === 'unverifiable');
  if (anchor) add(anchor.id, 'newest_verified');
  for (const b of sorted) {
    if (opts.inUse.has(b.id)) add(b.id, 'in_use');
    if (b.status === 'running' || b.status === 'queued') add(b.id, 'running');
  }

  const usable = sorted.filter((b) => isUsable(b.status));
  if (rules.keepDays !== undefined) {
    const cutoff = opts.now.getTime() - rules.keepDays * DAY_MS;
    for (const b of usable) if (timeOf(b) >= cutoff) add(b.id, 'keep_days');
  }
  if (rules.keepLast !== undefined) {
    for (const b of usable.slice(0, rules.keepLast)) add(b.id, 'keep_last');
  }
  for (const period of PERIODS) {
    const n = rules[period];
    if (n === undefined) continue;
    // `usable` is newest first, so the first backup seen in a period is that period's newest,
    // and periods are met newest first: the first n distinct periods are the n most recent.
    const seen = new Set<string>();
    for (const b of usable) {
      const key = periodKey(period, new Date(timeOf(b)), timeZone);
      if (seen.has(key)) continue;
      if (seen.size === n) break;
      seen.add(key);
      add(b.id, period);
    }
  }

  const decision: RetentionDecision = { keep: [], remove: [] };
  const configured = Object.keys(rules).length > 0;
  for (const b of sorted) {
    const why = reasons.get(b.id)!;
    if (why.size > 0 || !configured) {
      decision.keep.push({ id: b.id, reasons: KEEP_REASONS.filter((r) => why.has(r)) });
    } else {
      decision.remove.push({ id: b.id, why: removalReason(b, rules) });
    }
  }
  return decision;
}

/** The ISO 8601 week of a UTC instant: Monday-start weeks, numbered within the ISO year of their Thursday. */
export function isoWeekOf(at: Date): { year: number; week: number } {
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const mondayBased = (at.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(day + (3 - mondayBased) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return { year, week };
}

/** The policy's rules that are on (set and above 0), checked once so the rest can trust them. */
function activeRules(policy: RetentionPolicy): RetentionPolicy {
  const rules: RetentionPolicy = {};
  const names = { keepDays: 'keep_days', keepLast: 'keep_last', daily: 'daily', weekly: 'weekly', monthly: 'monthly' };
  for (const key of Object.keys(names) as Array<keyof RetentionPolicy>) {
    const value = policy[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0) {
      throw new LifeboatError(
        'config_invalid',
        `retention ${names[key]} must be a whole number of 0 or more, not ${value}`,
        {
          hint: `set ${names[key]} to a count such as 7, or leave it out to turn the rule off`,
        },
      );
    }
    if (value > 0) rules[key] = value;
  }
  return rules;
}

function removalReason(b: BackupForRetention, rules: RetentionPolicy): string {
  switch (b.status) {
    case 'failed':
    case 'corrupt':
    case 'cancelled':
      return `${b.status} backup: unusable for a restore`;
    case 'completed':
    case 'verified':
    case 'unverifiable': {
      const parts: string[] = [];
      if (rules.keepDays !== undefined)
        parts.push(`older than ${rules.keepDays} day${rules.keepDays === 1 ? '' : 's'}`);
      const counted = [
        rules.keepLast === undefined ? null : `keep_last ${rules.keepLast}`,
        ...PERIODS.map((p) => (rules[p] === undefined ? null : `${p} ${rules[p]}`)),
      ].filter((s): s is string => s !== null);
      if (counted.length > 0) parts.push(`not needed by ${counted.join(', ')}`);
      return parts.join(' and ');
    }
    case 'queued':
    case 'running':
      // queued and running backups are always kept; reaching here is a bug in planRetention
      throw new LifeboatError('internal', `retention tried to remove running backup ${b.id}`);
    default: {
      const never: never = b.status;
      throw new Error(`unknown backup status ${String(never)}`);
    }
  }
}

function isUsable(status: BackupStatus): boolean {
  switch (status) {
    case 'completed':
    case 'verified':
    case 'unverifiable':
      return true;
    case 'queued':
    case 'running':
    case 'corrupt':
    case 'failed':
    case 'cancelled':
      return false;
    default: {
      const never: never = status;
      throw new Error(`unknown backup status ${String(never)}`);
    }
  }
}

function periodKey(period: Period, at: Date, timeZone: 'UTC'): string {
  if (timeZone !== 'UTC') {
    const never: never = timeZone;
    throw new Error(`unsupported retention time zone ${String(never)}`);
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  switch (period) {
    case 'daily':
      return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`;
    case 'weekly': {
      const { year, week } = isoWeekOf(at);
      return `${year}-W${pad(week)}`;
    }
    case 'monthly':
      return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}`;
    default: {
      const never: never = period;
      throw new Error(`unknown retention period ${String(never)}`);
    }
  }
}

function timeOf(b: BackupForRetention): number {
  return (b.finishedAt ?? b.startedAt).getTime();
}

function newestFirst(backups: BackupForRetention[]): BackupForRetention[] {
  const ids = new Set<string>();
  for (const b of backups) {
    if (ids.has(b.id)) throw new LifeboatError('internal', `retention was given backup ${b.id} twice`);
    ids.add(b.id);
  }
  return [...backups].sort((a, b) => timeOf(b) - timeOf(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}
