// Retention decisions, table-driven: each case names the exact backups kept (newest first, with
// every reason) and the exact ones removed. Every case is also run on the reversed input, which
// must give the same decision. Calendar cases pin UTC days, ISO weeks across month and year
// boundaries (week 1, 52 and 53) and calendar months.
import { describe, expect, it } from 'vitest';
import type { BackupStatus } from '../../src/backup/status.js';
import {
  type BackupForRetention,
  isoWeekOf,
  type KeepReason,
  planRetention,
  type RetentionPolicy,
} from '../../src/backup/retention.js';
import { LifeboatError } from '../../src/errors.js';

const NOW = '2024-03-15T12:00:00.000Z'; // a Friday, ISO week 2024-W11

/** A backup that finished at `at` (started ten minutes earlier); a running one started at `at`. */
function bk(id: string, at: string, status: BackupStatus = 'completed'): BackupForRetention {
  const t = new Date(at);
  return status === 'running' || status === 'queued'
    ? { id, startedAt: t, finishedAt: null, status }
    : { id, startedAt: new Date(t.getTime() - 600_000), finishedAt: t, status };
}

interface Case {
  name: string;
  policy: RetentionPolicy;
  backups: BackupForRetention[];
  inUse?: string[];
  now?: string;
  /** id → reasons, in the expected order (newest first). Ids are never integer-like, so key order holds. */
  keep: Record<string, KeepReason[]>;
  remove: string[];
}

const CASES: Case[] = [
  {
    name: 'a queued backup is kept like a running one; an unverifiable one anchors when no verified or completed one exists',
    policy: { keepLast: 1 },
    backups: [
      bk('queued', '2024-03-15T11:30:00.000Z', 'queued'),
      bk('unverifiable', '2024-03-15T11:00:00.000Z', 'unverifiable'),
      bk('corrupt', '2024-03-14T11:00:00.000Z', 'corrupt'),
    ],
    keep: { queued: ['running'], unverifiable: ['newest_verified', 'keep_last'] },
    remove: ['corrupt'],
  },
  {
    name: 'keep_days keeps a backup exactly N days old and removes one a millisecond older',
    policy: { keepDays: 7 },
    backups: [
      bk('recent', '2024-03-15T11:00:00.000Z'),
      bk('exactly-7d', '2024-03-08T12:00:00.000Z'),
      bk('7d-plus-1ms', '2024-03-08T11:59:59.999Z'),
      bk('old', '2024-03-01T00:00:00.000Z'),
    ],
    keep: { recent: ['newest_verified', 'keep_days'], 'exactly-7d': ['keep_days'] },
    remove: ['7d-plus-1ms', 'old'],
  },
  {
    name: 'keep_days goes by finishedAt, and by startedAt when a backup has no finish time',
    policy: { keepDays: 7 },
    backups: [
      { id: 'no-finish', startedAt: new Date('2024-03-13T00:00:00.000Z'), finishedAt: null, status: 'completed' },
      // started 7.5 days ago but finished 6.5 days ago: inside the window
      {
        id: 'long-run',
        startedAt: new Date('2024-03-08T00:00:00.000Z'),
        finishedAt: new Date('2024-03-09T00:00:00.000Z'),
        status: 'completed',
      },
      {
        id: 'finished-8d',
        startedAt: new Date('2024-03-07T00:00:00.000Z'),
        finishedAt: new Date('2024-03-07T06:00:00.000Z'),
        status: 'completed',
      },
    ],
    keep: { 'no-finish': ['newest_verified', 'keep_days'], 'long-run': ['keep_days'] },
    remove: ['finished-8d'],
  },
  {
    name: 'keep_last counts only usable backups: failed and corrupt ones interleaved do not count',
    policy: { keepLast: 3 },
    backups: [
      bk('c1', '2024-03-15T10:00:00.000Z'),
      bk('f1', '2024-03-15T09:00:00.000Z', 'failed'),
      bk('v1', '2024-03-15T08:00:00.000Z', 'verified'),
      bk('x1', '2024-03-15T07:00:00.000Z', 'corrupt'),
      bk('c2', '2024-03-15T06:00:00.000Z'),
      bk('c3', '2024-03-15T05:00:00.000Z'),
      bk('f2', '2024-03-15T04:00:00.000Z', 'failed'),
    ],
    keep: { c1: ['keep_last'], v1: ['newest_verified', 'keep_last'], c2: ['keep_last'] },
    remove: ['f1', 'x1', 'c3', 'f2'],
  },
  {
    name: 'keep_last larger than the number of usable backups keeps them all and still removes failed ones',
    policy: { keepLast: 10 },
    backups: [
      bk('c1', '2024-03-14T00:00:00.000Z'),
      bk('f1', '2024-03-13T00:00:00.000Z', 'failed'),
      bk('c2', '2024-03-12T00:00:00.000Z'),
    ],
    keep: { c1: ['newest_verified', 'keep_last'], c2: ['keep_last'] },
    remove: ['f1'],
  },
  {
    name: 'daily keeps only the newest usable backup of a day, and counts only days that have one',
    policy: { daily: 3 },
    backups: [
      bk('mar15-failed', '2024-03-15T11:30:00.000Z', 'failed'),
      bk('mar15-11h', '2024-03-15T11:00:00.000Z'),
      bk('mar15-06h', '2024-03-15T06:00:00.000Z'),
      bk('mar15-01h', '2024-03-15T01:00:00.000Z'),
      bk('mar14-20h', '2024-03-14T20:00:00.000Z'),
      bk('mar14-08h', '2024-03-14T08:00:00.000Z'),
      // no backup on 13 March: the third day counted is the 12th
      bk('mar12', '2024-03-12T08:00:00.000Z'),
      bk('mar10', '2024-03-10T08:00:00.000Z'),
    ],
    keep: { 'mar15-11h': ['newest_verified', 'daily'], 'mar14-20h': ['daily'], mar12: ['daily'] },
    remove: ['mar15-failed', 'mar15-06h', 'mar15-01h', 'mar14-08h', 'mar10'],
  },
  {
    name: 'daily reaches back past a long gap rather than keeping fewer days',
    policy: { daily: 2 },
    backups: [
      bk('mar15', '2024-03-15T08:00:00.000Z'),
      bk('mar01', '2024-03-01T08:00:00.000Z'),
      bk('feb20', '2024-02-20T08:00:00.000Z'),
    ],
    keep: { mar15: ['newest_verified', 'daily'], mar01: ['daily'] },
    remove: ['feb20'],
  },
  {
    name: 'daily does not count a day whose only backup failed',
    policy: { daily: 2 },
    backups: [
      bk('mar15-failed', '2024-03-15T08:00:00.000Z', 'failed'),
      bk('mar14', '2024-03-14T08:00:00.000Z'),
      bk('mar13', '2024-03-13T08:00:00.000Z'),
      bk('mar12', '2024-03-12T08:00:00.000Z'),
    ],
    keep: { mar14: ['newest_verified', 'daily'], mar13: ['daily'] },
    remove: ['mar15-failed', 'mar12'],
  },
  {
    name: 'daily splits days at midnight UTC',
    policy: { daily: 2 },
    backups: [
      bk('mar15-midnight', '2024-03-15T00:00:00.000Z'),
      bk('mar14-last-ms', '2024-03-14T23:59:59.999Z'),
      bk('mar14-noon', '2024-03-14T12:00:00.000Z'),
    ],
    keep: { 'mar15-midnight': ['newest_verified', 'daily'], 'mar14-last-ms': ['daily'] },
    remove: ['mar14-noon'],
  },
  {
    name: 'weekly: Sunday belongs to the ISO week that began on the Monday before it',
    policy: { weekly: 2 },
    backups: [
      bk('mon-mar11', '2024-03-11T08:00:00.000Z'), // 2024-W11
      bk('sun-mar10', '2024-03-10T08:00:00.000Z'), // 2024-W10
      bk('sat-mar09', '2024-03-09T08:00:00.000Z'), // 2024-W10
      bk('mon-mar04', '2024-03-04T08:00:00.000Z'), // 2024-W10
    ],
    keep: { 'mon-mar11': ['newest_verified', 'weekly'], 'sun-mar10': ['weekly'] },
    remove: ['sat-mar09', 'mon-mar04'],
  },
  {
    name: 'weekly: a week spanning a month boundary is one week',
    policy: { weekly: 2 },
    now: '2024-03-04T12:00:00.000Z',
    backups: [
      bk('sat-mar02', '2024-03-02T08:00:00.000Z'), // 2024-W09 (Mon 26 Feb – Sun 3 Mar)
      bk('wed-feb28', '2024-02-28T08:00:00.000Z'), // 2024-W09
      bk('sun-feb25', '2024-02-25T08:00:00.000Z'), // 2024-W08
      bk('tue-feb20', '2024-02-20T08:00:00.000Z'), // 2024-W08
    ],
    keep: { 'sat-mar02': ['newest_verified', 'weekly'], 'sun-feb25': ['weekly'] },
    remove: ['wed-feb28', 'tue-feb20'],
  },
  {
    name: 'weekly and monthly over a week spanning a month boundary: the month splits it, the week does not',
    policy: { weekly: 2, monthly: 2 },
    now: '2024-03-04T12:00:00.000Z',
    backups: [
      bk('sat-mar02', '2024-03-02T08:00:00.000Z'),
      bk('wed-feb28', '2024-02-28T08:00:00.000Z'),
      bk('sun-feb25', '2024-02-25T08:00:00.000Z'),
      bk('tue-feb20', '2024-02-20T08:00:00.000Z'),
    ],
    keep: {
      'sat-mar02': ['newest_verified', 'weekly', 'monthly'],
      'wed-feb28': ['monthly'],
      'sun-feb25': ['weekly'],
    },
    remove: ['tue-feb20'],
  },
  {
    name: 'weekly across a year boundary: 31 December 2024 is in 2025-W01, 29 December in 2024-W52',
    policy: { weekly: 2 },
    now: '2025-01-03T12:00:00.000Z',
    backups: [
      bk('thu-2025-01-02', '2025-01-02T08:00:00.000Z'), // 2025-W01
      bk('tue-2024-12-31', '2024-12-31T08:00:00.000Z'), // 2025-W01
      bk('sun-2024-12-29', '2024-12-29T08:00:00.000Z'), // 2024-W52
      bk('mon-2024-12-23', '2024-12-23T08:00:00.000Z'), // 2024-W52
    ],
    keep: { 'thu-2025-01-02': ['newest_verified', 'weekly'], 'sun-2024-12-29': ['weekly'] },
    remove: ['tue-2024-12-31', 'mon-2024-12-23'],
  },
  {
    name: 'weekly across a year boundary with week 53: 1–3 January 2021 are in 2020-W53',
    policy: { weekly: 3 },
    now: '2021-01-05T12:00:00.000Z',
    backups: [
      bk('mon-2021-01-04', '2021-01-04T08:00:00.000Z'), // 2021-W01
      bk('sun-2021-01-03', '2021-01-03T08:00:00.000Z'), // 2020-W53
      bk('fri-2021-01-01', '2021-01-01T08:00:00.000Z'), // 2020-W53
      bk('mon-2020-12-28', '2020-12-28T08:00:00.000Z'), // 2020-W53
      bk('sun-2020-12-27', '2020-12-27T08:00:00.000Z'), // 2020-W52
    ],
    keep: {
      'mon-2021-01-04': ['newest_verified', 'weekly'],
      'sun-2021-01-03': ['weekly'],
      'sun-2020-12-27': ['weekly'],
    },
    remove: ['fri-2021-01-01', 'mon-2020-12-28'],
  },
  {
    name: 'monthly keeps the newest backup of each month, skipping months without one, across a year boundary',
    policy: { monthly: 3 },
    backups: [
      bk('mar10', '2024-03-10T08:00:00.000Z'),
      bk('mar02', '2024-03-02T08:00:00.000Z'),
      bk('feb29', '2024-02-29T23:00:00.000Z'),
      bk('feb01', '2024-02-01T08:00:00.000Z'),
      // no backup in January
      bk('dec15', '2023-12-15T08:00:00.000Z'),
      bk('dec01', '2023-12-01T08:00:00.000Z'),
      bk('nov20', '2023-11-20T08:00:00.000Z'),
    ],
    keep: { mar10: ['newest_verified', 'monthly'], feb29: ['monthly'], dec15: ['monthly'] },
    remove: ['mar02', 'feb01', 'dec01', 'nov20'],
  },
  {
    name: 'keep_days combined with daily, weekly and monthly: each backup lists every rule that keeps it',
    policy: { keepDays: 3, daily: 2, weekly: 2, monthly: 2 },
    backups: [
      bk('a-mar15-10h', '2024-03-15T10:00:00.000Z'),
      bk('b-mar15-02h', '2024-03-15T02:00:00.000Z'),
      bk('c-mar13', '2024-03-13T06:00:00.000Z'),
      bk('d-mon-mar11', '2024-03-11T06:00:00.000Z'),
      bk('e-sun-mar10', '2024-03-10T06:00:00.000Z'),
      bk('f-mar04', '2024-03-04T06:00:00.000Z'),
      bk('g-feb28', '2024-02-28T06:00:00.000Z'),
      bk('h-feb10', '2024-02-10T06:00:00.000Z'),
    ],
    keep: {
      'a-mar15-10h': ['newest_verified', 'keep_days', 'daily', 'weekly', 'monthly'],
      'b-mar15-02h': ['keep_days'],
      'c-mar13': ['keep_days', 'daily'],
      'e-sun-mar10': ['weekly'],
      'g-feb28': ['monthly'],
    },
    remove: ['d-mon-mar11', 'f-mar04', 'h-feb10'],
  },
  {
    name: 'the newest verified backup is kept even when every rule would delete it, and newer completed ones are not protected',
    policy: { keepDays: 1 },
    backups: [
      bk('c-newer', '2024-03-10T08:00:00.000Z'),
      bk('v-newest-verified', '2024-03-09T08:00:00.000Z', 'verified'),
      bk('v-older', '2024-03-08T08:00:00.000Z', 'verified'),
    ],
    keep: { 'v-newest-verified': ['newest_verified'] },
    remove: ['c-newer', 'v-older'],
  },
  {
    name: 'the newest verified backup is kept even when it is outside keep_last',
    policy: { keepLast: 2 },
    backups: [
      bk('c1', '2024-03-15T08:00:00.000Z'),
      bk('c2', '2024-03-14T08:00:00.000Z'),
      bk('v1', '2024-03-13T08:00:00.000Z', 'verified'),
      bk('c3', '2024-03-12T08:00:00.000Z'),
    ],
    keep: { c1: ['keep_last'], c2: ['keep_last'], v1: ['newest_verified'] },
    remove: ['c3'],
  },
  {
    name: 'with none verified the newest completed backup is protected; a newer corrupt one never is',
    policy: { keepDays: 1 },
    backups: [
      bk('x-corrupt', '2024-03-10T08:00:00.000Z', 'corrupt'),
      bk('f-failed', '2024-03-09T12:00:00.000Z', 'failed'),
      bk('c-newest-completed', '2024-03-09T08:00:00.000Z'),
      bk('c-older', '2024-03-08T08:00:00.000Z'),
    ],
    keep: { 'c-newest-completed': ['newest_verified'] },
    remove: ['x-corrupt', 'f-failed', 'c-older'],
  },
  {
    name: 'backups referenced by a pending or running restore are kept, whatever their status; unknown ids are ignored',
    policy: { keepLast: 1 },
    inUse: ['c-old', 'f-failed', 'gone-already'],
    backups: [
      bk('c-new', '2024-03-15T08:00:00.000Z'),
      bk('c-mid', '2024-03-14T08:00:00.000Z'),
      bk('f-failed', '2024-03-13T08:00:00.000Z', 'failed'),
      bk('c-old', '2024-01-01T08:00:00.000Z'),
    ],
    keep: { 'c-new': ['newest_verified', 'keep_last'], 'f-failed': ['in_use'], 'c-old': ['in_use'] },
    remove: ['c-mid'],
  },
  {
    name: 'running backups are kept and do not count towards keep_last or the newest verified',
    policy: { keepLast: 1 },
    backups: [
      bk('r-now', '2024-03-15T11:00:00.000Z', 'running'),
      bk('c1', '2024-03-15T08:00:00.000Z'),
      bk('c2', '2024-03-14T08:00:00.000Z'),
      bk('r-stuck', '2024-03-01T08:00:00.000Z', 'running'),
    ],
    keep: { 'r-now': ['running'], c1: ['newest_verified', 'keep_last'], 'r-stuck': ['running'] },
    remove: ['c2'],
  },
  {
    name: 'the newest verified backup, in use by a restore, lists both protections',
    policy: { keepLast: 1 },
    inUse: ['v1'],
    backups: [bk('c1', '2024-03-15T08:00:00.000Z'), bk('v1', '2024-03-14T08:00:00.000Z', 'verified')],
    keep: { c1: ['keep_last'], v1: ['newest_verified', 'in_use'] },
    remove: [],
  },
  {
    name: 'failed and corrupt backups are removed even inside keep_days',
    policy: { keepDays: 30, keepLast: 5 },
    backups: [
      bk('x-corrupt', '2024-03-15T11:00:00.000Z', 'corrupt'),
      bk('f-failed', '2024-03-15T10:00:00.000Z', 'failed'),
      bk('c1', '2024-03-15T09:00:00.000Z'),
    ],
    keep: { c1: ['newest_verified', 'keep_days', 'keep_last'] },
    remove: ['x-corrupt', 'f-failed'],
  },
  {
    name: 'an empty policy (retention not configured) removes nothing, not even failed or corrupt backups',
    policy: {},
    inUse: ['c-old'],
    backups: [
      bk('r1', '2024-03-15T11:00:00.000Z', 'running'),
      bk('x1', '2024-03-15T10:00:00.000Z', 'corrupt'),
      bk('v1', '2024-03-14T10:00:00.000Z', 'verified'),
      bk('f1', '2024-03-13T10:00:00.000Z', 'failed'),
      bk('c-old', '2020-01-01T10:00:00.000Z'),
      bk('c-older', '2019-01-01T10:00:00.000Z'),
    ],
    keep: {
      r1: ['running'],
      x1: [],
      v1: ['newest_verified'],
      f1: [],
      'c-old': ['in_use'],
      'c-older': [],
    },
    remove: [],
  },
  {
    name: 'a policy whose rules are all 0 counts as not configured and removes nothing',
    policy: { keepDays: 0, keepLast: 0, daily: 0, weekly: 0, monthly: 0 },
    backups: [bk('c1', '2024-03-15T08:00:00.000Z'), bk('f1', '2024-03-14T08:00:00.000Z', 'failed')],
    keep: { c1: ['newest_verified'], f1: [] },
    remove: [],
  },
  {
    name: 'a rule set to 0 is off while another rule is active',
    policy: { keepLast: 0, daily: 1 },
    backups: [
      bk('mar15-b', '2024-03-15T09:00:00.000Z'),
      bk('mar15-a', '2024-03-15T08:00:00.000Z'),
      bk('mar14', '2024-03-14T08:00:00.000Z'),
    ],
    keep: { 'mar15-b': ['newest_verified', 'daily'] },
    remove: ['mar15-a', 'mar14'],
  },
  {
    name: 'backups finished at the same instant are ordered by id, descending, and the greater id is the newest',
    policy: { keepLast: 1 },
    backups: [
      bk('bk-a', '2024-03-15T08:00:00.000Z'),
      bk('bk-c', '2024-03-15T08:00:00.000Z'),
      bk('bk-b', '2024-03-15T08:00:00.000Z'),
    ],
    keep: { 'bk-c': ['newest_verified', 'keep_last'] },
    remove: ['bk-b', 'bk-a'],
  },
  {
    name: 'no backups gives an empty decision',
    policy: { keepLast: 3 },
    backups: [],
    keep: {},
    remove: [],
  },
];

describe('planRetention', () => {
  it.each(CASES)('$name', (c) => {
    const opts = { now: new Date(c.now ?? NOW), inUse: new Set(c.inUse ?? []) };
    const decision = planRetention(c.backups, c.policy, opts);
    expect(decision.keep).toEqual(Object.entries(c.keep).map(([id, reasons]) => ({ id, reasons })));
    expect(decision.remove.map((r) => r.id)).toEqual(c.remove);
    // the same decision whatever order the catalog returned the backups in
    expect(planRetention([...c.backups].reverse(), c.policy, opts)).toEqual(decision);
  });

  it('is deterministic under every input order and does not modify its input', () => {
    const backups = [
      bk('r1', '2024-03-15T11:00:00.000Z', 'running'),
      bk('c1', '2024-03-15T08:00:00.000Z'),
      bk('f1', '2024-03-14T08:00:00.000Z', 'failed'),
      bk('v1', '2024-03-13T08:00:00.000Z', 'verified'),
    ];
    const snapshot = structuredClone(backups);
    const policy = { keepLast: 1, daily: 1 };
    const opts = { now: new Date(NOW), inUse: new Set<string>() };
    const expected = {
      keep: [
        { id: 'r1', reasons: ['running'] },
        { id: 'c1', reasons: ['keep_last', 'daily'] },
        { id: 'v1', reasons: ['newest_verified'] },
      ],
      remove: [{ id: 'f1', why: 'failed backup: unusable for a restore' }],
    };
    for (const order of permutations(backups)) {
      expect(planRetention(order, policy, opts)).toEqual(expected);
    }
    expect(backups).toEqual(snapshot);
  });

  it('says in words why each backup is removed', () => {
    const backups = [
      bk('c-new', '2024-03-15T08:00:00.000Z'),
      bk('c-old', '2024-01-01T08:00:00.000Z'),
      bk('x-corrupt', '2023-12-31T08:00:00.000Z', 'corrupt'),
      bk('f-failed', '2023-12-30T08:00:00.000Z', 'failed'),
    ];
    const why = (policy: RetentionPolicy) =>
      planRetention(backups, policy, { now: new Date(NOW), inUse: new Set() }).remove;
    expect(why({ keepDays: 30, keepLast: 1, daily: 1 })).toEqual([
      { id: 'c-old', why: 'older than 30 days and not needed by keep_last 1, daily 1' },
      { id: 'x-corrupt', why: 'corrupt backup: unusable for a restore' },
      { id: 'f-failed', why: 'failed backup: unusable for a restore' },
    ]);
    expect(why({ keepDays: 1 })[0]).toEqual({ id: 'c-old', why: 'older than 1 day' });
    expect(why({ keepLast: 0, weekly: 1, monthly: 1 })[0]).toEqual({
      id: 'c-old',
      why: 'not needed by weekly 1, monthly 1',
    });
  });

  it.each([
    [{ keepLast: -1 }, 'retention keep_last must be a whole number of 0 or more, not -1'],
    [{ keepDays: 1.5 }, 'retention keep_days must be a whole number of 0 or more, not 1.5'],
    [{ monthly: Number.NaN }, 'retention monthly must be a whole number of 0 or more, not NaN'],
  ])('refuses the invalid policy %o', (policy, message) => {
    const run = () => planRetention([], policy, { now: new Date(NOW), inUse: new Set() });
    expect(run).toThrow(LifeboatError);
    expect(run).toThrow(message);
    try {
      run();
    } catch (e) {
      expect((e as LifeboatError).code).toBe('config_invalid');
    }
  });

  it('refuses a list that holds the same backup twice', () => {
    const b = bk('dup', '2024-03-15T08:00:00.000Z');
    expect(() => planRetention([b, b], { keepLast: 1 }, { now: new Date(NOW), inUse: new Set() })).toThrow(
      'retention was given backup dup twice',
    );
  });
});

describe('isoWeekOf', () => {
  it.each([
    ['2024-03-10T23:59:59.999Z', 2024, 10], // Sunday ends the week begun on Monday 4 March
    ['2024-03-11T00:00:00.000Z', 2024, 11], // Monday starts the next one
    ['2024-12-29T12:00:00.000Z', 2024, 52],
    ['2024-12-30T00:00:00.000Z', 2025, 1], // Monday 30 December opens 2025-W01
    ['2023-01-01T12:00:00.000Z', 2022, 52], // a Sunday 1 January belongs to the old year
    ['2021-01-03T12:00:00.000Z', 2020, 53],
    ['2026-01-01T12:00:00.000Z', 2026, 1], // a Thursday 1 January is in week 1
    ['2027-01-01T12:00:00.000Z', 2026, 53], // a Friday 1 January is in the old year's week 53
  ])('%s is in %i-W%i', (at, year, week) => {
    expect(isoWeekOf(new Date(at))).toEqual({ year, week });
  });
});

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}
