// The SLO rules, table-driven (src/slo/evaluate.ts, src/slo/thresholds.ts): each case names the
// exact breaches (slo and message) of one database at one instant. The clock is an argument.
import { describe, expect, it } from 'vitest';
import type { DatabaseConfig, DrillConfig } from '../../src/catalog/types.js';
import { parseDuration } from '../../src/lib/duration.js';
import { breachChanges, evaluateSlos, type SloFacts } from '../../src/slo/evaluate.js';
import { drillDueAt, freshnessFromSchedule, longestInterval } from '../../src/slo/thresholds.js';

const H = 3_600_000;
const dur = (text: string) => ({ text, ms: parseDuration(text)! });

function database(o: {
  schedule?: string;
  rpo?: string;
  freshness?: string;
  drill?: Partial<DrillConfig> | true;
}): DatabaseConfig {
  return {
    name: 'CustomerDB',
    server: 'prod-pg01',
    dbname: 'customer',
    owner: 'team-alpha',
    destinations: [],
    approvals: 0,
    ...(o.rpo ? { rpo: dur(o.rpo) } : {}),
    keepPrevious: dur('24h'),
    keepPreviousCount: 1,
    keepFailed: false,
    restore: {},
    backup: { storage: 'main', jobs: 2, retention: {}, ...(o.schedule ? { schedule: o.schedule } : {}) },
    masking: { sensitive: [], rules: [], threads: 'auto' },
    postRestore: [],
    verify: [],
    ...(o.drill
      ? { drill: { target: 'dev-pg01', checks: [], keepOnFailure: false, ...(o.drill === true ? {} : o.drill) } }
      : {}),
    ...(o.freshness ? { slo: { backupFreshness: dur(o.freshness) } } : {}),
  };
}

const NOW = new Date('2026-12-15T12:00:00Z'); // a Tuesday
const ago = (hours: number, from = NOW) => new Date(from.getTime() - hours * H);
const NONE: SloFacts = { newestVerified: null, newestAttempt: null, newestCorrupt: null, lastPassedDrill: null };
const verified = (hours: number): Partial<SloFacts> => ({
  newestVerified: { id: 'b-new', at: ago(hours) },
  newestAttempt: { id: 'b-new', status: 'verified', at: ago(hours), error: null },
});
const drilled = (at: string): Partial<SloFacts> => ({ lastPassedDrill: { id: 7, at: new Date(at) } });

interface Case {
  name: string;
  db: DatabaseConfig;
  facts: Partial<SloFacts>;
  now?: Date;
  /** "slo: message" of each breach, in order. */
  breaches: string[];
}

const CASES: Case[] = [
  { name: 'no schedule, no rpo, no drill: nothing to judge', db: database({}), facts: {}, breaches: [] },
  {
    name: '6-hourly schedule: 7h59m old is fresh',
    db: database({ schedule: '0 */6 * * *' }),
    facts: verified(7.98),
    breaches: [],
  },
  {
    name: '6-hourly schedule: 8h exactly is fresh (the threshold is "older than")',
    db: database({ schedule: '0 */6 * * *' }),
    facts: verified(8),
    breaches: [],
  },
  {
    name: '6-hourly schedule: 9h old breaches the 8h threshold of seed 002',
    db: database({ schedule: '0 */6 * * *' }),
    facts: verified(9),
    breaches: [
      'backup_freshness: CustomerDB has no verified backup from the last 8h (from its backup schedule "0 */6 * * *"): its newest verified backup (b-new) is 9h0m old.',
    ],
  },
  {
    name: 'daily schedule: 30h is fresh, 33h is not (32h)',
    db: database({ schedule: '0 2 * * *' }),
    facts: verified(33),
    breaches: [
      'backup_freshness: CustomerDB has no verified backup from the last 32h (from its backup schedule "0 2 * * *"): its newest verified backup (b-new) is 33h0m old.',
    ],
  },
  { name: 'daily schedule: 30h is fresh', db: database({ schedule: '0 2 * * *' }), facts: verified(30), breaches: [] },
  {
    name: 'an override wins over the schedule',
    db: database({ schedule: '0 */6 * * *', freshness: '2h' }),
    facts: verified(3),
    breaches: [
      'backup_freshness: CustomerDB has no verified backup from the last 2h (slo.backup_freshness): its newest verified backup (b-new) is 3h0m old.',
    ],
  },
  {
    name: 'an override without a schedule',
    db: database({ freshness: '1d' }),
    facts: verified(25),
    breaches: [
      'backup_freshness: CustomerDB has no verified backup from the last 1d (slo.backup_freshness): its newest verified backup (b-new) is 25h0m old.',
    ],
  },
  {
    name: 'no verified backup at all breaches freshness and the RPO',
    db: database({ schedule: '0 */6 * * *', rpo: '1h' }),
    facts: {},
    breaches: [
      'backup_freshness: CustomerDB has no verified backup from the last 8h (from its backup schedule "0 */6 * * *"): it has no verified backup.',
      'rpo: CustomerDB is outside its RPO of 1h: it has no verified backup.',
    ],
  },
  { name: 'rpo 1h: 59m old is inside', db: database({ rpo: '1h' }), facts: verified(59 / 60), breaches: [] },
  {
    name: 'rpo 1h: 61m old is outside',
    db: database({ rpo: '1h' }),
    facts: verified(61 / 60),
    breaches: ['rpo: CustomerDB is outside its RPO of 1h: its newest verified backup (b-new) is 1h1m old.'],
  },
  {
    name: 'rpo and freshness both breached by one old backup',
    db: database({ schedule: '0 */6 * * *', rpo: '4h' }),
    facts: verified(10),
    breaches: [
      'backup_freshness: CustomerDB has no verified backup from the last 8h (from its backup schedule "0 */6 * * *"): its newest verified backup (b-new) is 10h0m old.',
      'rpo: CustomerDB is outside its RPO of 4h: its newest verified backup (b-new) is 10h0m old.',
    ],
  },
  {
    name: 'the newest attempt failed (an older one verified and fresh): failing only',
    db: database({ schedule: '0 */6 * * *', rpo: '8h' }),
    facts: {
      newestVerified: { id: 'b-old', at: ago(5) },
      newestAttempt: { id: 'b-new', status: 'failed', at: ago(1), error: 'pg_dump: connection refused' },
    },
    breaches: [
      'backup_failing: The newest backup of CustomerDB (b-new, 2026-12-15 11:00 UTC) failed: pg_dump: connection refused.',
    ],
  },
  {
    name: 'a failure without a reason',
    db: database({}),
    facts: { newestAttempt: { id: 'b-new', status: 'failed', at: ago(1), error: null } },
    breaches: ['backup_failing: The newest backup of CustomerDB (b-new, 2026-12-15 11:00 UTC) failed.'],
  },
  {
    name: 'a failure followed by a completed (not yet verified) backup: not failing',
    db: database({}),
    facts: { newestAttempt: { id: 'b-new', status: 'completed', at: ago(1), error: null } },
    breaches: [],
  },
  {
    name: 'a backup newer than the newest verified one found corrupt',
    db: database({}),
    facts: {
      newestVerified: { id: 'b-old', at: ago(10) },
      newestAttempt: { id: 'b-bad', status: 'corrupt', at: ago(2), error: null },
      newestCorrupt: { id: 'b-bad', at: ago(2), reason: 'toc.dat: checksum mismatch' },
    },
    breaches: [
      'backup_failing: Backup b-bad of CustomerDB (2026-12-15 10:00 UTC) was found corrupt, and no newer backup is verified: toc.dat: checksum mismatch.',
    ],
  },
  {
    name: 'a corrupt backup older than the newest verified one: recovered',
    db: database({}),
    facts: { ...verified(1), newestCorrupt: { id: 'b-bad', at: ago(2), reason: 'x' } },
    breaches: [],
  },
  {
    name: 'a corrupt backup and no verified one',
    db: database({}),
    facts: { newestCorrupt: { id: 'b-bad', at: ago(2), reason: null } },
    breaches: [
      'backup_failing: Backup b-bad of CustomerDB (2026-12-15 10:00 UTC) was found corrupt, and no newer backup is verified.',
    ],
  },
  {
    name: 'drill configured, passed this month',
    db: database({ drill: { schedule: 'first_sunday' } }),
    facts: drilled('2026-12-06T03:20:00Z'),
    breaches: [],
  },
  {
    name: 'drill configured, last passed last month, due date (first Sunday 6th + 1 day) passed',
    db: database({ drill: { schedule: 'first_sunday' } }),
    facts: drilled('2026-11-01T03:20:00Z'),
    breaches: [
      'drill_freshness: CustomerDB has had no passing drill in December 2026 (due 2026-12-07 03:00 UTC); the last passed 2026-11-01 03:20 UTC (drill 7).',
    ],
  },
  {
    name: 'drill never passed',
    db: database({ drill: { schedule: 'monthly' } }),
    facts: {},
    breaches: [
      'drill_freshness: CustomerDB has had no passing drill in December 2026 (due 2026-12-02 03:00 UTC); it has never passed one.',
    ],
  },
  {
    name: "the 1st of the month, first_sunday schedule: last month's drill still counts",
    db: database({ drill: { schedule: 'first_sunday' } }),
    facts: drilled('2026-11-01T03:20:00Z'),
    now: new Date('2026-12-01T00:00:00Z'),
    breaches: [],
  },
  {
    name: 'the 7th of the month 02:59, first Sunday was the 6th: within the day of grace',
    db: database({ drill: { schedule: 'first_sunday' } }),
    facts: drilled('2026-11-01T03:20:00Z'),
    now: new Date('2026-12-07T02:59:00Z'),
    breaches: [],
  },
  {
    name: 'before the due date, no passing drill last month either: breached, naming last month',
    db: database({ drill: { schedule: 'first_sunday' } }),
    facts: drilled('2026-10-04T03:20:00Z'),
    now: new Date('2026-12-01T00:00:00Z'),
    breaches: [
      'drill_freshness: CustomerDB has had no passing drill in November 2026; the last passed 2026-10-04 03:20 UTC (drill 7).',
    ],
  },
  {
    name: 'no drill schedule: due on the 8th',
    db: database({ drill: true }),
    facts: drilled('2026-11-20T10:00:00Z'),
    now: new Date('2026-12-08T00:00:00Z'),
    breaches: [
      'drill_freshness: CustomerDB has had no passing drill in December 2026 (due 2026-12-08 00:00 UTC); the last passed 2026-11-20 10:00 UTC (drill 7).',
    ],
  },
  {
    name: "no drill schedule: the 7th is still fine with last month's drill",
    db: database({ drill: true }),
    facts: drilled('2026-11-20T10:00:00Z'),
    now: new Date('2026-12-07T23:59:00Z'),
    breaches: [],
  },
  {
    name: 'no drill configured: drill freshness is not judged',
    db: database({}),
    facts: {},
    breaches: [],
  },
  {
    name: 'all four at once',
    db: database({ schedule: '0 */6 * * *', rpo: '1h', drill: { schedule: 'monthly' } }),
    facts: {
      newestVerified: { id: 'b-old', at: ago(48) },
      newestAttempt: { id: 'b-new', status: 'failed', at: ago(1), error: 'disk full' },
    },
    breaches: [
      'backup_freshness: CustomerDB has no verified backup from the last 8h (from its backup schedule "0 */6 * * *"): its newest verified backup (b-old) is 2d0h old.',
      'rpo: CustomerDB is outside its RPO of 1h: its newest verified backup (b-old) is 2d0h old.',
      'drill_freshness: CustomerDB has had no passing drill in December 2026 (due 2026-12-02 03:00 UTC); it has never passed one.',
      'backup_failing: The newest backup of CustomerDB (b-new, 2026-12-15 11:00 UTC) failed: disk full.',
    ],
  },
];

describe('evaluateSlos', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const breaches = evaluateSlos(c.db, { ...NONE, ...c.facts }, c.now ?? NOW);
      expect(breaches.map((b) => `${b.slo}: ${b.message}`)).toEqual(c.breaches);
      for (const b of breaches) expect(b.key).toBe(`CustomerDB/${b.slo}`);
    });
  }

  it('carries the figures a breach was judged on', () => {
    const [fresh, rpo] = evaluateSlos(
      database({ schedule: '0 */6 * * *', rpo: '1h' }),
      { ...NONE, ...verified(9) },
      NOW,
    );
    expect(fresh!.details).toEqual({ backup: 'b-new', ageMs: 9 * H, thresholdMs: 8 * H });
    expect(rpo!.details).toEqual({ backup: 'b-new', ageMs: 9 * H, rpoMs: H });
  });

  it('a backup from the future (clock skew) is 0 old, never negative', () => {
    const [b] = evaluateSlos(database({ freshness: '1h', rpo: '1h' }), { ...NONE, ...verified(-1) }, NOW);
    expect(b).toBeUndefined();
  });
});

describe('thresholds', () => {
  it.each([
    ['0 */6 * * *', 6, 8],
    ['0 2 * * *', 24, 32],
    ['0 * * * *', 1, 3],
    ['*/5 * * * *', 5 / 60, 5 / 60 + 2],
    ['0 2 * * 1-5', 72, 96],
    ['0 3 * * 0', 168, 224],
    ['0 0,12 * * *', 12, 16],
    ['0 1,5 * * *', 20, 20 + 20 / 3],
  ])('%s: longest interval %sh, threshold %sh', (cron, interval, threshold) => {
    expect(longestInterval(cron)).toBe(Math.round(interval * H));
    expect(freshnessFromSchedule(cron)).toBe(Math.round(threshold * H));
  });

  it.each([
    // [schedule, month, due]
    ['first_sunday', '2026-12-01', '2026-12-07T03:00:00.000Z'], // 1st Sunday: the 6th
    ['first_sunday', '2026-11-01', '2026-11-02T03:00:00.000Z'], // the 1st is a Sunday
    ['first_sunday', '2026-02-01', '2026-02-02T03:00:00.000Z'],
    ['first_sunday', '2026-03-01', '2026-03-02T03:00:00.000Z'],
    ['first_sunday', '2026-08-01', '2026-08-03T03:00:00.000Z'], // the 2nd
    ['monthly', '2026-12-01', '2026-12-02T03:00:00.000Z'],
    ['0 3 * * 0', '2026-12-01', '2026-12-07T03:00:00.000Z'],
    ['0 0 1 * *', '2026-12-01', '2026-12-02T00:00:00.000Z'], // firing on the 1st at midnight counts
    ['0 3 15 * *', '2026-12-01', '2026-12-16T03:00:00.000Z'],
    ['0 3 1 1 *', '2026-12-01', '2027-01-01T00:00:00.000Z'], // yearly: not this month
    [undefined, '2026-12-01', '2026-12-08T00:00:00.000Z'],
  ])('drill %s in %s is due %s', (schedule, month, due) => {
    expect(drillDueAt(schedule, new Date(`${month}T00:00:00Z`)).toISOString()).toBe(due);
  });
});

describe('breachChanges', () => {
  const b = (slo: 'rpo' | 'backup_freshness') =>
    evaluateSlos(database({ rpo: '1h', freshness: '1h' }), NONE, NOW).find((x) => x.slo === slo)!;
  it.each([
    [[], [], [], []],
    [[], ['rpo'], ['rpo'], []],
    [['rpo'], ['rpo'], [], []],
    [['rpo'], [], [], ['rpo']],
    [['rpo'], ['backup_freshness'], ['backup_freshness'], ['rpo']],
    [['rpo', 'backup_freshness'], ['backup_freshness', 'rpo'], [], []],
  ] as const)('open %j, now %j → open %j, close %j', (open, now, toOpen, toClose) => {
    const r = breachChanges(
      open.map((slo) => ({ slo })),
      now.map((s) => b(s)),
    );
    expect(r.toOpen.map((x) => x.slo)).toEqual(toOpen);
    expect(r.toClose).toEqual(toClose);
  });
});
