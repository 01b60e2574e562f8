// Which recovery point a plan picks: every combination of integrity and age that matters, with
// the exact skip reasons and RPO verdicts.
import { describe, expect, test } from 'vitest';
import { type Candidate, choosePoint, formatSeconds, type Integrity } from '../../src/dr/plan-rule.js';
import type { RecoveryPoint } from '../../src/dr/recovery-point.js';

const FAILURE = '2026-12-05T12:00:00.000Z';
const HOUR = 3_600_000;

function point(id: string, minutesBefore: number): RecoveryPoint {
  return {
    kind: 'logical',
    backupId: id,
    takenAt: new Date(Date.parse(FAILURE) - minutesBefore * 60_000).toISOString(),
    storage: 'main',
    status: 'verified',
    bytes: 1,
    knownProblem: null,
  };
}
const valid: Integrity = { state: 'valid' };
const corrupt: Integrity = { state: 'corrupt', reason: '1.dat.gz does not match its SHA-256' };
const unreadable: Integrity = { state: 'unverifiable', reason: 'storage timed out' };
const unchecked: Integrity = { state: 'unchecked' };
const c = (id: string, minutesBefore: number, integrity: Integrity): Candidate => ({
  point: point(id, minutesBefore),
  integrity,
});
const ids = (d: ReturnType<typeof choosePoint>) => ({
  chosen: d.chosen && d.chosen.kind === 'logical' ? d.chosen.backupId : null,
  skipped: d.skipped.map((s) => [(s.point as { backupId: string }).backupId, s.reason]),
  rpoMet: d.rpoMet,
  dataLossSeconds: d.dataLossSeconds,
  rpoMiss: d.rpoMiss,
});

describe('choosePoint', () => {
  const cases: Array<[string, Candidate[], number | undefined, ReturnType<typeof ids>]> = [
    [
      'the newest is valid and inside the RPO',
      [c('b2', 10, valid), c('b1', 70, valid)],
      HOUR,
      { chosen: 'b2', skipped: [], rpoMet: true, dataLossSeconds: 600, rpoMiss: null },
    ],
    [
      'exactly at the RPO counts as met',
      [c('b1', 60, valid)],
      HOUR,
      { chosen: 'b1', skipped: [], rpoMet: true, dataLossSeconds: 3600, rpoMiss: null },
    ],
    [
      'the newest is corrupt: the older one, outside the RPO, with the miss',
      [c('b2', 10, corrupt), c('b1', 90, valid)],
      HOUR,
      {
        chosen: 'b1',
        skipped: [['b2', 'corrupt: 1.dat.gz does not match its SHA-256']],
        rpoMet: false,
        dataLossSeconds: 5400,
        rpoMiss: 'the newest valid point was taken 1h 30m before the failure, over the RPO of 1h',
      },
    ],
    [
      'the newest is corrupt, the older valid one still inside the RPO',
      [c('b2', 5, corrupt), c('b1', 30, valid)],
      HOUR,
      {
        chosen: 'b1',
        skipped: [['b2', 'corrupt: 1.dat.gz does not match its SHA-256']],
        rpoMet: true,
        dataLossSeconds: 1800,
        rpoMiss: null,
      },
    ],
    [
      'unreadable and unchecked newer points are skipped, older ones are not listed',
      [c('b4', 1, unreadable), c('b3', 2, unchecked), c('b2', 3, valid), c('b1', 4, unchecked)],
      HOUR,
      {
        chosen: 'b2',
        skipped: [
          ['b4', 'its checksums could not be read: storage timed out'],
          ['b3', 'its checksums were not verified'],
        ],
        rpoMet: true,
        dataLossSeconds: 180,
        rpoMiss: null,
      },
    ],
    [
      'a point taken after the failure is skipped, even when valid',
      [c('late', -5, valid), c('b1', 20, valid)],
      HOUR,
      {
        chosen: 'b1',
        skipped: [
          ['late', `taken at ${point('late', -5).takenAt}, after the failure at ${FAILURE}: it may hold the failure`],
        ],
        rpoMet: true,
        dataLossSeconds: 1200,
        rpoMiss: null,
      },
    ],
    [
      'no RPO configured: chosen, nothing judged',
      [c('b1', 600, valid)],
      undefined,
      { chosen: 'b1', skipped: [], rpoMet: null, dataLossSeconds: 36000, rpoMiss: null },
    ],
    [
      'every point corrupt: nothing chosen, the miss says why',
      [c('b2', 5, corrupt), c('b1', 50, corrupt)],
      HOUR,
      {
        chosen: null,
        skipped: [
          ['b2', 'corrupt: 1.dat.gz does not match its SHA-256'],
          ['b1', 'corrupt: 1.dat.gz does not match its SHA-256'],
        ],
        rpoMet: false,
        dataLossSeconds: null,
        rpoMiss: 'no valid recovery point was taken before the failure',
      },
    ],
    [
      'no point at all',
      [],
      HOUR,
      { chosen: null, skipped: [], rpoMet: false, dataLossSeconds: null, rpoMiss: 'there is no recovery point at all' },
    ],
    [
      'no point and no RPO',
      [],
      undefined,
      { chosen: null, skipped: [], rpoMet: null, dataLossSeconds: null, rpoMiss: 'there is no recovery point at all' },
    ],
  ];
  for (const [name, candidates, rpoMs, expected] of cases)
    test(name, () => {
      expect(ids(choosePoint({ candidates, failureAt: FAILURE, ...(rpoMs === undefined ? {} : { rpoMs }) }))).toEqual(
        expected,
      );
    });

  test('a physical point is chosen like a logical one', () => {
    const physical: RecoveryPoint = {
      kind: 'physical',
      server: 'prod',
      stanza: 'main',
      label: '20261205-110000F',
      takenAt: '2026-12-05T11:59:00.000Z',
      target: 'latest',
      knownProblem: null,
    };
    const d = choosePoint({
      candidates: [{ point: physical, integrity: valid }, c('b1', 30, valid)],
      failureAt: FAILURE,
      rpoMs: HOUR,
    });
    expect(d.chosen).toBe(physical);
    expect(d.dataLossSeconds).toBe(60);
  });

  test('a physical set whose verify failed is skipped with the verdict; an older set reaches the same time', () => {
    const at = '2026-12-05T11:59:30.000Z';
    const set = (label: string): RecoveryPoint => ({
      kind: 'physical',
      server: 'prod',
      stanza: 'main',
      label,
      takenAt: at,
      target: 'latest',
      knownProblem: null,
    });
    const newer = set('20261205-110000F');
    const older = set('20261204-110000F');
    const d = choosePoint({
      candidates: [
        { point: newer, integrity: { state: 'corrupt', reason: 'pgbackrest verify: invalid' } },
        { point: older, integrity: valid },
        c('b1', 30, valid),
      ],
      failureAt: FAILURE,
      rpoMs: 60_000,
    });
    expect(d.chosen).toBe(older);
    expect(d.skipped).toEqual([{ point: newer, reason: 'corrupt: pgbackrest verify: invalid' }]);
    expect(d).toMatchObject({ dataLossSeconds: 30, rpoMet: true, rpoMiss: null });
  });

  test('durations read as a DBA writes them', () => {
    expect([0, 59, 60, 3600, 3725, 90061].map(formatSeconds)).toEqual([
      '0s',
      '59s',
      '1m',
      '1h',
      '1h 2m 5s',
      '25h 1m 1s',
    ]);
  });
});
