// `lifeboat masking scan`: the scan of a live database finds the fixture CustomerDB's personal
// data by name and by sampled values (dates of birth and notes with names, phones and emails
// inside included), reports nothing for columns without it, marks what rules cover (whichever
// way the rule writes the table), and the CLI exits 1 while a finding is uncovered, 0 when every
// one has a rule, 3 for a user who may not scan. Only a permission error is reported as one.
import { beforeAll, describe, expect, it } from 'vitest';
import type { MaskingScanResult } from '../../src/contract/masking.js';
import { DEMO_MASKING_RULES } from '../../src/demo/workspace.js';
import { isLifeboatError } from '../../src/errors.js';
import { Secret } from '../../src/lib/secret.js';
import {
  coverageOf,
  judgeColumn,
  scanDatabase,
  scanError,
  type ScanFinding,
  tableLabel,
  type ScannedColumn,
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
  finding('public.customers', 'birth_date', 'birth_date', 1, 'both'),
  // 104 non-empty notes among the first 200 non-null; 69 name a person the word lists know, a phone or an email
  finding('public.customers', 'notes', 'free_text', 69 / 104, 'content'),
  finding('public.orders', 'customer_email', 'email', 1, 'both'),
];

const ALL_RULES = `    masking:
      key: env:MASKING_KEY
      rules:
        - { table: customers, column: full_name, transform: name }
        - { table: public.customers, column: email, transform: email }
        - { table: '"public"."customers"', column: phone, transform: phone }
        - { table: customers, column: address, transform: address }
        - { table: customers, column: birth_date, transform: date_shift }
        - { table: customers, column: notes, transform: redact }
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

  const today = new Date('2025-06-15T00:00:00Z');
  const births = ['1950-03-01', '1961-07-12', '1972-01-30', '1983-11-05', '1994-05-17', '2001-09-09'];
  const recent = ['2024-03-01 10:11:12+00', '2024-07-12 08:00:01+00', '2025-01-30 23:59:59+00'];

  it('reads a date column for dates of birth only: by name, by values, or both', () => {
    expect(judgeColumn({ kind: 'birth_date', confidence: 0.9 }, births, { dates: true, today })).toEqual({
      kind: 'birth_date',
      confidence: 1,
      by: 'both',
    });
    expect(judgeColumn(undefined, births, { dates: true, today })).toEqual({
      kind: 'birth_date',
      confidence: 1,
      by: 'content',
    });
    expect(judgeColumn({ kind: 'birth_date', confidence: 0.9 }, recent, { dates: true, today })).toEqual({
      kind: 'birth_date',
      confidence: 0.9,
      by: 'name',
    });
    // email_verified_at is a time, not an email
    expect(judgeColumn({ kind: 'email', confidence: 0.95 }, recent, { dates: true, today })).toBeUndefined();
  });

  it('finds dates of birth written as text, and free text with personal data inside', () => {
    expect(judgeColumn(undefined, births, { today })).toEqual({ kind: 'birth_date', confidence: 1, by: 'content' });
    const notes = ['spoke to Olivia Brown', 'call back on +44 20 7946 0001', 'fine', 'fine', 'fine'];
    expect(judgeColumn(undefined, notes, { today })).toEqual({ kind: 'free_text', confidence: 0.4, by: 'content' });
  });
});

describe('tableLabel and coverage', () => {
  it('writes tables as lifeboat.yaml does, quoting only what must be quoted', () => {
    expect(tableLabel('public', 'customers')).toBe('public.customers');
    expect(tableLabel('Sales Dept', 'Order')).toBe('"Sales Dept"."Order"');
    expect(tableLabel('crm', 'say "hi"')).toBe('crm."say ""hi"""');
  });

  const col = (schema: string, table: string, column: string): ScannedColumn => ({
    schema,
    table,
    column,
    type: 'text',
  });
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
    await sql(`create table staff (id int, email text)`);
    await sql(`create table staff_contractors (agency text) inherits (staff)`);
    await sql(`insert into staff select i, 's' || i || '@example.net' from generate_series(1, 6) i`);
    await sql(
      `insert into staff_contractors select i, 'c' || i || '@example.net', 'Acme' from generate_series(1, 6) i`,
    );
    await sql(
      `create table members (id int, started date, born_on date, email_verified_at timestamptz, joined_at timestamp)`,
    );
    await sql(`insert into members
               select i, date '1950-01-01' + i * 1500, null,
                      timestamptz '2024-01-01 00:00:00+00' + (i || ' hours')::interval,
                      timestamp '1998-01-01 09:30:00' + (i || ' days')::interval
                 from generate_series(1, 12) i`);
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
      ['public.customers', 'birth_date', false, false],
      ['public.customers', 'notes', false, false],
      ['public.orders', 'customer_email', false, false],
    ]);
  });

  it('reads varchar, citext, domains, json and dates, skips partitions, weak guesses and other columns; a rule on a parent covers its children', async () => {
    const findings = await scanDatabase(servers.prod.secretUrl(), 'scan_extra', {
      masking: {
        rules: [
          { table: 'people', column: 'email', transform: 'email', options: {} },
          { table: '"CRM"."Contacts"', column: 'Work Phone', transform: 'phone', options: {} },
          { table: 'staff', column: 'email', transform: 'email', options: {} },
        ],
        sensitive: [{ table: 'archive.people', column: 'email' }],
      },
    });
    expect(findings).toEqual([
      finding('"CRM"."Contacts"', 'Work Phone', 'phone', 1, 'both', { covered: true }),
      finding('"CRM"."Contacts"', 'label', 'person_name', 1, 'content'),
      finding('"CRM"."Contacts"', 'contact', 'email', 1, 'content'),
      finding('"CRM"."Contacts"', 'profile', 'email', 1, 'content'),
      // a JSON document with an email inside, and remarks of which two in ten quote one
      finding('"CRM"."Contacts"', 'payload', 'free_text', 1, 'content'),
      finding('"CRM"."Contacts"', 'remarks', 'free_text', 0.2, 'content'),
      finding('"CRM"."Contacts"', 'mobile', 'phone', 0.9, 'name'),
      finding('archive.people', 'email', 'email', 1, 'both', { declaredSensitive: true }),
      finding('public.events', 'attendee_email', 'email', 1, 'both'),
      // dates 16–110 years back over decades, and a column named so even with no value yet;
      // recent timestamps (email_verified_at) and a 1998 event log with times of day are not births
      finding('public.members', 'started', 'birth_date', 1, 'content'),
      finding('public.members', 'born_on', 'birth_date', 0.9, 'name'),
      finding('public.people', 'email', 'email', 1, 'both', { covered: true }),
      // a rule on an inheritance parent covers its children
      finding('public.staff', 'email', 'email', 1, 'both', { covered: true }),
      finding('public.staff_contractors', 'email', 'email', 1, 'both', { covered: true }),
    ]);
  });

  it('samples around JSON nulls and NULLs: a column of them says nothing and crashes nothing', async () => {
    await servers.prod.createDatabase('scan_nulls');
    await servers.prod.query(
      'scan_nulls',
      `create table docs (id int, body jsonb, raw json, note text, dob date);
       insert into docs select i, 'null'::jsonb, 'null'::json, null, null from generate_series(1, 10) i`,
    );
    expect(await scanDatabase(servers.prod.secretUrl(), 'scan_nulls')).toEqual([
      finding('public.docs', 'dob', 'birth_date', 0.9, 'name'),
    ]);
  });

  describe('failures', () => {
    const as = (role: string, db: string) => {
      const u = new URL(servers.prod.url(db));
      u.username = role;
      u.password = 'scanner-pw';
      return new Secret(u.toString(), 'test:scanner');
    };
    beforeAll(async () => {
      await servers.prod.createDatabase('scan_fail');
      const sql = (text: string) => servers.prod.query('scan_fail', text);
      await sql(`create role scanner login password 'scanner-pw'`);
      await sql(`create table open_book (email text)`);
      await sql(`grant select on open_book to scanner`);
      await sql(`create table locked (email text)`);
      // a policy whose function fails: the server raises an error that is not about privileges
      await sql(`create table booby (email text)`);
      await sql(`insert into booby values ('a@example.com')`);
      await sql(`grant select on booby to scanner`);
      await sql(`create function boom() returns boolean language plpgsql as $$ begin raise exception 'boom'; end $$`);
      await sql(`alter table booby enable row level security`);
      await sql(`create policy p on booby using (boom())`);
    });

    it('reports a permission error (SQLSTATE 42501) with the privileges hint', async () => {
      await servers.prod.query('scan_fail', `drop policy p on booby`);
      const err = await scanDatabase(as('scanner', 'scan_fail'), 'scan_fail').catch((e: unknown) => e);
      await servers.prod.query('scan_fail', `create policy p on booby using (boom())`);
      expect(err).toMatchObject({
        code: 'engine_failed',
        message: 'unable to scan database scan_fail: permission denied for table locked',
        hint: "the server URL's role needs CONNECT on the database and SELECT on every table",
      });
    });

    it('throws any other error as it is, never dressed as a permissions problem', async () => {
      await servers.prod.query('scan_fail', `grant select on locked to scanner`);
      const err = await scanDatabase(as('scanner', 'scan_fail'), 'scan_fail').catch((e: unknown) => e);
      await servers.prod.query('scan_fail', `revoke select on locked from scanner`);
      expect(isLifeboatError(err)).toBe(false);
      expect(err).toMatchObject({ code: 'P0001', message: 'boom' });
    });

    it('maps errors by SQLSTATE: 42501 to the privileges hint, a failing server to engine_failed, the rest unchanged', () => {
      const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
      expect(scanError('db', pgError('42501', 'permission denied for table t'))).toMatchObject({
        code: 'engine_failed',
        message: 'unable to scan database db: permission denied for table t',
        hint: "the server URL's role needs CONNECT on the database and SELECT on every table",
      });
      expect(scanError('db', pgError('57P01', 'terminating connection due to administrator command'))).toMatchObject({
        code: 'engine_failed',
        message: 'unable to scan database db: terminating connection due to administrator command',
        hint: 'the server failed during the scan (SQLSTATE 57P01); try again when it is back',
      });
      const bug = new TypeError("Cannot read properties of null (reading 'trim')");
      expect(scanError('db', bug)).toBe(bug);
      const syntax = pgError('42601', 'syntax error at or near "x"');
      expect(scanError('db', syntax)).toBe(syntax);
      const local = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      expect(scanError('db', local)).toBe(local);
    });
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
        '!  public.customers      birth_date      birth_date   both      100%        NO RULE',
        '!  public.customers      notes           free_text    content   66%         NO RULE',
        '!  public.orders         customer_email  email        both      100%        NO RULE',
        '',
        'CustomerDB: 8 columns look like personal data; 6 have no masking rule (marked !)',
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
    expect(doc.uncovered).toBe(6);
    expect(doc.findings.map((f) => [f.table, f.column, f.kind, f.covered, f.declaredSensitive])).toEqual([
      ['"Sales Dept"."Order"', 'customer_email', 'email', true, false],
      ['public.customers', 'full_name', 'person_name', false, false],
      ['public.customers', 'email', 'email', true, false],
      ['public.customers', 'phone', 'phone', false, true],
      ['public.customers', 'address', 'address', false, false],
      ['public.customers', 'birth_date', 'birth_date', false, false],
      ['public.customers', 'notes', 'free_text', false, false],
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
        details: { findings: 8, uncovered: 6 },
      },
      {
        actor: 'dana',
        action: 'masking.scan',
        subject_id: 'CustomerDB',
        outcome: 'success',
        details: { findings: 8, uncovered: 6 },
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
      'CustomerDB: 8 columns look like personal data; every one has a masking rule',
      '',
    ]);
    expect(h.stdout).not.toContain('!');
  });

  it("finds nothing the demo workspace's rules leave uncovered", async () => {
    const lb = await startTestLifeboat(
      fixtureConfig({ databaseExtra: `    masking:\n      key: env:MASKING_KEY\n      rules:\n${DEMO_MASKING_RULES}` }),
      servers.env,
    );
    const r = await lifeboat(['masking', 'scan', 'CustomerDB', '--json'], { env: await lb.cliEnv('alice') });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as MaskingScanResult;
    expect(doc.findings.map((f) => `${f.table}.${f.column}`)).toEqual(
      CUSTOMER_FINDINGS.map((f) => `${f.table}.${f.column}`),
    );
    expect(doc.uncovered).toBe(0);
  });

  it('answers an unexpected failure of the scan as an internal error, not as a privileges problem', async () => {
    await servers.prod.createDatabase('scan_boom');
    await servers.prod.query(
      'scan_boom',
      `create role boom_scanner login password 'scanner-pw';
       create table booby (email text);
       insert into booby values ('a@example.com');
       grant select on booby to boom_scanner;
       create function boom() returns boolean language plpgsql as $$ begin raise exception 'boom'; end $$;
       alter table booby enable row level security;
       create policy p on booby using (boom())`,
    );
    const u = new URL(servers.prod.url('postgres'));
    u.username = 'boom_scanner';
    u.password = 'scanner-pw';
    const lb = await startTestLifeboat(fixtureConfig().replace('name: customer', 'name: scan_boom'), {
      ...servers.env,
      PROD_PG01_URL: u.toString(),
    });
    const r = await lifeboat(['masking', 'scan', 'CustomerDB'], { env: await lb.cliEnv('alice') });
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^lifeboat: an unexpected error occurred; nothing was changed by this request\nHINT: report the correlation id \S+; the server log has the details\n$/,
    );
    expect(r.code).toBe(1);
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
