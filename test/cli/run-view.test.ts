// The human form of a run's checks and preview (what a dry run prints without --json), and of its approvals.
import { describe, expect, test } from 'vitest';
import { approvalLines, checksAndPreview } from '../../src/cli/run-view.js';
import type { RunDoc } from '../../src/contract/runs.js';

const preview: NonNullable<RunDoc['preview']> = {
  backupId: '20261204T120000Z-ab12',
  backupTakenAt: '2026-12-04T12:00:05.000Z',
  tables: [
    { table: 'public.customers', rowsInBackup: 5000, masking: ['email: token', 'full_name: name'] },
    { table: '"Sales Dept"."Order"', rowsInBackup: 12, masking: [] },
  ],
  masking: { applied: true, note: '2 masking rule(s) applied in the stream' },
};

describe('checksAndPreview', () => {
  test('a checks section and one row per table: rows in the backup and the masking applied', () => {
    expect(
      checksAndPreview({
        checks: [
          { code: 'destination_allowed', severity: 'safe', message: 'dev-pg01 (development) is allowed' },
          { code: 'backup_verified', severity: 'warning', message: 'backup x is completed, not verified yet' },
        ],
        preview,
      }),
    ).toBe(
      [
        'checks:',
        '  safe     destination_allowed  dev-pg01 (development) is allowed',
        '  warning  backup_verified      backup x is completed, not verified yet',
        'preview: backup 20261204T120000Z-ab12, taken 2026-12-04T12:00:05.000Z',
        '  table                 rows in backup  masking',
        '  public.customers               5,000  email: token, full_name: name',
        '  "Sales Dept"."Order"              12  -',
        '  masking: 2 masking rule(s) applied in the stream',
      ].join('\n'),
    );
  });

  test('rows in the destination when any table has them; no checks and no preview said so', () => {
    expect(
      checksAndPreview({
        checks: [],
        preview: {
          ...preview,
          masking: undefined,
          tables: [
            { table: 'public.a', rowsInBackup: 1, rowsInDestination: 1234567 },
            { table: 'public.b', rowsInBackup: 22, rowsInDestination: null },
          ],
        },
      }),
    ).toBe(
      [
        'checks: none recorded',
        'preview: backup 20261204T120000Z-ab12, taken 2026-12-04T12:00:05.000Z',
        '  table     rows in backup  rows in destination  masking',
        '  public.a               1            1,234,567  -',
        '  public.b              22                    -  -',
      ].join('\n'),
    );
    expect(checksAndPreview({ checks: [], preview: null })).toBe('checks: none recorded\npreview: none');
  });
});

describe('approvalLines', () => {
  const base = {
    status: 'pending_approval' as const,
    approvals: [],
    approvalsRequired: 2,
    approvalsReceived: 0,
    approvalsMissing: 2,
    ownerTeam: 'team-alpha',
    approvers: ['alice', 'bob'],
    expiresAt: '2026-12-05T12:00:00.000Z',
  };
  const approval = {
    approver: 'dana',
    decision: 'approve' as const,
    comment: 'on call',
    override: true,
    at: '2026-12-04T12:00:00.000Z',
    counts: true,
    voidedAt: null,
    voidReason: null,
  };

  test('nothing for a run that needs no approval and has none', () => {
    expect(approvalLines({ ...base, status: 'queued', approvalsRequired: 0, approvalsMissing: 0 })).toEqual([]);
  });

  test('what is missing, from whom, and until when', () => {
    expect(approvalLines(base)).toEqual([
      'approvals: 0 of 2',
      "  needs 2 more approvals from team-alpha's approvers: alice, bob",
      '  expires at 2026-12-05T12:00:00.000Z unless approved',
    ]);
    expect(approvalLines({ ...base, approvalsMissing: 1, approvers: [], expiresAt: null })).toEqual([
      'approvals: 0 of 2',
      "  needs 1 more approval from team-alpha's approvers: none left in lifeboat.yaml",
    ]);
  });

  test('each decision: an override, a void with its reason, one that does not count, a rejection', () => {
    expect(
      approvalLines({
        ...base,
        status: 'rejected',
        approvalsReceived: 1,
        approvals: [
          approval,
          {
            ...approval,
            comment: null,
            voidedAt: '2026-12-04T13:00:00.000Z',
            voidReason: 'the plan changed',
            counts: false,
          },
          { ...approval, approver: 'bob', override: false, comment: null, counts: false },
          { ...approval, approver: 'alice', decision: 'reject', override: false, comment: 'not now', counts: false },
        ],
      }),
    ).toEqual([
      'approvals: 1 of 2',
      '  dana approved at 2026-12-04T12:00:00.000Z (dba-admin override): "on call"',
      '  dana approved at 2026-12-04T12:00:00.000Z (dba-admin override)  VOID since 2026-12-04T13:00:00.000Z: the plan changed',
      '  bob approved at 2026-12-04T12:00:00.000Z  does not count',
      '  alice rejected at 2026-12-04T12:00:00.000Z: "not now"',
    ]);
  });
});
