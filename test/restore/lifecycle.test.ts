// The lifecycles of restore runs and of backups, exhaustively: every status against every event.
// The expected transitions are written out here as a table, on purpose apart from the code they
// check; any pair not in the table must be refused with invalid_transition (HTTP 409).
import { describe, expect, it } from 'vitest';
import { nextBackupStatus, BACKUP_STATUSES, type BackupEvent, type BackupStatus } from '../../src/backup/status.js';
import { isLifeboatError } from '../../src/errors.js';
import {
  canTransition,
  DRY_RUN_STATUSES,
  isTerminal,
  nextStatus,
  RUN_EVENTS,
  RUN_STATUSES,
  type RunEvent,
  type RunStatus,
} from '../../src/restore/lifecycle.js';

/** from → event → to, with the approvals still missing where it matters (undefined: any). */
const EDITABLE: RunStatus[] = ['draft', 'scoped', 'checked', 'previewed', 'pending_approval', 'approved', 'scheduled'];
const RUN_TABLE: Array<[RunStatus, RunEvent, RunStatus, number?]> = [
  ...EDITABLE.map((s): [RunStatus, RunEvent, RunStatus] => [s, 'source', 'draft']),
  ...EDITABLE.map((s): [RunStatus, RunEvent, RunStatus] => [s, 'scope', 'scoped']),
  ...EDITABLE.map((s): [RunStatus, RunEvent, RunStatus] => [s, 'expire', 'expired']),
  ['scoped', 'check', 'checked'],
  ['checked', 'check', 'checked'],
  ['previewed', 'check', 'checked'],
  ['checked', 'preview', 'previewed'],
  ['previewed', 'preview', 'previewed'],
  ['previewed', 'submit', 'pending_approval', 1],
  ['previewed', 'submit', 'pending_approval', 2],
  ['previewed', 'submit', 'approved', 0],
  ['pending_approval', 'approve', 'pending_approval', 1],
  ['pending_approval', 'approve', 'approved', 0],
  ['pending_approval', 'reject', 'rejected'],
  ['pending_approval', 'void', 'pending_approval'],
  ['approved', 'void', 'pending_approval'],
  ['scheduled', 'void', 'pending_approval'],
  ['queued', 'void', 'pending_approval'],
  ['approved', 'schedule', 'scheduled'],
  ['approved', 'enqueue', 'queued'],
  ['scheduled', 'enqueue', 'queued'],
  ['queued', 'start', 'running'],
  ['running', 'complete', 'completed'],
  ['running', 'complete_partially', 'partial'],
  ['queued', 'fail', 'failed'],
  ['running', 'fail', 'failed'],
  ...RUN_STATUSES.filter(
    (s) => !['completed', 'partial', 'failed', 'cancelled', 'rejected', 'expired'].includes(s),
  ).map((s): [RunStatus, RunEvent, RunStatus] => [s, 'cancel', 'cancelled']),
];

function refusal(fn: () => unknown): { code: string; message: string; hint?: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!isLifeboatError(err)) throw err;
    return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  }
}

describe('restore run lifecycle', () => {
  const cases = RUN_STATUSES.flatMap((from) =>
    RUN_EVENTS.flatMap((event) => [0, 1].map((missing) => ({ from, event, missing }))),
  );

  it(`covers every status × event × approvals-missing (${cases.length} cases)`, () => {
    expect(cases).toHaveLength(15 * 16 * 2);
    for (const { from, event, missing } of cases) {
      const row = RUN_TABLE.find(([f, e, , m]) => f === from && e === event && (m === undefined || m === missing));
      const ctx = { approvalsMissing: missing };
      if (row) {
        expect(nextStatus(from, event, ctx), `${from} --${event}(${missing})-->`).toBe(row[2]);
        expect(canTransition(from, event, ctx)).toBe(true);
      } else {
        const r = refusal(() => nextStatus(from, event, ctx));
        expect(r?.code, `${from} --${event}(${missing})--> must be refused`).toBe('invalid_transition');
        expect(r?.message).toBe(`a ${from.replace('_', ' ')} run cannot ${event.replace('_', ' ')}`);
        expect(canTransition(from, event, ctx)).toBe(false);
      }
    }
  });

  it('submitting without a count of missing approvals asks for approval', () => {
    expect(nextStatus('previewed', 'submit')).toBe('pending_approval');
  });

  it('ends nowhere but in a terminal status, and a terminal status takes no event', () => {
    const terminal = RUN_STATUSES.filter(isTerminal);
    expect(terminal.sort()).toEqual(['cancelled', 'completed', 'expired', 'failed', 'partial', 'rejected']);
    for (const s of terminal) {
      for (const e of RUN_EVENTS) {
        expect(refusal(() => nextStatus(s, e))?.hint).toBe('the run has ended; request a new one');
      }
    }
    // every other status can still be cancelled, so no run is stuck
    for (const s of RUN_STATUSES.filter((x) => !isTerminal(x))) expect(nextStatus(s, 'cancel')).toBe('cancelled');
  });

  it('a dry run becomes a real one only by a submission, and only an edit before a worker has it goes back', () => {
    expect([...DRY_RUN_STATUSES].sort()).toEqual(['checked', 'draft', 'previewed', 'scoped']);
    for (const [from, event, to] of RUN_TABLE) {
      if (DRY_RUN_STATUSES.has(from) && !DRY_RUN_STATUSES.has(to))
        expect(['submit', 'cancel', 'expire']).toContain(event);
      // only the requester changing the source or the scope leads back into a dry run (and it
      // resets the approvals): never a run a worker has been handed
      if (!DRY_RUN_STATUSES.has(from) && DRY_RUN_STATUSES.has(to)) {
        expect(['source', 'scope']).toContain(event);
        expect(['pending_approval', 'approved', 'scheduled']).toContain(from);
      }
    }
  });
});

describe('backup lifecycle', () => {
  const TABLE: Array<[BackupStatus, BackupEvent, BackupStatus]> = [
    ['queued', 'start', 'running'],
    ['running', 'finish', 'completed'],
    ['queued', 'fail', 'failed'],
    ['running', 'fail', 'failed'],
    // a user stops a backup that is not written yet; a written one is kept (or pruned) instead
    ['queued', 'cancel', 'cancelled'],
    ['running', 'cancel', 'cancelled'],
    ['completed', 'verify_ok', 'verified'],
    ['verified', 'verify_ok', 'verified'],
    ['corrupt', 'verify_ok', 'verified'],
    ['completed', 'verify_failed', 'corrupt'],
    ['verified', 'verify_failed', 'corrupt'],
    ['corrupt', 'verify_failed', 'corrupt'],
    ['unverifiable', 'verify_ok', 'verified'],
    ['unverifiable', 'verify_failed', 'corrupt'],
    // a verification that cannot read the storage learns nothing: never corrupt, and a backup
    // known to be corrupt stays so
    ['completed', 'verify_unreadable', 'unverifiable'],
    ['verified', 'verify_unreadable', 'unverifiable'],
    ['unverifiable', 'verify_unreadable', 'unverifiable'],
    ['corrupt', 'verify_unreadable', 'corrupt'],
  ];
  const EVENTS: BackupEvent[] = [
    'start',
    'finish',
    'fail',
    'cancel',
    'verify_ok',
    'verify_failed',
    'verify_unreadable',
  ];

  it(`covers every status × event (${BACKUP_STATUSES.length * EVENTS.length} cases)`, () => {
    for (const from of BACKUP_STATUSES) {
      for (const event of EVENTS) {
        const row = TABLE.find(([f, e]) => f === from && e === event);
        if (row) expect(nextBackupStatus(from, event), `${from} --${event}-->`).toBe(row[2]);
        else
          expect(refusal(() => nextBackupStatus(from, event))?.code, `${from} --${event}-->`).toBe(
            'invalid_transition',
          );
      }
    }
  });

  it('a failed or cancelled backup stays so: it is never verified', () => {
    for (const s of ['failed', 'cancelled'] as const)
      for (const e of EVENTS) expect(refusal(() => nextBackupStatus(s, e))?.code).toBe('invalid_transition');
  });
});
