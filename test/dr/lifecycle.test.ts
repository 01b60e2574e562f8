// Every incident status × event, with the status it leads to or the exact refusal.
import { describe, expect, test } from 'vitest';
import {
  INCIDENT_STATUSES,
  type IncidentEvent,
  type IncidentStatus,
  nextIncidentStatus,
  refusal,
} from '../../src/dr/lifecycle.js';

const EVENTS: IncidentEvent[] = ['plan', 'execute', 'recover', 'fail'];

const TABLE: Record<IncidentStatus, Record<IncidentEvent, IncidentStatus | undefined>> = {
  declared: { plan: 'planned', execute: undefined, recover: undefined, fail: undefined },
  planned: { plan: 'planned', execute: 'executing', recover: undefined, fail: undefined },
  executing: { plan: undefined, execute: undefined, recover: 'recovered', fail: 'failed' },
  recovered: { plan: undefined, execute: undefined, recover: undefined, fail: undefined },
  failed: { plan: 'planned', execute: 'executing', recover: undefined, fail: undefined },
};

describe('incident lifecycle', () => {
  for (const from of INCIDENT_STATUSES)
    for (const event of EVENTS)
      test(`${from} + ${event} → ${TABLE[from][event] ?? 'refused'}`, () => {
        expect(nextIncidentStatus(from, event)).toBe(TABLE[from][event]);
      });

  test('refusals say what to do next', () => {
    expect(refusal(7, 'declared', 'execute')).toEqual({
      message: 'incident 7 is declared: it cannot be executed',
      hint: 'plan it first: `lifeboat dr plan 7`',
    });
    expect(refusal(7, 'executing', 'plan')).toEqual({
      message: 'incident 7 is executing: it cannot be planned',
      hint: 'it is being executed; follow it with `lifeboat dr show 7`',
    });
    expect(refusal(7, 'recovered', 'execute')).toEqual({
      message: 'incident 7 is recovered: it cannot be executed',
      hint: 'it is over; read its report with `lifeboat dr report 7`',
    });
  });
});
