// The metric families /metrics derives from the store, as pure functions of one scrape's
// snapshot (no I/O: tested as tables). Labels stay bounded: a database label only ever names a
// database of the configuration in force (rows of databases removed from it are left out), and
// statuses and channel types are closed sets. Never a run id, a user or a URL.
import { RUN_STATUSES } from '../restore/lifecycle.js';
import { RESTORE_SECONDS_BUCKETS, type HistogramFacts, type StoreSnapshot } from './store-snapshot.js';

export interface Sample {
  labels: Record<string, string>;
  value: number;
  /** For a histogram's `_bucket`, `_sum` and `_count` lines. */
  metricName?: string;
}

export interface FamilyContext {
  /** The configured databases and their owning teams. */
  databases: ReadonlyArray<{ name: string; team: string }>;
  /** Epoch seconds of the scrape. */
  now: number;
}

export interface Family<S> {
  name: string;
  help: string;
  type: 'gauge' | 'histogram';
  samples(snapshot: S, ctx: FamilyContext): Sample[];
}

/** A gauge with one sample per configured database that has a value. */
function perDatabase<T extends { database: string }>(
  rows: readonly T[],
  ctx: FamilyContext,
  value: (row: T) => number | null,
): Sample[] {
  const known = new Set(ctx.databases.map((d) => d.name));
  const out: Sample[] = [];
  for (const row of rows) {
    if (!known.has(row.database)) continue;
    const v = value(row);
    if (v !== null) out.push({ labels: { database: row.database }, value: v });
  }
  return out.sort((a, b) => a.labels.database!.localeCompare(b.labels.database!));
}

/** `_bucket` (cumulative, with +Inf), `_sum` and `_count` lines of each configured database. */
export function histogramSamples(name: string, rows: readonly HistogramFacts[], ctx: FamilyContext): Sample[] {
  const out: Sample[] = [];
  for (const { name: database } of ctx.databases) {
    const h = rows.find((r) => r.database === database) ?? { database, buckets: [], count: 0, sum: 0 };
    RESTORE_SECONDS_BUCKETS.forEach((le, i) =>
      out.push({ metricName: `${name}_bucket`, labels: { database, le: String(le) }, value: h.buckets[i] ?? 0 }),
    );
    out.push({ metricName: `${name}_bucket`, labels: { database, le: '+Inf' }, value: h.count });
    out.push({ metricName: `${name}_sum`, labels: { database }, value: h.sum });
    out.push({ metricName: `${name}_count`, labels: { database }, value: h.count });
  }
  return out;
}

const NOTIFICATION_STATUSES = ['pending', 'delivered', 'dead'] as const;

/**
 * The families read from the store. Where the SLO breach state is merged, its
 * `lifeboat_slo_breach{database,slo}` goes in as a source of its own (METRIC_SOURCES in
 * registry.ts), not here: this list derives from this snapshot only.
 */
export const STORE_FAMILIES: ReadonlyArray<Family<StoreSnapshot>> = [
  {
    name: 'lifeboat_database_info',
    help: 'A configured database (1), with its owning team: join on it to find databases that lack a series.',
    type: 'gauge',
    samples: (_s, ctx) => ctx.databases.map((d) => ({ labels: { database: d.name, team: d.team }, value: 1 })),
  },
  {
    name: 'lifeboat_backup_newest_verified_timestamp_seconds',
    help: 'When the newest verified backup of the database finished (Unix time); absent when it has none.',
    type: 'gauge',
    samples: (s, ctx) => perDatabase(s.backups, ctx, (b) => b.newestVerifiedAt),
  },
  {
    name: 'lifeboat_backup_newest_verified_age_seconds',
    help: 'Age of the newest verified backup of the database at the scrape (what the RPO is judged on).',
    type: 'gauge',
    samples: (s, ctx) =>
      perDatabase(s.backups, ctx, (b) =>
        b.newestVerifiedAt === null ? null : Math.max(0, ctx.now - b.newestVerifiedAt),
      ),
  },
  {
    name: 'lifeboat_backup_last_duration_seconds',
    help: 'How long the newest completely written backup of the database took to write.',
    type: 'gauge',
    samples: (s, ctx) => perDatabase(s.backups, ctx, (b) => b.lastDurationSeconds),
  },
  {
    name: 'lifeboat_backup_last_size_bytes',
    help: 'Size in storage of the newest completely written backup of the database.',
    type: 'gauge',
    samples: (s, ctx) => perDatabase(s.backups, ctx, (b) => b.lastBytes),
  },
  {
    name: 'lifeboat_backup_last_failed',
    help: 'Whether the newest backup of the database that ended failed or was found corrupt (1) or not (0).',
    type: 'gauge',
    samples: (s, ctx) => perDatabase(s.backups, ctx, (b) => (b.lastFailed === null ? null : b.lastFailed ? 1 : 0)),
  },
  {
    name: 'lifeboat_backups',
    help: 'Backups of the database kept in the catalog (not deleted), by status.',
    type: 'gauge',
    samples: (s, ctx) => {
      const known = new Set(ctx.databases.map((d) => d.name));
      return s.backupsByStatus
        .filter((r) => known.has(r.database))
        .map((r) => ({ labels: { database: r.database, status: r.status }, value: r.count }));
    },
  },
  {
    name: 'lifeboat_drill_last_timestamp_seconds',
    help: 'When the last finished restore drill of the database ended (Unix time); absent when it has none.',
    type: 'gauge',
    samples: (s, ctx) => perDatabase(s.drills, ctx, (d) => d.finishedAt),
  },
  {
    name: 'lifeboat_drill_last_passed',
    help: 'Verdict of the last finished restore drill of the database: passed (1) or failed (0).',
    type: 'gauge',
    samples: (s, ctx) => perDatabase(s.drills, ctx, (d) => (d.passed ? 1 : 0)),
  },
  {
    name: 'lifeboat_drill_last_restore_duration_seconds',
    help: 'How long the restore of the last finished drill of the database took.',
    type: 'gauge',
    samples: (s, ctx) => perDatabase(s.drills, ctx, (d) => d.restoreSeconds),
  },
  {
    name: 'lifeboat_drills',
    help: 'Restore drills by status.',
    type: 'gauge',
    samples: (s) => countsOf(['queued', 'running', 'passed', 'failed'], s.drillsByStatus),
  },
  {
    name: 'lifeboat_schema_drift',
    help: "Whether the database's latest schema drift check found drift from its reference (1) or not (0); absent when never checked.",
    type: 'gauge',
    samples: (s, ctx) => perDatabase(s.drift, ctx, (d) => (d.drift ? 1 : 0)),
  },
  {
    name: 'lifeboat_schema_drift_checked_timestamp_seconds',
    help: "When the database's schema was last checked for drift (Unix time).",
    type: 'gauge',
    samples: (s, ctx) => perDatabase(s.drift, ctx, (d) => d.checkedAt),
  },
  {
    name: 'lifeboat_restore_runs',
    help: 'Restore runs by status (every status, zero included).',
    type: 'gauge',
    samples: (s) => countsOf(RUN_STATUSES, s.runsByStatus),
  },
  {
    name: 'lifeboat_restore_queue_depth',
    help: 'Restore runs approved or queued that no worker has started yet.',
    type: 'gauge',
    samples: (s) => [
      {
        labels: {},
        value: s.runsByStatus
          .filter((r) => r.status === 'approved' || r.status === 'queued')
          .reduce((n, r) => n + r.count, 0),
      },
    ],
  },
  {
    name: 'lifeboat_restore_duration_seconds',
    help: 'Duration of completed (and partially completed) restore runs, from a worker starting them to their end.',
    type: 'histogram',
    samples: (s, ctx) => histogramSamples('lifeboat_restore_duration_seconds', s.restoreDuration, ctx),
  },
  {
    name: 'lifeboat_restore_start_delay_seconds',
    help: 'Time from a restore run being approved (submitted, when it needs no approval; its chosen start, when later) to a worker starting it.',
    type: 'histogram',
    samples: (s, ctx) => histogramSamples('lifeboat_restore_start_delay_seconds', s.startDelay, ctx),
  },
  {
    name: 'lifeboat_notifications',
    help: 'Notification messages by channel type and delivery status (pending, delivered, dead: given up on).',
    type: 'gauge',
    samples: (s) => {
      const types = [...new Set(s.notifications.map((n) => n.kind))].sort();
      return types.flatMap((kind) =>
        NOTIFICATION_STATUSES.map((status) => ({
          labels: { channel_type: kind, status },
          value: s.notifications.find((n) => n.kind === kind && n.status === status)?.count ?? 0,
        })),
      );
    },
  },
];

function countsOf(statuses: readonly string[], rows: ReadonlyArray<{ status: string; count: number }>): Sample[] {
  return statuses.map((status) => ({
    labels: { status },
    value: rows.find((r) => r.status === status)?.count ?? 0,
  }));
}
