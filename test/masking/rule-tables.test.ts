// Which masking rules apply to which tables: a rule on a partitioned table or an inheritance
// parent reaches every table below it, a table's own rule wins over an inherited one and a nearer
// ancestor's over a farther one's; and a table-scoped restore knows which tables of its scope
// are covered, or that an old backup cannot tell.
import { describe, expect, it } from 'vitest';
import type { TableCount } from '../../src/backup/manifest.js';
import type { MaskingRule, Transform } from '../../src/catalog/types.js';
import { rulesByTable, type TableAncestry } from '../../src/masking/rule-tables.js';
import { maskedInScope } from '../../src/restore/scope.js';

const rule = (table: string, column: string, transform: Transform = 'token'): MaskingRule => ({
  table,
  column,
  transform,
  options: {},
});
const t = (name: string, schema = 'public'): TableCount => ({ schema, name, rows: 1, file: `${name}.dat` });
const ref = (name: string, schema = 'public') => ({ schema, name });

// events (partitioned by region) → events_eu (partitioned by id) → events_eu_1, events_eu_2;
// events → events_us; people_base → people_staff → people_alumni (plain inheritance);
// "Sales Dept"."Order" stands alone.
const tables = [
  t('events_eu_1'),
  t('events_eu_2'),
  t('events_us'),
  t('people_base'),
  t('people_staff'),
  t('people_alumni'),
  t('Order', 'Sales Dept'),
  t('customers'),
];
const ancestry: TableAncestry[] = [
  { ...ref('events'), ancestors: [] },
  { ...ref('events_eu'), ancestors: [ref('events')] },
  { ...ref('events_eu_1'), ancestors: [ref('events_eu'), ref('events')] },
  { ...ref('events_eu_2'), ancestors: [ref('events_eu'), ref('events')] },
  { ...ref('events_us'), ancestors: [ref('events')] },
  { ...ref('people_staff'), ancestors: [ref('people_base')] },
  { ...ref('people_alumni'), ancestors: [ref('people_staff'), ref('people_base')] },
];

/** The result as `schema.table: column=transform[<via], …` lines (names unquoted), in order, for exact comparison. */
function show(rules: MaskingRule[], anc: readonly TableAncestry[] = ancestry) {
  const r = rulesByTable(rules, tables, anc);
  return {
    applied: [...r.applied].map(
      ([table, applied]) =>
        `${table.schema}.${table.name}: ${applied
          .map((a) => `${a.rule.column}=${a.rule.transform}${a.via ? `<${a.via.schema}.${a.via.name}` : ''}`)
          .join(', ')}`,
    ),
    unmatched: r.unmatched.map((u) => `${u.table}.${u.column}`),
  };
}

describe('rulesByTable', () => {
  it.each<[string, MaskingRule[], string[]]>([
    [
      'a rule on the partitioned root reaches every partition, at every level',
      [rule('events', 'email')],
      [
        'public.events_eu_1: email=token<public.events',
        'public.events_eu_2: email=token<public.events',
        'public.events_us: email=token<public.events',
      ],
    ],
    [
      'a rule on a sub-partitioned table reaches only its own partitions',
      [rule('public.events_eu', 'email')],
      ['public.events_eu_1: email=token<public.events_eu', 'public.events_eu_2: email=token<public.events_eu'],
    ],
    ['a rule on a leaf partition applies to it alone', [rule('events_us', 'email')], ['public.events_us: email=token']],
    [
      "a table's own rule wins over its parent's for the same column, other columns still inherit",
      [rule('events', 'email'), rule('events', 'phone', 'phone'), rule('events_us', 'email', 'redact')],
      [
        'public.events_eu_1: email=token<public.events, phone=phone<public.events',
        'public.events_eu_2: email=token<public.events, phone=phone<public.events',
        'public.events_us: phone=phone<public.events, email=redact',
      ],
    ],
    [
      "a nearer ancestor's rule wins over a farther one's",
      [rule('events', 'email'), rule('events_eu', 'email', 'hash')],
      [
        'public.events_us: email=token<public.events',
        'public.events_eu_1: email=hash<public.events_eu',
        'public.events_eu_2: email=hash<public.events_eu',
      ],
    ],
    [
      'a rule on an inheritance parent applies to the parent and to its children and grandchildren',
      [rule('people_base', 'email')],
      [
        'public.people_base: email=token',
        'public.people_staff: email=token<public.people_base',
        'public.people_alumni: email=token<public.people_base',
      ],
    ],
    [
      'tables come in the order of the first rule that applies to them, and their rules in config order',
      [rule('"Sales Dept"."Order"', 'customer_email'), rule('customers', 'email'), rule('people_staff', 'email')],
      [
        'Sales Dept.Order: customer_email=token',
        'public.customers: email=token',
        'public.people_staff: email=token',
        'public.people_alumni: email=token<public.people_staff',
      ],
    ],
  ])('%s', (_what, rules, applied) => {
    expect(show(rules)).toEqual({ applied, unmatched: [] });
  });

  it('reports rules whose table is nowhere, and accepts a partitioned table without partitions', () => {
    const empty: TableAncestry[] = [...ancestry, { ...ref('archive', 'old'), ancestors: [] }];
    expect(show([rule('missing', 'email'), rule('old.archive', 'email'), rule('customers', 'email')], empty)).toEqual({
      applied: ['public.customers: email=token'],
      unmatched: ['missing.email'],
    });
  });

  it('without ancestry (a table missing from it has no parent), a rule on a parent matches nothing below it', () => {
    expect(show([rule('events', 'email'), rule('customers', 'email')], [])).toEqual({
      applied: ['public.customers: email=token'],
      unmatched: ['events.email'],
    });
  });
});

describe('maskedInScope', () => {
  const inheritance = ancestry.filter((a) => a.ancestors.length > 0 && tables.some((x) => x.name === a.name));

  it('finds the tables of a scope that a rule covers directly or through a parent', () => {
    const scope = [tables[0]!, tables[2]!, tables[7]!]; // events_eu_1, events_us, customers
    expect(maskedInScope([rule('events_eu', 'email')], scope, { inheritance })).toEqual([tables[0]]);
    expect(maskedInScope([rule('customers', 'email'), rule('events', 'email')], scope, { inheritance })).toEqual([
      tables[7],
      tables[0],
      tables[2],
    ]);
    expect(maskedInScope([rule('people_base', 'email')], scope, { inheritance })).toEqual([]);
  });

  it('cannot tell for a backup without inheritance records while rules exist, and needs none without rules', () => {
    expect(maskedInScope([rule('events', 'email')], [tables[0]!], {})).toBeUndefined();
    expect(maskedInScope([], [tables[0]!], {})).toEqual([]);
    expect(maskedInScope([rule('events', 'email')], [tables[0]!], { inheritance: [] })).toEqual([]);
  });
});
