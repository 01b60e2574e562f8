// The human form of a run's checks and preview (what a dry run prints without --json), and of its approvals.
import { describe, expect, test } from 'vitest';
import { approvalLines, checksAndPreview, checksTable } from '../../src/cli/run-view.js';
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
        id: 7,
        checks: [
          { code: 'destination_allowed', severity: 'safe', message: 'dev-pg01 (development) is allowed' },
          {
            code: 'backup_verified',
            severity: 'warning',
            message: 'backup x is completed, not verified yet',
            hint: 'verify it',
          },
        ],
        preview,
      }),
    ).toBe(
      [
        'checks: 0 blocking, 1 warning, 1 safe (`lifeboat restore checks 7` lists them all)',
        '  warning  backup_verified  backup x is completed, not verified yet',
        '                            hint: verify it',
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
        id: 1,
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
    expect(checksAndPreview({ id: 1, checks: [], preview: null })).toBe('checks: none recorded\npreview: none');
  });

  test('estimates marked ~, absent tables, schema differences and the estimated duration', () => {
    expect(
      checksAndPreview({
        id: 3,
        checks: [{ code: 'a', severity: 'safe', message: 'fine' }],
        preview: {
          ...preview,
          masking: undefined,
          tables: [
            { table: 'public.big', rowsInBackup: 150000, rowsInDestination: 149000, rowsInDestinationEstimated: true },
            { table: 'public.new', rowsInBackup: 5, rowsInDestination: 0, inDestination: 'absent' },
          ],
          schema: {
            status: 'compared',
            note: '1 table and 2 columns differ',
            tablesAdded: ['public.new'],
            tablesRemoved: [],
            columns: [
              { table: 'public.big', column: 'note', change: 'added' },
              { table: 'public.big', column: 'id', change: 'changed', backup: 'integer', destination: 'bigint' },
            ],
          },
          duration: { estimateMs: 95_000, basis: 'median of 3 past restores to dev-pg01 of 10–40 MB' },
        },
      }),
    ).toBe(
      [
        'checks: 0 blocking, 0 warnings, 1 safe (`lifeboat restore checks 3` lists them all)',
        'preview: backup 20261204T120000Z-ab12, taken 2026-12-04T12:00:05.000Z',
        '  table       rows in backup  rows in destination  masking',
        '  public.big         150,000             ~149,000  -',
        '  public.new               5               absent  -',
        "  (~ the planner's estimate, not a count)",
        '  schema: 1 table and 2 columns differ',
        '    + table public.new (created by the restore)',
        '    + column public.big.note',
        '    ~ column public.big.id: bigint in the destination, integer in the backup',
        '  estimated duration: 1m35s (median of 3 past restores to dev-pg01 of 10–40 MB)',
      ].join('\n'),
    );
  });

  test('restore checks lists every check, with the hint of each that is not safe', () => {
    expect(
      checksTable([
        { code: 'destination_sessions', severity: 'warning', message: '2 sessions', hint: 'they are ended' },
        { code: 'backup', severity: 'blocking', message: 'corrupt', hint: 'choose another' },
        { code: 'x', severity: 'safe', message: 'fine', hint: 'never shown' },
      ]),
    ).toBe(
      [
        'checks:',
        '  warning  destination_sessions  2 sessions',
        '                                 hint: they are ended',
        '  blocking backup                corrupt',
        '                                 hint: choose another',
        '  safe     x                     fine',
      ].join('\n'),
    );
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
