// The schema snapshot document read from real databases: stable (same schema built in another
// order, same fingerprint), and every object kind's change found by the diff.
import { beforeAll, describe, expect, it } from 'vitest';
import { readLiveSchema } from '../../src/engines/postgres/read-schema.js';
import { diffSchemas } from '../../src/schema/diff.js';
import { schemaFingerprint, withoutIgnored } from '../../src/schema/document.js';
import { diffSummary } from '../../src/schema/summary.js';
import { startTestCluster, type TestCluster } from '../harness/cluster.js';

let c: TestCluster;
let n = 0;
beforeAll(async () => {
  c = await startTestCluster('schema');
});

/** A new database with `sql` applied, and its document. */
async function built(sql: string) {
  const name = `s${++n}`;
  await c.createDatabase(name);
  if (sql) await c.query(name, sql);
  return { name, read: () => readLiveSchema(c.secretUrl(), name) };
}

const STATEMENTS = [
  `create schema "Sales Dept"`,
  `create type mood as enum ('happy', 'sad')`,
  `create domain positive as int check (value > 0)`,
  `create table customers (id bigint generated always as identity primary key, email text not null unique,
                          name text default 'x', score positive, m mood, upper_email text generated always as (upper(email)) stored)`,
  `create table "Sales Dept"."Order" (id serial primary key, customer_id bigint references customers (id), "Ünïcode" text)`,
  `create index customers_name_idx on customers (name)`,
  `create table events (id int, at date not null) partition by range (at)`,
  `create table events_2024 partition of events for values from ('2024-01-01') to ('2025-01-01')`,
  `create view v_customers as select id, email from customers`,
  `create materialized view mv as select count(*) as n from customers`,
  `create sequence counter start 5`,
  `create function bump() returns trigger language plpgsql as $$ begin new.name := 'y'; return new; end $$`,
  `create procedure noop() language sql as $$ select 1 $$`,
  `create trigger customers_bump before insert on customers for each row execute function bump()`,
  `alter table customers enable row level security`,
  `create policy own on customers using (email = current_user)`,
];
const BASE = STATEMENTS.join(';\n');

describe('schema snapshot document', () => {
  it('is stable: two reads of an unchanged database, and the same schema created in another order, give one fingerprint', async () => {
    const a = await built(BASE);
    const first = await a.read();
    const second = await a.read();
    expect(schemaFingerprint(second)).toBe(schemaFingerprint(first));
    // the same objects, created in another (valid) order
    const order = [12, 11, 10, 6, 7, 2, 1, 3, 15, 14, 13, 9, 8, 5, 0, 4];
    expect([...order].sort((x, y) => x - y)).toEqual(STATEMENTS.map((_, i) => i));
    const b = await built(order.map((i) => STATEMENTS[i]).join(';\n'));
    const other = await b.read();
    expect(diffSchemas(first, other)).toEqual([]);
    expect(schemaFingerprint(other)).toBe(schemaFingerprint(first));
  });

  it('names quoted and unicode identifiers as PostgreSQL quotes them', async () => {
    const a = await built(BASE);
    const doc = await a.read();
    expect(Object.keys(doc.objects)).toEqual(
      expect.arrayContaining([
        'table "Sales Dept"."Order"',
        'column "Sales Dept"."Order"."Ünïcode"',
        'schema "Sales Dept"',
        'column public.customers.email',
        'enum public.mood',
        'domain public.positive',
        'view public.v_customers',
        'materialized_view public.mv',
        'sequence public.counter',
        'function public.bump()',
        'procedure public.noop()',
        'trigger public.customers.customers_bump',
        'policy public.customers.own',
        'index public.customers_name_idx',
        'constraint public.customers.customers_pkey',
        'table public.events_2024',
      ]),
    );
    expect(doc.objects['table public.events_2024']!.definition).toEqual({
      partitionOf: 'public.events',
      partitionBound: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
    });
    expect(doc.objects['table public.customers']!.definition).toEqual({ rowSecurity: true });
  });

  const CHANGES: Array<[string, string, string[]]> = [
    [
      'a column added by hand',
      'alter table customers add column nickname text',
      ['added column public.customers.nickname'],
    ],
    ['an index', 'create index on customers (email, name)', ['added index public.customers_email_name_idx']],
    [
      'a constraint',
      'alter table customers add constraint name_len check (length(name) < 50)',
      ['added constraint public.customers.name_len'],
    ],
    ['a default', "alter table customers alter column name set default 'z'", ['changed column public.customers.name']],
    ['an RLS policy', 'alter policy own on customers using (true)', ['changed policy public.customers.own']],
    ['RLS switched off', 'alter table customers disable row level security', ['changed table public.customers']],
    ['a trigger', 'drop trigger customers_bump on customers', ['removed trigger public.customers.customers_bump']],
    [
      'a function body',
      "create or replace function bump() returns trigger language plpgsql as $$ begin new.name := 'z'; return new; end $$",
      ['changed function public.bump()'],
    ],
    ['an enum value', "alter type mood add value 'meh'", ['changed enum public.mood']],
    [
      'a partition',
      "create table events_2025 partition of events for values from ('2025-01-01') to ('2026-01-01')",
      ['added column public.events_2025.at', 'added column public.events_2025.id', 'added table public.events_2025'],
    ],
    [
      'a view',
      'create or replace view v_customers as select id, email, name from customers',
      ['added column public.v_customers.name', 'changed view public.v_customers'],
    ],
    [
      'a quoted unicode column type',
      'alter table "Sales Dept"."Order" alter column "Ünïcode" type varchar(10)',
      ['changed column "Sales Dept"."Order"."Ünïcode"'],
    ],
  ];
  for (const [what, sql, expected] of CHANGES) {
    it(`finds ${what}`, async () => {
      const a = await built(BASE);
      const before = await a.read();
      await c.query(a.name, sql);
      const changes = diffSchemas(before, await a.read());
      expect(changes.map((x) => `${x.change} ${x.kind} ${x.name}`).sort()).toEqual(expected.sort());
    });
  }

  it('summarises a diff grouped by table, with what changed', async () => {
    const a = await built(BASE);
    const before = await a.read();
    await c.query(
      a.name,
      "alter table customers add column nickname text; alter table customers alter column name set default 'z'",
    );
    expect(diffSummary(diffSchemas(before, await a.read()))).toBe(
      [
        'public.customers',
        '  ~ column public.customers.name',
        "      default: 'x'::text → 'z'::text",
        '  + column public.customers.nickname  text',
        '2 difference(s): 1 added, 0 removed, 1 changed',
      ].join('\n'),
    );
  });

  it('leaves out ignored objects, with the objects of an ignored table', async () => {
    const a = await built(`${BASE}; create table flyway_schema_history (v int primary key)`);
    const doc = withoutIgnored(await a.read(), ['public.flyway_*']);
    expect(Object.keys(doc.objects).filter((k) => k.includes('flyway'))).toEqual([]);
  });
});
