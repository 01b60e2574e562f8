// Which recovery SLOs a database breaches at `now`, as a pure function of its configuration and
// of facts read from the backup and drill catalogs (src/slo/facts.ts reads them). PRODUCT.md
// capability 9, seed 002 "Operational Monitoring and Alerts". Four objectives:
//   - backup_freshness: no verified backup younger than the threshold (`slo.backup_freshness`, or
//     derived from `backup.schedule`: src/slo/thresholds.ts); none without either;
//   - rpo: the newest verified backup is older than `rpo` (what a restore now would lose);
//   - drill_freshness: no passing drill this calendar month (only with `drill` configured; the
//     month before counts until this month's drill is due: thresholds.ts);
//   - backup_failing: the newest backup attempt failed, or a backup newer than the newest verified
//     one was found corrupt.
// A backup's age is counted from when it started: pg_dump's snapshot is taken then, so that is
// the point in time a restore of it returns to. No verified backup at all breaches both
// freshness and the RPO: a database with no restorable backup is out of its objectives.
import type { DatabaseConfig } from '../catalog/types.js';
import { formatDuration } from '../lib/duration.js';
import { drillDueAt, freshnessFromSchedule, monthStart } from './thresholds.js';

export const SLO_KINDS = ['backup_freshness', 'rpo', 'drill_freshness', 'backup_failing'] as const;
export type SloKind = (typeof SLO_KINDS)[number];

export interface SloFacts {
  /** The newest verified backup (`at`: when it started). */
  newestVerified: { id: string; at: Date } | null;
  /** The newest backup that finished, verified or not (`status` as in the backup catalog). */
  newestAttempt: { id: string; status: string; at: Date; error: string | null } | null;
  /** The newest backup found corrupt. */
  newestCorrupt: { id: string; at: Date; reason: string | null } | null;
  /** The last drill that passed (`at`: when it finished). */
  lastPassedDrill: { id: number; at: Date } | null;
}

/** The figures a breach was judged on: plain values for the notification and the API. */
export type BreachDetails = Record<string, string | number | null>;

export interface Breach {
  database: string;
  slo: SloKind;
  /** Stable across evaluations: one open breach per key. */
  key: string;
  /** One sentence with the figures, for people. */
  message: string;
  details: BreachDetails;
}

export const breachKey = (database: string, slo: SloKind) => `${database}/${slo}`;

export function evaluateSlos(db: DatabaseConfig, facts: SloFacts, now: Date): Breach[] {
  const out: Breach[] = [];
  const add = (slo: SloKind, message: string, details: BreachDetails) =>
    out.push({ database: db.name, slo, key: breachKey(db.name, slo), message, details });
  const newest = facts.newestVerified;
  const ageMs = newest === null ? null : Math.max(0, now.getTime() - newest.at.getTime());
  const newestText =
    newest === null || ageMs === null
      ? 'it has no verified backup'
      : `its newest verified backup (${newest.id}) is ${formatDuration(ageMs)} old`;
  const figures = { backup: newest?.id ?? null, ageMs };

  const freshness = backupFreshness(db);
  if (freshness !== undefined && (ageMs === null || ageMs > freshness.ms)) {
    add(
      'backup_freshness',
      `${db.name} has no verified backup from the last ${freshness.text} (${freshness.why}): ${newestText}.`,
      { ...figures, thresholdMs: freshness.ms },
    );
  }

  if (db.rpo !== undefined && (ageMs === null || ageMs > db.rpo.ms)) {
    add('rpo', `${db.name} is outside its RPO of ${db.rpo.text}: ${newestText}.`, { ...figures, rpoMs: db.rpo.ms });
  }

  if (db.drill !== undefined) {
    const thisMonth = monthStart(now);
    const due = drillDueAt(db.drill.schedule, thisMonth);
    const since = now.getTime() >= due.getTime() ? thisMonth : monthStart(now, 1);
    const last = facts.lastPassedDrill;
    if (last === null || last.at.getTime() < since.getTime()) {
      add(
        'drill_freshness',
        `${db.name} has had no passing drill in ${monthName(since)}${since === thisMonth ? ` (due ${stamp(due)})` : ''}; ` +
          `${last === null ? 'it has never passed one' : `the last passed ${stamp(last.at)} (drill ${last.id})`}.`,
        { month: since.toISOString().slice(0, 7), dueAt: due.toISOString(), lastPassedDrill: last?.id ?? null },
      );
    }
  }

  const attempt = facts.newestAttempt;
  const corrupt = facts.newestCorrupt;
  if (attempt?.status === 'failed') {
    add(
      'backup_failing',
      `The newest backup of ${db.name} (${attempt.id}, ${stamp(attempt.at)}) failed${attempt.error ? `: ${attempt.error}` : ''}.`,
      { backup: attempt.id, status: 'failed', reason: attempt.error },
    );
  } else if (corrupt !== null && (newest === null || corrupt.at.getTime() > newest.at.getTime())) {
    add(
      'backup_failing',
      `Backup ${corrupt.id} of ${db.name} (${stamp(corrupt.at)}) was found corrupt, and no newer backup is verified${corrupt.reason ? `: ${corrupt.reason}` : ''}.`,
      { backup: corrupt.id, status: 'corrupt', reason: corrupt.reason },
    );
  }
  return out;
}

/** The backup freshness threshold of a database and where it comes from, or undefined when it has none. */
export function backupFreshness(db: DatabaseConfig): { ms: number; text: string; why: string } | undefined {
  const set = db.slo?.backupFreshness;
  if (set !== undefined) return { ms: set.ms, text: set.text, why: 'slo.backup_freshness' };
  const schedule = db.backup?.schedule;
  if (schedule === undefined) return undefined;
  const ms = freshnessFromSchedule(schedule);
  return { ms, text: formatDuration(ms).replace(/h0m$/, 'h'), why: `from its backup schedule "${schedule}"` };
}

/** What to change: breaches to open (not open yet) and open ones to close (no longer breached). */
export function breachChanges(
  open: readonly { slo: string }[],
  current: readonly Breach[],
): { toOpen: Breach[]; toClose: string[] } {
  const openSlos = new Set(open.map((o) => o.slo));
  const now = new Set(current.map((b) => b.slo));
  return {
    toOpen: current.filter((b) => !openSlos.has(b.slo)),
    toClose: [...openSlos].filter((s) => !now.has(s as SloKind)),
  };
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function monthName(start: Date): string {
  return `${MONTHS[start.getUTCMonth()]} ${start.getUTCFullYear()}`;
}

/** "2026-12-06 03:00 UTC" */
export function stamp(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
