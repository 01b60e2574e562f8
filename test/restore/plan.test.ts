// The plan hash an approval is bound to: equal plans hash equally whatever the order of their
// parts; each part that changes the restore changes the hash.
import { describe, expect, it } from 'vitest';
import { type Plan, planHash } from '../../src/restore/plan.js';

const base: Plan = {
  backupId: 'b1',
  pointInTime: null,
  tables: ['public.a', 'public.b'],
  destination: { server: 'staging', dbname: 'customer', tier: 'staging' },
  masking: [
    { table: 'customers', column: 'email', transform: 'email', options: {} },
    { table: 'customers', column: 'name', transform: 'fake_name', options: { locale: 'en' } },
  ],
  postRestore: ['sql:/x/anon.sql:abc'],
};

describe('planHash', () => {
  it('is stable under reordering of tables, masking rules and object keys', () => {
    const reordered: Plan = {
      postRestore: base.postRestore,
      masking: [...base.masking]
        .reverse()
        .map((r) => ({ options: r.options, transform: r.transform, column: r.column, table: r.table })),
      destination: { tier: 'staging', dbname: 'customer', server: 'staging' },
      tables: ['public.b', 'public.a'],
      pointInTime: null,
      backupId: 'b1',
    };
    expect(planHash(reordered)).toBe(planHash(base));
    expect(planHash(base)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  const changes: Array<[string, Partial<Plan>]> = [
    ['backup', { backupId: 'b2' }],
    ['point in time', { pointInTime: '2026-12-01T00:00:00.000Z' }],
    ['scope', { tables: ['public.a'] }],
    ['whole database instead of a scope', { tables: null }],
    ['destination server', { destination: { ...base.destination, server: 'dev' } }],
    ['destination database', { destination: { ...base.destination, dbname: 'other' } }],
    ['a masking transform', { masking: [{ ...base.masking[0]!, transform: 'redact' }, base.masking[1]!] }],
    ['a masking option', { masking: [base.masking[0]!, { ...base.masking[1]!, options: { locale: 'de' } }] }],
    ['a masking rule removed', { masking: [base.masking[0]!] }],
    ['a post-restore script content', { postRestore: ['sql:/x/anon.sql:abd'] }],
    ['a post-restore step added', { postRestore: [...base.postRestore, 'command:true'] }],
  ];
  it.each(changes)('changes when the %s changes', (_what, change) => {
    expect(planHash({ ...base, ...change })).not.toBe(planHash(base));
  });
});
