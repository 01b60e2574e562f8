// Which approvals count: every combination of one row's attributes, then distinct approvers,
// order, the count missing, and expiry at its boundary.
import { describe, expect, it } from 'vitest';
import {
  type ApprovalRecord,
  type ApprovalRun,
  type ApprovalVerdict,
  approvalDeadline,
  isExpired,
  tallyApprovals,
} from '../../src/restore/approval-rules.js';

const PLAN = 'sha256:plan';
const RUN: ApprovalRun = { requestedBy: 'jsmith', approvalsRequired: 1, planHash: PLAN, expiresAt: null };
const T0 = new Date('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

function row(over: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return { approver: 'alice', decision: 'approve', planHash: PLAN, createdAt: at(0), voidedAt: null, ...over };
}

describe('one approval row, every combination of its attributes', () => {
  const cases: [ApprovalRecord['decision'], boolean, 'same' | 'other' | 'run has none', boolean, ApprovalVerdict][] =
    [];
  for (const decision of ['approve', 'reject'] as const)
    for (const voided of [false, true])
      for (const plan of ['same', 'other', 'run has none'] as const)
        for (const byRequester of [false, true]) {
          const expected: ApprovalVerdict =
            decision === 'reject'
              ? 'rejection'
              : voided
                ? 'voided'
                : plan !== 'same'
                  ? 'other_plan'
                  : byRequester
                    ? 'requester'
                    : 'counts';
          cases.push([decision, voided, plan, byRequester, expected]);
        }

  it.each(cases)(
    '%s, voided %s, plan %s, by the requester %s → %s',
    (decision, voided, plan, byRequester, expected) => {
      const run = { ...RUN, planHash: plan === 'run has none' ? null : PLAN };
      const r = row({
        decision,
        voidedAt: voided ? at(1) : null,
        planHash: plan === 'other' ? 'sha256:other' : PLAN,
        approver: byRequester ? 'jsmith' : 'alice',
      });
      const t = tallyApprovals(run, [r]);
      expect(t.verdicts).toEqual([expected]);
      expect(t).toEqual({
        verdicts: [expected],
        approvers: expected === 'counts' ? ['alice'] : [],
        received: expected === 'counts' ? 1 : 0,
        missing: expected === 'counts' ? 0 : 1,
      });
    },
  );
});

describe('several approvals', () => {
  it('counts distinct approvers only: the earliest standing approval of each', () => {
    const rows = [
      row({ approver: 'bob', createdAt: at(5) }),
      row({ approver: 'alice', createdAt: at(3) }),
      row({ approver: 'alice', createdAt: at(1) }),
    ];
    expect(tallyApprovals({ ...RUN, approvalsRequired: 3 }, rows)).toEqual({
      verdicts: ['counts', 'duplicate', 'counts'],
      approvers: ['alice', 'bob'],
      received: 2,
      missing: 1,
    });
  });

  it('rows of the same instant are taken in the order given', () => {
    const rows = [row({ approver: 'alice' }), row({ approver: 'alice' })];
    expect(tallyApprovals(RUN, rows).verdicts).toEqual(['counts', 'duplicate']);
  });

  it('a voided approval does not make a later one of the same approver a duplicate', () => {
    const rows = [row({ voidedAt: at(2), planHash: 'sha256:old' }), row({ createdAt: at(3) })];
    expect(tallyApprovals(RUN, rows)).toEqual({
      verdicts: ['voided', 'counts'],
      approvers: ['alice'],
      received: 1,
      missing: 0,
    });
  });

  it.each([
    [0, 0, 0],
    [0, 2, 0],
    [1, 0, 1],
    [1, 1, 0],
    [2, 1, 1],
    [2, 2, 0],
    [2, 3, 0],
    [3, 1, 2],
  ])('%i required, %i distinct approvals → %i missing', (required, given, missing) => {
    const rows = Array.from({ length: given }, (_, i) => row({ approver: `approver${i}`, createdAt: at(i) }));
    const t = tallyApprovals({ ...RUN, approvalsRequired: required }, rows);
    expect([t.received, t.missing]).toEqual([given, missing]);
  });

  it('none given: everything missing', () => {
    expect(tallyApprovals({ ...RUN, approvalsRequired: 2 }, [])).toEqual({
      verdicts: [],
      approvers: [],
      received: 0,
      missing: 2,
    });
  });

  it('after a plan change only approvals of the new plan count', () => {
    const rows = [
      row({ approver: 'alice', planHash: 'sha256:old', voidedAt: at(4) }),
      row({ approver: 'bob', planHash: 'sha256:old', createdAt: at(2) }),
      row({ approver: 'carol', createdAt: at(5) }),
    ];
    expect(tallyApprovals({ ...RUN, approvalsRequired: 2 }, rows)).toEqual({
      verdicts: ['voided', 'other_plan', 'counts'],
      approvers: ['carol'],
      received: 1,
      missing: 1,
    });
  });
});

describe('expiry', () => {
  it.each([
    [null, false],
    [at(-1), true],
    [at(0), true],
    [at(1), false],
  ])('expires at %s, now %s → expired %s', (expiresAt, expired) => {
    expect(isExpired({ expiresAt }, T0)).toBe(expired);
  });

  it('a submitted run waits for approvals for the configured time', () => {
    expect(approvalDeadline(T0, 24 * 3600_000).toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });
});
