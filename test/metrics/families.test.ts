// The store-derived metric families as pure functions of a snapshot: only configured databases
// are labelled, absent facts give absent series (not zeros), every status of a closed set is
// present, and the histograms are cumulative with +Inf equal to the count.
import { describe, expect, it } from 'vitest';
import { type FamilyContext, type Sample, STORE_FAMILIES } from '../../src/metrics/families.js';
import { cumulative, RESTORE_SECONDS_BUCKETS, type StoreSnapshot } from '../../src/metrics/store-snapshot.js';
import { RUN_STATUSES } from '../../src/restore/lifecycle.js';
import { sloBreachSamples } from '../../src/metrics/slo-breaches.js';

const NOW = 1_800_000_000;
const ctx: FamilyContext = {
  databases: [
    { name: 'CustomerDB', team: 'team-alpha' },
    { name: 'BillingDB', team: 'team-beta' },
  ],
  now: NOW,
};

const empty: StoreSnapshot = {
  backups: [],
  backupsByStatus: [],
  drills: [],
  drillsByStatus: [],
  drift: [],
  runsByStatus: [],
  restoreDuration: [],
  startDelay: [],
  notifications: [],
};

const snapshot: StoreSnapshot = {
  ...empty,
  backups: [
    {
      database: 'CustomerDB',
      newestVerifiedAt: NOW - 3600,
      lastDurationSeconds: 12.5,
      lastBytes: 4096,
      lastFailed: false,
    },
    // no verified backup yet, the last one failed
    { database: 'BillingDB', newestVerifiedAt: null, lastDurationSeconds: null, lastBytes: null, lastFailed: true },
    // a database removed from the configuration: never labelled
    { database: 'GoneDB', newestVerifiedAt: NOW - 60, lastDurationSeconds: 1, lastBytes: 1, lastFailed: false },
  ],
  backupsByStatus: [
    { database: 'CustomerDB', status: 'verified', count: 3 },
    { database: 'GoneDB', status: 'verified', count: 1 },
  ],
  drills: [
    { database: 'CustomerDB', finishedAt: NOW - 600, passed: false, restoreSeconds: 4.25 },
    { database: 'GoneDB', finishedAt: NOW - 60, passed: true, restoreSeconds: 1 },
  ],
  drillsByStatus: [{ status: 'failed', count: 1 }],
  drift: [
    { database: 'CustomerDB', checkedAt: NOW - 30, drift: true },
    { database: 'BillingDB', checkedAt: NOW - 30, drift: false },
  ],
  runsByStatus: [
    { status: 'queued', count: 2 },
    { status: 'approved', count: 1 },
    { status: 'completed', count: 7 },
  ],
  restoreDuration: [{ database: 'CustomerDB', buckets: [0, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3], count: 4, sum: 900 }],
  notifications: [
    { kind: 'slack', status: 'delivered', count: 5 },
    { kind: 'slack', status: 'dead', count: 1 },
    { kind: 'email', status: 'pending', count: 2 },
  ],
};

function samples(name: string, s: StoreSnapshot = snapshot): Sample[] {
  const family = STORE_FAMILIES.find((f) => f.name === name);
  if (!family) throw new Error(`no family ${name}`);
  return family.samples(s, ctx);
}

const byDatabase = (xs: Sample[]) => Object.fromEntries(xs.map((x) => [x.labels.database, x.value]));

describe('store metric families', () => {
  it.each<[string, Record<string, number>]>([
    ['lifeboat_database_info', { CustomerDB: 1, BillingDB: 1 }],
    ['lifeboat_backup_newest_verified_timestamp_seconds', { CustomerDB: NOW - 3600 }],
    ['lifeboat_backup_newest_verified_age_seconds', { CustomerDB: 3600 }],
    ['lifeboat_backup_last_duration_seconds', { CustomerDB: 12.5 }],
    ['lifeboat_backup_last_size_bytes', { CustomerDB: 4096 }],
    ['lifeboat_backup_last_failed', { CustomerDB: 0, BillingDB: 1 }],
    ['lifeboat_drill_last_timestamp_seconds', { CustomerDB: NOW - 600 }],
    ['lifeboat_drill_last_passed', { CustomerDB: 0 }],
    ['lifeboat_drill_last_restore_duration_seconds', { CustomerDB: 4.25 }],
    ['lifeboat_schema_drift', { CustomerDB: 1, BillingDB: 0 }],
    ['lifeboat_schema_drift_checked_timestamp_seconds', { CustomerDB: NOW - 30, BillingDB: NOW - 30 }],
  ])('%s: configured databases only, absent where there is no fact', (name, expected) => {
    expect(byDatabase(samples(name))).toEqual(expected);
  });

  it('gives no per-database series from an empty store but the configured databases themselves', () => {
    for (const f of STORE_FAMILIES) {
      const got = f.samples(empty, ctx);
      if (f.name === 'lifeboat_database_info') expect(got).toHaveLength(2);
      else if (f.type === 'histogram') expect(got.every((s) => s.value === 0)).toBe(true);
      else if (['lifeboat_restore_runs', 'lifeboat_drills', 'lifeboat_restore_queue_depth'].includes(f.name))
        expect(got.every((s) => s.value === 0)).toBe(true);
      else expect(got, f.name).toEqual([]);
    }
  });

  it('never reports a negative backup age (a clock behind the store)', () => {
    const ahead = { ...empty, backups: [{ ...snapshot.backups[0]!, newestVerifiedAt: NOW + 5 }] };
    expect(byDatabase(samples('lifeboat_backup_newest_verified_age_seconds', ahead))).toEqual({ CustomerDB: 0 });
  });

  it('counts runs in every status, zero included, and the queue as approved + queued', () => {
    const runs = samples('lifeboat_restore_runs');
    expect(runs.map((r) => r.labels.status)).toEqual([...RUN_STATUSES]);
    expect(Object.fromEntries(runs.filter((r) => r.value > 0).map((r) => [r.labels.status, r.value]))).toEqual({
      queued: 2,
      approved: 1,
      completed: 7,
    });
    expect(samples('lifeboat_restore_queue_depth')).toEqual([{ labels: {}, value: 3 }]);
    expect(samples('lifeboat_drills').map((d) => [d.labels.status, d.value])).toEqual([
      ['queued', 0],
      ['running', 0],
      ['passed', 0],
      ['failed', 1],
    ]);
  });

  it('labels backups by status for configured databases only', () => {
    expect(samples('lifeboat_backups')).toEqual([{ labels: { database: 'CustomerDB', status: 'verified' }, value: 3 }]);
  });

  it('gives each channel type every delivery status', () => {
    expect(samples('lifeboat_notifications').map((n) => [n.labels.channel_type, n.labels.status, n.value])).toEqual([
      ['email', 'pending', 2],
      ['email', 'delivered', 0],
      ['email', 'dead', 0],
      ['slack', 'pending', 0],
      ['slack', 'delivered', 5],
      ['slack', 'dead', 1],
    ]);
  });

  it('writes histograms cumulatively per configured database, +Inf equal to the count', () => {
    const h = samples('lifeboat_restore_duration_seconds');
    const customer = h.filter((s) => s.labels.database === 'CustomerDB');
    const buckets = customer.filter((s) => s.metricName === 'lifeboat_restore_duration_seconds_bucket');
    expect(buckets.map((b) => b.labels.le)).toEqual([...RESTORE_SECONDS_BUCKETS.map(String), '+Inf']);
    expect(buckets.map((b) => b.value)).toEqual([0, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4]);
    expect(customer.find((s) => s.metricName === 'lifeboat_restore_duration_seconds_sum')?.value).toBe(900);
    expect(customer.find((s) => s.metricName === 'lifeboat_restore_duration_seconds_count')?.value).toBe(4);
    // a configured database without runs: all zero, so rate() and histogram_quantile() see it
    const billing = h.filter((s) => s.labels.database === 'BillingDB');
    expect(billing).toHaveLength(RESTORE_SECONDS_BUCKETS.length + 3);
    expect(billing.every((s) => s.value === 0)).toBe(true);
  });

  it('names every family lifeboat_*, in snake case, with help text', () => {
    for (const f of STORE_FAMILIES) {
      expect(f.name).toMatch(/^lifeboat_[a-z0-9_]+$/);
      expect(f.name).not.toMatch(/_total$/); // none is a counter
      expect(f.help.length).toBeGreaterThan(20);
    }
  });

  it("turns the store's per-slot counts into cumulative buckets (slot k: at most the k-th bound; past the last: +Inf only)", () => {
    const last = RESTORE_SECONDS_BUCKETS.length;
    expect(
      cumulative({
        database: 'CustomerDB',
        slots: { '1': 2, '3': 1, [String(last)]: 1, [String(last + 1)]: 4 },
        count: 8,
        sum: 1e6,
      }),
    ).toEqual({ database: 'CustomerDB', buckets: [2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4], count: 8, sum: 1e6 });
    expect(cumulative({ database: 'CustomerDB', slots: {}, count: 0, sum: 0 }).buckets).toEqual(
      RESTORE_SECONDS_BUCKETS.map(() => 0),
    );
  });

  it('SLO breaches: every SLO of every configured database, 1 where open, nothing for an unconfigured database', () => {
    const samples = sloBreachSamples(
      [
        { database: 'CustomerDB', slo: 'rpo' },
        { database: 'GoneDB', slo: 'rpo' },
      ],
      ctx,
    );
    expect(samples).toHaveLength(8);
    expect(samples.filter((s) => s.value === 1)).toEqual([
      { labels: { database: 'CustomerDB', slo: 'rpo' }, value: 1 },
    ]);
    expect(samples.some((s) => s.labels.database === 'GoneDB')).toBe(false);
  });
});
