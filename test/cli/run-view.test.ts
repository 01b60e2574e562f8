// The human form of a run's checks and preview (what a dry run prints without --json).
import { describe, expect, test } from 'vitest';
import { checksAndPreview } from '../../src/cli/run-view.js';
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
