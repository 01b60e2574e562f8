// What the Incidents page shows of an incident's clocks and which buttons its status offers
// (ui/src/incidents/figures.ts): every case, against fixed times.
import { describe, expect, it } from 'vitest';
import type { IncidentDoc } from '../../src/contract/dr.js';
import { offers, pointText, rpoFigure, rtoFigure } from '../../ui/src/incidents/figures.js';

const start = '2026-12-05T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(start) + minutes * 60_000).toISOString();
const FOUR_H = { rpoSeconds: 3600, rtoSeconds: 4 * 3600 };
const NONE = { rpoSeconds: null, rtoSeconds: null };
const logical = {
  kind: 'logical' as const,
  backupId: 'CustomerDB-20261205T0900',
  takenAt: at(-60),
  storage: 'main',
  status: 'verified',
  bytes: 1,
  knownProblem: null,
};
const plan = (over: Partial<NonNullable<IncidentDoc['plan']>>) =>
  ({
    failureAt: start,
    rpoSeconds: 3600,
    candidates: [],
    chosen: logical,
    dataLossSeconds: 1800,
    rpoMet: true,
    rpoMiss: null,
    skipped: [],
    plannedBy: 'rita',
    plannedAt: at(5),
    ...over,
  }) as NonNullable<IncidentDoc['plan']>;

describe('the RTO clock', () => {
  it.each([
    ['running inside the RTO', null, 12, FOUR_H, { text: 'running: 12m of 4h', tone: 'running' }],
    ['running past the RTO', null, 5 * 60, FOUR_H, { text: 'over: 5h of 4h', tone: 'missed' }],
    ['running, no target', null, 90, NONE, { text: 'running: 1h 30m', tone: 'running' }],
    ['stopped inside the RTO', at(45), 600, FOUR_H, { text: '45m of 4h', tone: 'met' }],
    ['stopped past the RTO', at(4 * 60 + 1), 600, FOUR_H, { text: '4h 1m of 4h', tone: 'missed' }],
    ['stopped, no target', at(45), 600, NONE, { text: '45m', tone: 'unknown' }],
  ] as const)('%s', (_what, recoveredAt, nowMinutes, targets, expected) => {
    const i = { status: recoveredAt ? 'recovered' : 'executing', startedAt: start, recoveredAt } as const;
    expect(rtoFigure(i, targets, Date.parse(at(nowMinutes)))).toEqual(expected);
  });
});

describe('the RPO', () => {
  it.each([
    ['not planned', null, { text: 'not planned', tone: 'unknown' }],
    [
      'no point chosen',
      plan({ chosen: null, dataLossSeconds: null }),
      { text: 'no valid recovery point', tone: 'missed' },
    ],
    ['inside the RPO', plan({}), { text: '30m of 1h', tone: 'met' }],
    ['past the RPO', plan({ dataLossSeconds: 7300 }), { text: '2h 1m of 1h', tone: 'missed' }],
    ['no target', plan({ rpoSeconds: null }), { text: '30m', tone: 'unknown' }],
    ['no loss measured', plan({ dataLossSeconds: null }), { text: '— of 1h', tone: 'unknown' }],
  ] as const)('%s', (_what, p, expected) => {
    expect(rpoFigure({ plan: p }, { rpoSeconds: null, rtoSeconds: null })).toEqual(expected);
  });

  it("takes the database's RPO when the plan has none", () => {
    expect(rpoFigure({ plan: plan({ rpoSeconds: null }) }, FOUR_H)).toEqual({ text: '30m of 1h', tone: 'met' });
  });
});

describe('Plan and Execute by status', () => {
  it.each([
    ['declared', null, { plan: true, execute: false }],
    ['planned', plan({}), { plan: true, execute: true }],
    ['planned', plan({ chosen: null }), { plan: true, execute: false }],
    ['executing', plan({}), { plan: false, execute: false }],
    ['failed', plan({}), { plan: true, execute: true }],
    ['recovered', plan({}), { plan: false, execute: false }],
  ] as const)('%s (chosen point: %o)', (status, p, expected) => {
    expect(offers({ status, plan: p })).toEqual(expected);
  });
});

it('names recovery points as the CLI does', () => {
  expect(pointText(logical)).toBe('backup CustomerDB-20261205T0900');
  expect(
    pointText({
      kind: 'physical',
      server: 'prod-pg01',
      stanza: 'prod',
      label: '20261205-090000F',
      takenAt: start,
      target: 'time',
      knownProblem: null,
    }),
  ).toBe('physical backup 20261205-090000F (prod), replayed to the failure time');
});
