// `lifeboat masking scan`: the scan of a live database finds the fixture CustomerDB's personal
// data by name and by sampled values, reports nothing for columns without it, marks what rules
// cover (whichever way the rule writes the table), and the CLI exits 1 while a finding is
// uncovered, 0 when every one has a rule, 3 for a user who may not scan.
import { beforeAll, describe, expect, it } from 'vitest';
import type { MaskingScanResult } from '../../src/contract/masking.js';
import {
  coverageOf,
  judgeColumn,
  scanDatabase,
  type ScanFinding,
  tableLabel,
  type TextColumn,
} from '../../src/masking/scan-database.js';
import { lifeboat } from '../harness/cli.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import { startTestLifeboat } from '../harness/lifeboat.js';

const finding = (
  table: string,
  column: string,
  kind: ScanFinding['kind'],
  confidence: number,
  by: ScanFinding['by'],
  extra: Partial<ScanFinding> = {},
): ScanFinding => ({ table, column, kind, confidence, by, covered: false, declaredSensitive: false, ...extra });

/** What the fixture CustomerDB holds, in catalog order ("Sales Dept" sorts before "public"). */
const CUSTOMER_FINDINGS: ScanFinding[] = [
  finding('"Sales Dept"."Order"', 'customer_email', 'email', 1, 'both'),
  finding('public.customers', 'full_name', 'person_name', 0.945, 'both'),
  finding('public.customers', 'email', 'email', 1, 'both'),
  finding('public.customers', 'phone', 'phone', 1, 'both'),
  finding('public.customers', 'address', 'address', 1, 'both'),
  finding('public.orders', 'customer_email', 'email', 1, 'both'),
];

const ALL_RULES = `    masking:
      key: env:MASKING_KEY
      rules:
        - { table: customers, column: full_name, transform: name }
        - { table: public.customers, column: email, transform: email }
        - { table: '"public"."customers"', column: phone, transform: phone }
        - { table: customers, column: address, transform: address }
        - { table: orders, column: customer_email, transform: email }
        - { table: '"Sales Dept"."Order"', column: customer_email, transform: email }`;

describe('judgeColumn', () => {
  const emails = ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com', 'e@example.com'];
  const products = ['Blue Widget', 'Red Gadget', 'Green Sprocket', 'Small Gizmo', 'Large Doohickey'];

  it('says `both` when the name and the values agree, with the higher confidence', () => {
    expect(judgeColumn({ kind: 'email', confidence: 0.95 }, emails)).toEqual({
      kind: 'email',
      confidence: 1,
      by: 'both',
    });
  });

  it('believes the values over a name that says otherwise', () => {
    expect(judgeColumn({ kind: 'person_name', confidence: 0.9 }, emails)).toEqual({
      kind: 'email',
      confidence: 1,
      by: 'content',
    });
  });

  it('finds by content alone, and by name alone when too few values were sampled', () => {
    expect(judgeColumn(undefined, emails)).toEqual({ kind: 'email', confidence: 1, by: 'content' });
    expect(judgeColumn({ kind: 'phone', confidence: 0.9 }, ['', '+1-555-0100'])).toEqual({
      kind: 'phone',
      confidence: 0.9,
      by: 'name',
    });
    expect(judgeColumn({ kind: 'phone', confidence: 0.9 }, products)).toEqual({
      kind: 'phone',
      confidence: 0.9,
      by: 'name',
    });
  });

  it('drops a weak name guess that the sampled values do not bear out, and keeps it without samples', () => {
    expect(judgeColumn({ kind: 'person_name', confidence: 0.4 }, products)).toBeUndefined();
    expect(judgeColumn({ kind: 'person_name', confidence: 0.4 }, [])).toEqual({
      kind: 'person_name',
      confidence: 0.4,
      by: 'name',
    });
  });

  it('reports nothing when neither the name nor the values suggest personal data', () => {
    expect(judgeColumn(undefined, products)).toBeUndefined();
    expect(judgeColumn(undefined, [])).toBeUndefined();
  });
});

describe('tableLabel and coverage', () => {
  it('writes tables as lifeboat.yaml does, quoting only what must be quoted', () => {
    expect(tableLabel('public', 'customers')).toBe('public.customers');
    expect(tableLabel('Sales Dept', 'Order')).toBe('"Sales Dept"."Order"');
    expect(tableLabel('crm', 'say "hi"')).toBe('crm."say ""hi"""');
  });

  const col = (schema: string, table: string, column: string): TextColumn => ({ schema, table, column, type: 'text' });
  const columns = [
    col('public', 'customers', 'email'),
    col('archive', 'customers', 'email'),
    col('Sales Dept', 'Order', 'customer_email'),
    col('crm', 'contacts', 'phone'),
  ];
  const keys = (s: Set<string>) => [...s].map((k) => k.split('\0').join('|')).sort();

  it('matches rules written as `t`, `schema.t` and quoted, an unqualified name meaning public when ambiguous', () => {
    const r = coverageOf(columns, {
      rules: [
        { table: 'customers', column: 'email', transform: 'email', options: {} },
        { table: '"Sales Dept"."Order"', column: 'customer_email', transform: 'token', options: {} },
        { table: 'contacts', column: 'phone', transform: 'phone', options: {} },
        { table: 'missing', column: 'email', transform: 'email', options: {} },
      ],
      sensitive: [{ table: 'ARCHIVE.Customers', column: 'email' }],
    });
    expect(keys(r.covered)).toEqual([
      'Sales Dept|Order|customer_email',
      'crm|contacts|phone',
      'public|customers|email',
    ]);
    expect(keys(r.sensitive)).toEqual(['archive|customers|email']);
  });

  it('does not match a quoted name whose case differs', () => {
    const r = coverageOf(columns, {
      rules: [],
      sensitive: [{ table: '"sales dept"."order"', column: 'customer_email' }],
    });
    expect(keys(r.sensitive)).toEqual([]);
  });
});

describe('scanDatabase on a live database', () => {
  let servers: FixtureServers;
  beforeAll(async () => {
    servers = await startFixtureServers();
    await servers.prod.createDatabase('scan_extra');
    const sql = (text: string) => servers.prod.query('scan_extra', text);
    await sql('create extension citext');
    await sql('create domain email_address as text');
    await sql(`create table products (id int, name text, sku varchar(20), phone_ext int)`);
    await sql(`insert into products
               select i, (array['Blue Widget','Red Gadget','Green Sprocket','Small Gizmo','Large Doohickey'])[1 + i % 5],
                      'SKU-' || i, i from generate_series(1, 20) i`);
    await sql(`create schema "CRM"`);
    await sql(`create table "CRM"."Contacts" (
                 "Work Phone" varchar(40), label citext, contact email_address, profile jsonb, payload json,
                 remarks text, mobile text)`);
    await sql(`insert into "CRM"."Contacts"
               select '+44 20 7946 ' || lpad(i::text, 4, '0'),
                      (array['Olivia Smith','Liam Johnson','Emma Brown','Noah Garcia'])[1 + i % 4],
                      'person' || i || '@example.org',
                      to_jsonb('owner' || i || '@example.com'),
                      json_build_object('email', 'x' || i || '@example.com'),
                      case when i <= 2 then 'reach me at r' || i || '@example.com' else 'called back, all fine' end,
                      case when i = 1 then '+1 555 0100' end
                 from generate_series(1, 10) i`);
    await sql(`create table people (email text)`);
    await sql(`create schema archive`);
    await sql(`create table archive.people (email text)`);
    await sql(`insert into people select 'p' || i || '@example.net' from generate_series(1, 6) i`);
    await sql(`insert into archive.people select 'old' || i || '@example.net' from generate_series(1, 6) i`);
    await sql(`create table events (id int, attendee_email text) partition by range (id)`);
    await sql(`create table events_1 partition of events for values from (0) to (100)`);
    await sql(`create table events_2 partition of events for values from (100) to (200)`);
    await sql(`insert into events select i * 20, 'guest' || i || '@example.com' from generate_series(1, 9) i`);
  });

  it('finds the fixture CustomerDB’s emails, names, phones and addresses, and nothing in orders.status or notes', async () => {
    const findings = await scanDatabase(servers.prod.secretUrl(), 'customer');
    expect(findings).toEqual(CUSTOMER_FINDINGS);
    expect(findings.map((f) => `${f.table}.${f.column}`)).not.toContain('public.orders.status');
  });

  it('marks the columns that rules cover and the ones declared sensitive, however the rule writes the table', async () => {
    const findings = await scanDatabase(servers.prod.secretUrl(), 'customer', {
      sampleRows: 50,
      masking: {
        rules: [
          { table: 'customers', column: 'email', transform: 'token', options: {} },
          { table: '"Sales Dept"."Order"', column: 'customer_email', transform: 'token', options: {} },
          { table: 'public.orders', column: 'status', transform: 'null', options: {} },
        ],
        sensitive: [
          { table: 'public.customers', column: 'email' },
          { table: 'customers', column: 'phone' },
        ],
      },
    });
    expect(findings.map((f) => [f.table, f.column, f.covered, f.declaredSensitive])).toEqual([
      ['"Sales Dept"."Order"', 'customer_email', true, false],
      ['public.customers', 'full_name', false, false],
      ['public.customers', 'email', true, true],
      ['public.customers', 'phone', false, true],
      ['public.customers', 'address', false, false],
      ['public.orders', 'customer_email', false, false],
    ]);
  });

  it('reads varchar, citext, domains and json, skips partitions, weak guesses and non-text columns', async () => {
    const findings = await scanDatabase(servers.prod.secretUrl(), 'scan_extra', {
      masking: {
        rules: [
          { table: 'people', column: 'email', transform: 'email', options: {} },
          { table: '"CRM"."Contacts"', column: 'Work Phone', transform: 'phone', options: {} },
        ],
        sensitive: [{ table: 'archive.people', column: 'email' }],
      },
    });
    expect(findings).toEqual([
      finding('"CRM"."Contacts"', 'Work Phone', 'phone', 1, 'both', { covered: true }),
      finding('"CRM"."Contacts"', 'label', 'person_name', 1, 'content'),
      finding('"CRM"."Contacts"', 'contact', 'email', 1, 'content'),
      finding('"CRM"."Contacts"', 'profile', 'email', 1, 'content'),
      finding('"CRM"."Contacts"', 'mobile', 'phone', 0.9, 'name'),
      finding('archive.people', 'email', 'email', 1, 'both', { declaredSensitive: true }),
      finding('public.events', 'attendee_email', 'email', 1, 'both'),
      finding('public.people', 'email', 'email', 1, 'both', { covered: true }),
    ]);
  });

  it('names the database it cannot reach, without the password', async () => {
    const err = await scanDatabase(servers.prod.secretUrl(), 'no_such_db').catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'engine_failed',
      message: 'unable to connect to database no_such_db: database "no_such_db" does not exist',
    });
  });
});

describe('lifeboat masking scan', () => {
  let servers: FixtureServers;
  beforeAll(async () => {
    servers = await startFixtureServers();
  });

  it('lists the findings, marks the uncovered with !, and exits 1 while one has no rule', async () => {
    const lb = await startTestLifeboat(
      fixtureConfig({
        databaseExtra: `    masking:
      key: env:MASKING_KEY
      rules:
        - { table: public.customers, column: email, transform: email }
        - { table: '"Sales Dept"."Order"', column: customer_email, transform: email }
      sensitive:
        - { table: customers, column: phone }`,
      }),
      servers.env,
    );
    const r = await lifeboat(['masking', 'scan', 'CustomerDB'], { env: await lb.cliEnv('alice') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        '   TABLE                 COLUMN          KIND         FOUND BY  CONFIDENCE  MASKING',
        '   "Sales Dept"."Order"  customer_email  email        both      100%        rule',
        '!  public.customers      full_name       person_name  both      95%         NO RULE',
        '   public.customers      email           email        both      100%        rule',
        '!  public.customers      phone           phone        both      100%        NO RULE, declared sensitive',
        '!  public.customers      address         address      both      100%        NO RULE',
        '!  public.orders         customer_email  email        both      100%        NO RULE',
        '',
        'CustomerDB: 6 columns look like personal data; 4 have no masking rule (marked !)',
        'HINT: add a rule for each under databases.CustomerDB.masking.rules in lifeboat.yaml',
        '',
      ].join('\n'),
    );

    const j = await lifeboat(['masking', 'scan', 'CustomerDB', '--json', '--sample-rows', '20'], {
      env: await lb.cliEnv('dana'),
    });
    expect(j.stderr).toBe('');
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.stdout) as MaskingScanResult;
    expect(doc.database).toBe('CustomerDB');
    expect(doc.uncovered).toBe(4);
    expect(doc.findings.map((f) => [f.table, f.column, f.kind, f.covered, f.declaredSensitive])).toEqual([
      ['"Sales Dept"."Order"', 'customer_email', 'email', true, false],
      ['public.customers', 'full_name', 'person_name', false, false],
      ['public.customers', 'email', 'email', true, false],
      ['public.customers', 'phone', 'phone', false, true],
      ['public.customers', 'address', 'address', false, false],
      ['public.orders', 'customer_email', 'email', false, false],
    ]);

    const audit = await lb.store.db
      .selectFrom('audit_events')
      .select(['actor', 'action', 'subject_id', 'outcome', 'details'])
      .where('action', '=', 'masking.scan')
      .orderBy('seq')
      .execute();
    expect(audit).toEqual([
      {
        actor: 'alice',
        action: 'masking.scan',
        subject_id: 'CustomerDB',
        outcome: 'success',
        details: { findings: 6, uncovered: 4 },
      },
      {
        actor: 'dana',
        action: 'masking.scan',
        subject_id: 'CustomerDB',
        outcome: 'success',
        details: { findings: 6, uncovered: 4 },
      },
    ]);
  });

  it('exits 0 when every finding has a rule', async () => {
    const lb = await startTestLifeboat(fixtureConfig({ databaseExtra: ALL_RULES }), servers.env);
    const r = await lifeboat(['masking', 'scan', 'CustomerDB', '--json'], { env: await lb.cliEnv('bob') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as MaskingScanResult;
    expect(doc).toEqual({
      database: 'CustomerDB',
      findings: CUSTOMER_FINDINGS.map((f) => ({ ...f, covered: true })),
      uncovered: 0,
    });
    const h = await lifeboat(['masking', 'scan', 'CustomerDB'], { env: await lb.cliEnv('bob') });
    expect(h.code).toBe(0);
    expect(h.stdout.split('\n').slice(-2)).toEqual([
      'CustomerDB: 6 columns look like personal data; every one has a masking rule',
      '',
    ]);
    expect(h.stdout).not.toContain('!');
  });

  it('refuses a developer with exit 3, an unknown database with exit 4, a bad --sample-rows with exit 2', async () => {
    const lb = await startTestLifeboat(fixtureConfig(), servers.env);
    const r = await lifeboat(['masking', 'scan', 'CustomerDB'], { env: await lb.cliEnv('jsmith') });
    expect(r.stdout).toBe('');
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      "lifeboat: unable to masking scan: jsmith's roles (developer) do not allow masking.scan on CustomerDB\n" +
        'HINT: ask an admin for a role that allows it\n',
    );
    const denied = await lb.store.db
      .selectFrom('audit_events')
      .select(['actor', 'action', 'subject_id', 'outcome'])
      .where('action', '=', 'masking.scan')
      .execute();
    expect(denied).toEqual([{ actor: 'jsmith', action: 'masking.scan', subject_id: 'CustomerDB', outcome: 'denied' }]);

    const nf = await lifeboat(['masking', 'scan', 'NoSuchDB'], { env: await lb.cliEnv('alice') });
    expect(nf.code).toBe(4);
    expect(nf.stderr).toBe('lifeboat: database "NoSuchDB" is not in the catalog\nHINT: known databases: CustomerDB\n');

    const usage = await lifeboat(['masking', 'scan', 'CustomerDB', '--sample-rows', '0'], {
      env: await lb.cliEnv('alice'),
    });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('lifeboat: invalid --sample-rows "0"\nHINT: use a whole number between 1 and 10000\n');
  });
});
