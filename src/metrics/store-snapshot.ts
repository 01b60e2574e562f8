// What /metrics reads from the control-plane store at scrape time, in one query (one round trip
// per scrape, whatever the number of metrics): per database the newest verified backup, the
// last written backup, the last finished drill and the latest drift check; counts of runs,
// drills and notifications by status; and the restore durations and start delays folded into
// histogram buckets by the store. Control-plane tables are small (rows per run, backup, drill
// and message), so each part is a plain aggregate.
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../store/db.js';

/** Bucket upper bounds (seconds) of the restore duration and start delay histograms. */
export const RESTORE_SECONDS_BUCKETS = [10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400] as const;

export interface BackupFacts {
  database: string;
  /** Epoch seconds the newest verified backup finished; null when there is none. */
  newestVerifiedAt: number | null;
  /** The newest backup that was written completely (completed, verified, corrupt, unverifiable). */
  lastDurationSeconds: number | null;
  lastBytes: number | null;
  /** Whether the newest backup that ended, ended failed or corrupt. */
  lastFailed: boolean | null;
}

export interface DrillFacts {
  database: string;
  finishedAt: number;
  passed: boolean;
  restoreSeconds: number | null;
}

export interface DriftFacts {
  database: string;
  checkedAt: number;
  drift: boolean;
}

export interface HistogramFacts {
  database: string;
  /** Cumulative counts, one per RESTORE_SECONDS_BUCKETS entry. */
  buckets: number[];
  count: number;
  sum: number;
}

export interface StoreSnapshot {
  backups: BackupFacts[];
  backupsByStatus: Array<{ database: string; status: string; count: number }>;
  drills: DrillFacts[];
  drillsByStatus: Array<{ status: string; count: number }>;
  drift: DriftFacts[];
  runsByStatus: Array<{ status: string; count: number }>;
  restoreDuration: HistogramFacts[];
  startDelay: HistogramFacts[];
  notifications: Array<{ kind: string; status: string; count: number }>;
}

type Fragment = RawBuilder<unknown>;

/** Reads the snapshot in one statement. */
export async function readStoreSnapshot(db: Db): Promise<StoreSnapshot> {
  const buckets = sql.raw(`array[${RESTORE_SECONDS_BUCKETS.join(',')}]::float8[]`);
  // per database, the runs `where` holds of counted by the slot of `seconds`: the 1-based index of
  // the smallest bucket bound >= seconds (bounds + 1: above all of them). width_bucket's buckets
  // include their lower bound, a Prometheus bucket its upper one, hence the `= any` correction.
  const histogram = (seconds: Fragment, where: Fragment) => sql`(
    select coalesce(json_agg(h), '[]') from (
      select database, json_object_agg(slot, n) as slots, sum(n)::int as count, sum(total)::float8 as sum
        from (select database, width_bucket(d, ${buckets}) + case when d = any(${buckets}) then 0 else 1 end as slot,
                     count(*) as n, sum(d) as total
                from (select database, ${seconds} as d from restore_runs where ${where}) s
               group by 1, 2) g
       group by database) h)`;
  // startDelay, a run's wait: from approval (submission, when it needed none; its chosen start,
  // when later) to a worker starting it
  const { rows } = await sql<{ snapshot: RawSnapshot }>`
    select json_build_object(
      'backups', (
        select coalesce(json_agg(b), '[]') from (
          select d.database,
                 (select date_part('epoch', max(finished_at)) from backups
                   where database = d.database and status = 'verified' and deleted_at is null) as "newestVerifiedAt",
                 w.duration as "lastDurationSeconds", w.bytes as "lastBytes",
                 (select status in ('failed', 'corrupt') from backups
                   where database = d.database and status in ('verified', 'completed', 'unverifiable', 'failed', 'corrupt')
                   order by created_at desc limit 1) as "lastFailed"
            from (select distinct database from backups) d
            left join lateral (
              select date_part('epoch', finished_at - started_at) as duration, bytes from backups
               where database = d.database and status in ('completed', 'verified', 'corrupt', 'unverifiable')
                 and finished_at is not null and started_at is not null
               order by finished_at desc limit 1) w on true) b),
      'backupsByStatus', (
        select coalesce(json_agg(s), '[]') from (
          select database, status, count(*)::int as count from backups where deleted_at is null group by 1, 2) s),
      'drills', (
        select coalesce(json_agg(x), '[]') from (
          select distinct on (database) database, date_part('epoch', finished_at) as "finishedAt",
                 status = 'passed' as passed, restore_ms::float8 / 1000 as "restoreSeconds"
            from drills where status in ('passed', 'failed') and finished_at is not null
           order by database, finished_at desc) x),
      'drillsByStatus', (
        select coalesce(json_agg(s), '[]') from (select status, count(*)::int as count from drills group by 1) s),
      'drift', (
        select coalesce(json_agg(x), '[]') from (
          select distinct on (database) database, date_part('epoch', checked_at) as "checkedAt", drift
            from schema_drift_reports order by database, checked_at desc) x),
      'runsByStatus', (
        select coalesce(json_agg(s), '[]') from (select status, count(*)::int as count from restore_runs group by 1) s),
      'restoreDuration', ${histogram(
        sql`date_part('epoch', finished_at - started_at)`,
        sql`status in ('completed', 'partial') and started_at is not null and finished_at is not null`,
      )},
      'startDelay', ${histogram(
        sql`greatest(0, date_part('epoch', started_at - greatest(coalesce(approved_at, submitted_at), coalesce(start_at, '-infinity'))))`,
        sql`started_at is not null and coalesce(approved_at, submitted_at) is not null`,
      )},
      'notifications', (
        select coalesce(json_agg(s), '[]') from (
          select kind, status, count(*)::int as count from notifications group by 1, 2) s)
    ) as snapshot`.execute(db);
  const raw = rows[0]!.snapshot;
  return {
    ...raw,
    restoreDuration: raw.restoreDuration.map(cumulative),
    startDelay: raw.startDelay.map(cumulative),
  };
}

interface SlotCounts {
  database: string;
  /** Runs per slot: "1" ≤ the first bound, …, bounds + 1 above the last. */
  slots: Record<string, number>;
  count: number;
  sum: number;
}

type RawSnapshot = Omit<StoreSnapshot, 'restoreDuration' | 'startDelay'> & {
  restoreDuration: SlotCounts[];
  startDelay: SlotCounts[];
};

/** Counts per slot as Prometheus buckets: each bound counts every run at or below it. */
export function cumulative(h: SlotCounts): HistogramFacts {
  let below = 0;
  const buckets = RESTORE_SECONDS_BUCKETS.map((_, i) => (below += h.slots[String(i + 1)] ?? 0));
  return { database: h.database, buckets, count: h.count, sum: h.sum };
}
