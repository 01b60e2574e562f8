// `lifeboat status` as a terminal table (pure): aligned columns, each figure against its target,
// then the open breaches in sentences; a caller who may see nothing is told so.
import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../src/cli/commands/status.js';
import type { DatabaseStatus } from '../../src/contract/status.js';

const base: DatabaseStatus = {
  database: 'CustomerDB',
  owner: 'team-alpha',
  newestVerifiedBackup: { id: '20261215T001000Z-3f9a1c2b', at: '2026-12-15T00:10:00.000Z', ageSeconds: 7200 },
  rpo: { target: '1h', targetSeconds: 3600, achievedSeconds: 7200, met: false },
  lastDrill: { id: 12, status: 'passed', finishedAt: '2026-12-06T03:04:10.000Z', restoreSeconds: 41.3 },
  restoreTime: { measuredSeconds: 41.3, from: 'drill', id: 12, rto: '4h', rtoSeconds: 14_400, met: true },
  breaches: [
    {
      slo: 'rpo',
      openedAt: '2026-12-15T02:10:00.000Z',
      message:
        'CustomerDB is outside its RPO of 1h: its newest verified backup (20261215T001000Z-3f9a1c2b) is 2h0m old.',
    },
  ],
};
const bare: DatabaseStatus = {
  database: 'Billing',
  owner: 'team-beta',
  newestVerifiedBackup: null,
  rpo: { target: null, targetSeconds: null, achievedSeconds: null, met: null },
  lastDrill: null,
  restoreTime: { measuredSeconds: null, from: null, id: null, rto: '2h', rtoSeconds: 7200, met: null },
  breaches: [],
};

describe('formatStatus', () => {
  it('aligns one row per database and lists the open breaches', () => {
    expect(formatStatus({ at: '2026-12-15T02:10:00.000Z', databases: [base, bare] }).split('\n')).toEqual([
      'DATABASE    NEWEST VERIFIED BACKUP     AGE   RPO        LAST DRILL         RESTORE TIME         BREACHES',
      'CustomerDB  20261215T001000Z-3f9a1c2b  2h0m  2h0m > 1h  passed 2026-12-06  41s ≤ 4h (drill 12)  rpo',
      'Billing     none                       -     -          never              none (2h)            none',
      '',
      'open breaches:',
      '  CustomerDB rpo since 2026-12-15 02:10 UTC: CustomerDB is outside its RPO of 1h: its newest verified backup (20261215T001000Z-3f9a1c2b) is 2h0m old.',
    ]);
  });

  it('says so when the caller may see no database', () => {
    expect(formatStatus({ at: '2026-12-15T02:10:00.000Z', databases: [] })).toBe('no databases you may see');
  });
});
