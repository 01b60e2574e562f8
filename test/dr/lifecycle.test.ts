// Every incident status × event, with the status it leads to or the exact refusal.
import { describe, expect, test } from 'vitest';
import {
  executionLost,
  INCIDENT_STATUSES,
  type IncidentEvent,
  type IncidentStatus,
  nextIncidentStatus,
  refusal,
  workerLostError,
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

  const STALE = new Date('2026-12-05T10:00:00Z');
  const before = new Date('2026-12-05T09:59:00Z');
  const after = new Date('2026-12-05T10:00:01Z');
  // status × worker × heartbeat × (stale | known-lost worker) → lost?
  const LOST: [IncidentStatus, string | null, Date | null, { staleBefore: Date } | { lostWorker: string }, boolean][] =
    [];
  for (const status of INCIDENT_STATUSES) {
    const executing = status === 'executing';
    LOST.push(
      [status, 'w1', before, { staleBefore: STALE }, executing],
      [status, 'w1', null, { staleBefore: STALE }, executing],
      [status, 'w1', after, { staleBefore: STALE }, false],
      [status, null, before, { staleBefore: STALE }, false],
      [status, 'w1', after, { lostWorker: 'w1' }, executing],
      [status, 'w1', before, { lostWorker: 'w2' }, false],
      [status, null, before, { lostWorker: 'w1' }, false],
    );
  }
  test.each(LOST)('%s, worker %s, heartbeat %s, %o → lost: %s', (status, workerId, heartbeatAt, by, lost) => {
    expect(executionLost({ status, workerId, heartbeatAt }, by)).toBe(lost);
  });

  test('a lost execution fails naming the step it was in and why its worker is taken for lost', () => {
    expect(workerLostError('cutover', { workerId: 'host:42:abc', heartbeatAt: before })).toBe(
      'worker lost during cutover: no heartbeat from host:42:abc since 2026-12-05T09:59:00.000Z',
    );
    expect(workerLostError(null, { workerId: 'w', heartbeatAt: null })).toBe(
      'worker lost during its start: no heartbeat from w since it claimed the incident',
    );
    expect(workerLostError('restore', { pid: 4242 })).toBe(
      'worker lost during restore: the Lifeboat process that ran it (pid 4242) stopped',
    );
  });
});
