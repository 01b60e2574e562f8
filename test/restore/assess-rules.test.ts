// The restore checks as a pure function of their facts (src/restore/assess/checks.ts), as a
// table: every code in every severity it can take, with the exact message where the wording is
// the point. The facts are plain data; test/restore/checks.test.ts produces the same results from
// real clusters.
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/backup/manifest.js';
import type { DatabaseConfig, MaskingRule } from '../../src/catalog/types.js';
import { majorVersion } from '../../src/engines/postgres/table-schema.js';
import { Secret } from '../../src/lib/secret.js';
import { CHECK_CODES, evaluateChecks, uncoveredSensitive } from '../../src/restore/assess/checks.js';
import type { AssessFacts, DestinationTable, ReachableDestination } from '../../src/restore/assess/facts.js';

const NOW = new Date('2026-01-01T12:00:00Z');
const TAKEN = new Date('2026-01-01T11:30:00Z');

const rule = (table: string, column: string, transform: MaskingRule['transform'] = 'token'): MaskingRule => ({
  table,
  column,
  transform,
  options: {},
});

const CUSTOMERS = [
  { name: 'id', type: 'bigint', notNull: true },
  { name: 'email', type: 'text', notNull: true },
  { name: 'phone', type: 'text', notNull: false },
];
const ORDERS = [
  { name: 'id', type: 'bigint', notNull: true },
  { name: 'customer_id', type: 'bigint', notNull: true },
];

function manifest(over: Partial<Manifest> = {}): Manifest {
  return {
    format: 'lifeboat-backup/1',
    id: 'B1',
    database: 'CustomerDB',
    server: 'prod-pg01',
    dbname: 'customer',
    serverVersion: '15.8 (Debian 15.8-1)',
    startedAt: '2026-01-01T11:29:00.000Z',
    finishedAt: TAKEN.toISOString(),
    durationMs: 60_000,
    tools: { pg_dump: 'pg_dump (PostgreSQL) 15.8', lifeboat: '0.1.0' },
    jobs: 2,
    compression: { method: 'gzip' },
    encryption: null,
    files: [],
    tables: [
      { schema: 'public', name: 'customers', rows: 10, file: '1.dat.gz' },
      { schema: 'public', name: 'orders', rows: 20, file: '2.dat.gz' },
    ],
    inheritance: [],
    schema: [
      { schema: 'public', name: 'customers', columns: CUSTOMERS },
      { schema: 'public', name: 'orders', columns: ORDERS },
    ],
    extensions: [{ name: 'plpgsql', version: '1.0' }],
    writes: [
      { schema: 'public', name: 'customers', writes: 5 },
      { schema: 'public', name: 'orders', writes: 7 },
    ],
    totals: { files: 2, bytes: 1000, storedBytes: 500, rows: 30, tables: 2 },
    schemaFingerprint: 'f'.repeat(64),
    ...over,
  };
}

function database(over: Partial<DatabaseConfig> = {}): DatabaseConfig {
  return {
    name: 'CustomerDB',
    server: 'prod-pg01',
    dbname: 'customer',
    owner: 'team-alpha',
    destinations: ['dev-pg01', 'prod-pg01'],
    approvals: 1,
    rpo: { text: '1h', ms: 3_600_000 },
    keepPrevious: { text: '24h', ms: 86_400_000 },
    keepPreviousCount: 1,
    keepFailed: false,
    restore: {},
    masking: {
      key: new Secret('k', 'env:MASKING_KEY'),
      sensitive: [{ table: 'public.customers', column: 'email' }],
      rules: [rule('public.customers', 'email')],
      threads: 'auto',
    },
    postRestore: [],
    verify: [],
    ...over,
  };
}

const table = (name: string, columns: typeof CUSTOMERS, rows: number | null, estimated = false): DestinationTable => ({
  schema: 'public',
  name,
  columns,
  rows,
  estimated,
});

function reachable(over: Partial<ReachableDestination> = {}): ReachableDestination {
  return {
    reachable: true,
    serverVersionNum: 150008,
    availableExtensions: ['pg_trgm', 'plpgsql'],
    exists: true,
    sessions: [],
    tables: [table('customers', CUSTOMERS, 10), table('orders', ORDERS, 20)],
    writes: [
      { schema: 'public', name: 'customers', writes: 5 },
      { schema: 'public', name: 'orders', writes: 7 },
    ],
    statsResetAt: null,
    foreignKeysOutside: [],
    ...over,
  };
}

function facts(over: Partial<AssessFacts> = {}): AssessFacts {
  return {
    now: NOW,
    database: database(),
    destination: { server: 'dev-pg01', dbname: 'copy', tier: 'development' },
    catalogued: [
      { name: 'CustomerDB', server: 'prod-pg01', dbname: 'customer', owner: 'team-alpha' },
      { name: 'BillingDB', server: 'dev-pg01', dbname: 'billing', owner: 'team-beta' },
    ],
    backup: { id: 'B1', status: 'verified', finishedAt: TAKEN, verifyError: null, manifest: manifest() },
    newestUsableBackup: { id: 'B1', finishedAt: TAKEN },
    scope: null,
    maskingKey: 'present',
    postRestoreScripts: [],
    otherRuns: [],
    destinationState: reachable(),
    history: [],
    ...over,
  };
}

const ROLLBACK = { destination: { server: 'prod-pg01', dbname: 'customer', tier: 'production' as const } };
const UNREACHABLE = { destinationState: { reachable: false as const, reason: 'connect ECONNREFUSED 127.0.0.1:1' } };
const ABSENT = { destinationState: reachable({ exists: false, tables: [], writes: [] }) };
const SCOPE_ORDERS = { scope: [{ schema: 'public', name: 'orders', rows: 20, file: '2.dat.gz' }] };
const SCOPE_CUSTOMERS = { scope: [{ schema: 'public', name: 'customers', rows: 10, file: '1.dat.gz' }] };
const NOT_CHECKED = 'not checked: dev-pg01 could not be reached';

type Case = [name: string, over: Partial<AssessFacts>, code: string, severity: string, message?: string | RegExp];

const CASES: Case[] = [
  // destination_not_allowed
  ['allowed', {}, 'destination_not_allowed', 'safe', 'dev-pg01 (development) is an allowed destination of CustomerDB'],
  [
    'not allowed',
    { destination: { server: 'qa-pg01', dbname: 'copy', tier: 'test' } },
    'destination_not_allowed',
    'blocking',
    'CustomerDB may not be restored to qa-pg01',
  ],
  // destination_forbidden: the rule of destination-rule.ts, each refusal
  ['an ordinary name', {}, 'destination_forbidden', 'safe'],
  [
    'a system database',
    { destination: { server: 'dev-pg01', dbname: 'postgres', tier: 'development' } },
    'destination_forbidden',
    'blocking',
    'unable to restore CustomerDB into dev-pg01/postgres: postgres is a PostgreSQL system database',
  ],
  [
    'a Lifeboat name',
    { destination: { server: 'dev-pg01', dbname: 'x__lb_prev_1', tier: 'development' } },
    'destination_forbidden',
    'blocking',
    /names containing "__lb_prev_" are Lifeboat's own/,
  ],
  [
    'another catalogued database',
    { destination: { server: 'dev-pg01', dbname: 'billing', tier: 'development' } },
    'destination_forbidden',
    'blocking',
    /that is BillingDB of team-beta/,
  ],
  [
    'itself outside production',
    { destination: { server: 'prod-pg01', dbname: 'customer', tier: 'development' } },
    'destination_forbidden',
    'blocking',
    /that is CustomerDB itself/,
  ],
  ['itself in production (a rollback)', ROLLBACK, 'destination_forbidden', 'safe'],
  // destination_production
  ['development', {}, 'destination_production', 'safe', 'dev-pg01 is a development server, not production'],
  [
    'production',
    ROLLBACK,
    'destination_production',
    'warning',
    "prod-pg01 is a production server: prod-pg01/customer is replaced with the backup's data, unmasked",
  ],
  // backup_not_verified
  ['verified', {}, 'backup_not_verified', 'safe', 'backup B1 is verified'],
  [
    'completed',
    { backup: { ...facts().backup, status: 'completed' } },
    'backup_not_verified',
    'warning',
    'backup B1 is completed but not verified yet: its checksums are checked as it is restored',
  ],
  [
    'unverifiable',
    { backup: { ...facts().backup, status: 'unverifiable', verifyError: 'timeout' } },
    'backup_not_verified',
    'warning',
    'backup B1 could not be verified: its last verification could not read the storage (timeout)',
  ],
  [
    'corrupt',
    { backup: { ...facts().backup, status: 'corrupt', verifyError: '1.dat.gz: sha256 mismatch' } },
    'backup_not_verified',
    'blocking',
    'backup B1 is corrupt and cannot be restored (1.dat.gz: sha256 mismatch)',
  ],
  [
    'failed',
    { backup: { ...facts().backup, status: 'failed' } },
    'backup_not_verified',
    'blocking',
    'backup B1 is failed and cannot be restored',
  ],
  // rpo_exceeded
  ['within the RPO', {}, 'rpo_exceeded', 'safe', 'the newest usable backup (B1) is within the RPO of 1h'],
  ['exactly at the RPO', { now: new Date(TAKEN.getTime() + 3_600_000) }, 'rpo_exceeded', 'safe'],
  ['no RPO', { database: database({ rpo: undefined }) }, 'rpo_exceeded', 'safe', 'CustomerDB has no RPO set'],
  [
    'older than the RPO',
    { now: new Date(TAKEN.getTime() + 3_600_001) },
    'rpo_exceeded',
    'warning',
    'the newest usable backup of CustomerDB (B1, finished 2026-01-01T11:30:00.000Z) is older than its RPO of 1h',
  ],
  [
    'no usable backup',
    { newestUsableBackup: null },
    'rpo_exceeded',
    'warning',
    'CustomerDB has no usable backup within its RPO of 1h',
  ],
  // sensitive_unmasked
  ['every sensitive column masked', {}, 'sensitive_unmasked', 'safe'],
  [
    'none declared',
    { database: database({ masking: { ...database().masking, sensitive: [] } }) },
    'sensitive_unmasked',
    'safe',
    'CustomerDB declares no sensitive columns',
  ],
  [
    'unqualified rule covers public',
    {
      database: database({
        masking: { ...database().masking, rules: [rule('customers', 'email')] },
      }),
    },
    'sensitive_unmasked',
    'safe',
  ],
  [
    'a sensitive column without a rule',
    {
      database: database({
        masking: {
          ...database().masking,
          sensitive: [...database().masking.sensitive, { table: 'customers', column: 'phone' }],
        },
      }),
    },
    'sensitive_unmasked',
    'blocking',
    'CustomerDB has sensitive columns without a masking rule: customers.phone',
  ],
  [
    'a rule on another schema does not cover it',
    { database: database({ masking: { ...database().masking, rules: [rule('archive.customers', 'email')] } }) },
    'sensitive_unmasked',
    'blocking',
  ],
  [
    'production is not masked',
    { ...ROLLBACK, database: database({ masking: { ...database().masking, rules: [] } }) },
    'sensitive_unmasked',
    'safe',
    'not masked: a production destination gets the data as it was (a rollback)',
  ],
  // scope_needs_masking
  [
    'whole database',
    {},
    'scope_needs_masking',
    'safe',
    'the whole database is restored: masking applies in the stream',
  ],
  [
    'a scope without masked tables',
    SCOPE_ORDERS,
    'scope_needs_masking',
    'safe',
    'no masking rule covers public.orders',
  ],
  ['a masked table into production', { ...SCOPE_CUSTOMERS, ...ROLLBACK }, 'scope_needs_masking', 'safe'],
  [
    'a masked table',
    SCOPE_CUSTOMERS,
    'scope_needs_masking',
    'safe',
    "masked on its way in, in the transaction that replaces the rows: public.customers (1 rule); each rule is checked to fit the destination's column before any row changes",
  ],
  [
    'a masked and an unmasked table',
    { scope: [...SCOPE_CUSTOMERS.scope, { schema: 'public', name: 'orders', rows: 20, file: '2.dat.gz' }] },
    'scope_needs_masking',
    'safe',
    "masked on its way in, in the transaction that replaces the rows: public.customers (1 rule); each rule is checked to fit the destination's column before any row changes",
  ],
  [
    'a partition under a masked parent',
    {
      scope: [{ schema: 'public', name: 'customers_2025', rows: 1 }],
      database: database({ masking: { ...database().masking, rules: [rule('customers_all', 'email')] } }),
      backup: {
        ...facts().backup,
        manifest: manifest({
          inheritance: [
            { schema: 'public', name: 'customers_2025', ancestors: [{ schema: 'public', name: 'customers_all' }] },
          ],
        }),
      },
    },
    'scope_needs_masking',
    'safe',
    "masked on its way in, in the transaction that replaces the rows: public.customers_2025 (1 rule); each rule is checked to fit the destination's column before any row changes",
  ],
  [
    'a backup without inheritance records',
    { ...SCOPE_ORDERS, backup: { ...facts().backup, manifest: manifest({ inheritance: undefined }) } },
    'scope_needs_masking',
    'blocking',
    /^backup B1 was taken before Lifeboat recorded which tables are partitions/,
  ],
  // masking_key_missing
  ['key set', {}, 'masking_key_missing', 'safe', 'the masking key is set (1 rule uses it)'],
  [
    'no keyed rule',
    {
      maskingKey: 'absent',
      database: database({ masking: { ...database().masking, rules: [rule('customers', 'email', 'null')] } }),
    },
    'masking_key_missing',
    'safe',
    'no masking rule needs the masking key',
  ],
  ['into production', { ...ROLLBACK, maskingKey: 'absent' }, 'masking_key_missing', 'safe'],
  [
    'absent',
    { maskingKey: 'absent' },
    'masking_key_missing',
    'blocking',
    'the masking key is not set, and the rule for public.customers.email (token) needs it',
  ],
  [
    'empty',
    { maskingKey: 'empty' },
    'masking_key_missing',
    'blocking',
    'the masking key is empty, and the rule for public.customers.email (token) needs it',
  ],
  // post_restore_script_missing
  ['no scripts', {}, 'post_restore_script_missing', 'safe', 'CustomerDB has no post-restore SQL script'],
  [
    'readable',
    { postRestoreScripts: [{ path: '/etc/lb/a.sql', problem: null }] },
    'post_restore_script_missing',
    'safe',
    'every post-restore script can be read (1 script)',
  ],
  [
    'missing',
    {
      postRestoreScripts: [
        { path: '/etc/lb/a.sql', problem: null },
        { path: '/etc/lb/b.sql', problem: 'does not exist' },
      ],
    },
    'post_restore_script_missing',
    'blocking',
    'post-restore script /etc/lb/b.sql does not exist',
  ],
  // destination_unreachable
  ['answers', {}, 'destination_unreachable', 'safe', 'dev-pg01 answered; copy exists'],
  [
    'answers, no database yet',
    ABSENT,
    'destination_unreachable',
    'safe',
    'dev-pg01 answered; copy does not exist yet (the restore creates it)',
  ],
  [
    'unreachable',
    UNREACHABLE,
    'destination_unreachable',
    'blocking',
    'dev-pg01 could not be reached: connect ECONNREFUSED 127.0.0.1:1',
  ],
  // server_version_older
  ['same major', {}, 'server_version_older', 'safe'],
  ['newer destination', { destinationState: reachable({ serverVersionNum: 160002 }) }, 'server_version_older', 'safe'],
  [
    'older destination',
    { destinationState: reachable({ serverVersionNum: 140011 }) },
    'server_version_older',
    'blocking',
    'dev-pg01 runs PostgreSQL 14, older than the 15 the backup was taken on: pg_restore cannot load it reliably',
  ],
  ['unreachable', UNREACHABLE, 'server_version_older', 'warning', NOT_CHECKED],
  // extension_missing
  [
    'every extension available',
    {},
    'extension_missing',
    'safe',
    'dev-pg01 has every extension the backup uses (plpgsql)',
  ],
  [
    'an extension missing',
    {
      backup: {
        ...facts().backup,
        manifest: manifest({
          extensions: [
            { name: 'plpgsql', version: '1.0' },
            { name: 'postgis', version: '3.4.0' },
          ],
        }),
      },
    },
    'extension_missing',
    'blocking',
    'dev-pg01 lacks an extension the backup uses: postgis 3.4.0',
  ],
  [
    'not recorded',
    { backup: { ...facts().backup, manifest: manifest({ extensions: undefined }) } },
    'extension_missing',
    'warning',
    'the extensions of backup B1 were not recorded (taken before Lifeboat recorded them): not checked',
  ],
  ['unreachable', UNREACHABLE, 'extension_missing', 'warning', NOT_CHECKED],
  // destination_run_active
  ['no other run', {}, 'destination_run_active', 'safe', 'no other run is going to write dev-pg01/copy'],
  [
    'another run',
    {
      otherRuns: [
        { id: 7, status: 'running', holdsLock: true },
        { id: 9, status: 'scheduled', holdsLock: false },
      ],
    },
    'destination_run_active',
    'warning',
    'another run is going to write dev-pg01/copy: run 7 (running, holds its lock), run 9 (scheduled); this one waits for it, then replaces what it wrote',
  ],
  // destination_sessions
  ['nobody connected', {}, 'destination_sessions', 'safe', 'nobody is connected to dev-pg01/copy'],
  ['no database yet', ABSENT, 'destination_sessions', 'safe'],
  [
    'sessions',
    {
      destinationState: reachable({
        sessions: [
          { user: 'app', count: 2 },
          { user: 'jsmith', count: 1 },
        ],
      }),
    },
    'destination_sessions',
    'warning',
    'dev-pg01/copy has 3 active sessions (app: 2, jsmith: 1): they will be ended at the swap',
  ],
  ['unreachable', UNREACHABLE, 'destination_sessions', 'warning', NOT_CHECKED],
  // destination_changed
  [
    'not the source',
    {},
    'destination_changed',
    'safe',
    'dev-pg01/copy is not the database backup B1 was taken from: it holds no later changes of it',
  ],
  [
    'the source, unchanged',
    ROLLBACK,
    'destination_changed',
    'safe',
    'prod-pg01/customer was not written since backup B1 was taken (by its write counters)',
  ],
  [
    'the source, written',
    {
      ...ROLLBACK,
      destinationState: reachable({
        writes: [
          { schema: 'public', name: 'customers', writes: 5 },
          { schema: 'public', name: 'orders', writes: 1007 },
        ],
      }),
    },
    'destination_changed',
    'warning',
    'prod-pg01/customer was written after backup B1 was taken (public.orders: 1,000 rows written): the restore loses those changes',
  ],
  [
    'the source, a table out of the scope written',
    {
      ...ROLLBACK,
      ...SCOPE_CUSTOMERS,
      destinationState: reachable({
        writes: [
          { schema: 'public', name: 'customers', writes: 5 },
          { schema: 'public', name: 'orders', writes: 1007 },
        ],
      }),
    },
    'destination_changed',
    'safe',
  ],
  [
    'the source, statistics reset: row counts',
    {
      ...ROLLBACK,
      destinationState: reachable({
        statsResetAt: new Date('2026-01-01T11:45:00Z'),
        writes: [],
        tables: [table('customers', CUSTOMERS, 11), table('orders', ORDERS, 20)],
      }),
    },
    'destination_changed',
    'warning',
    'prod-pg01/customer was written after backup B1 was taken (public.customers: 11 rows now, 10 in the backup): the restore loses those changes',
  ],
  [
    'the source, counters lower than recorded (a crash): row counts, an estimate is not compared',
    {
      ...ROLLBACK,
      destinationState: reachable({
        writes: [{ schema: 'public', name: 'customers', writes: 1 }],
        tables: [table('customers', CUSTOMERS, 12, true), table('orders', ORDERS, 20)],
      }),
    },
    'destination_changed',
    'safe',
    "prod-pg01/customer was not written since backup B1 was taken (by its row counts only (the server's statistics were reset since the backup): updates that keep counts equal are not seen)",
  ],
  [
    'the source, no counters recorded',
    { ...ROLLBACK, backup: { ...facts().backup, manifest: manifest({ writes: undefined }) } },
    'destination_changed',
    'safe',
    'prod-pg01/customer was not written since backup B1 was taken (by its row counts only (the backup did not record write counters): updates that keep counts equal are not seen)',
  ],
  [
    'the source, gone',
    { ...ROLLBACK, ...ABSENT },
    'destination_changed',
    'safe',
    'prod-pg01/customer does not exist any more: there is nothing to lose',
  ],
  ['unreachable', UNREACHABLE, 'destination_changed', 'warning', NOT_CHECKED],
  // schema_differs
  ['the same', {}, 'schema_differs', 'safe', "the destination has the backup's tables and columns"],
  [
    'no database yet',
    ABSENT,
    'schema_differs',
    'safe',
    'the destination database does not exist: the restore creates it',
  ],
  [
    'columns differ',
    {
      destinationState: reachable({
        tables: [
          table('customers', [CUSTOMERS[0]!, { name: 'email', type: 'character varying(100)', notNull: true }], 10),
          table('orders', [...ORDERS, { name: 'note', type: 'text', notNull: false }], 20),
        ],
      }),
    },
    'schema_differs',
    'warning',
    "the schema of dev-pg01/copy differs from the backup's: public.customers.email: character varying(100) not null → text not null; column public.customers.phone added (text); column public.orders.note removed (text)",
  ],
  [
    'a backup without its schema: table names only',
    {
      backup: { ...facts().backup, manifest: manifest({ schema: undefined }) },
      destinationState: reachable({ tables: [table('customers', CUSTOMERS, 10)] }),
    },
    'schema_differs',
    'warning',
    "the schema of dev-pg01/copy differs from the backup's: table public.orders added (schema of this backup not recorded (taken before Lifeboat recorded it): only table names are compared)",
  ],
  [
    'a scope whose table the destination lacks',
    { ...SCOPE_ORDERS, destinationState: reachable({ tables: [table('customers', CUSTOMERS, 10)] }) },
    'schema_differs',
    'blocking',
    'a table-scoped restore copies rows into tables of dev-pg01/copy, and it lacks public.orders',
  ],
  ['unreachable', UNREACHABLE, 'schema_differs', 'warning', NOT_CHECKED],
  // foreign_keys_outside_scope
  [
    'whole database',
    {},
    'foreign_keys_outside_scope',
    'safe',
    'the whole database is restored: no reference leaves it',
  ],
  ['a scope without crossing keys', SCOPE_ORDERS, 'foreign_keys_outside_scope', 'safe'],
  [
    'a key leaving the scope',
    {
      ...SCOPE_ORDERS,
      destinationState: reachable({
        foreignKeysOutside: [
          'public.orders references public.customers (outside the scope) through orders_customer_id_fkey',
        ],
      }),
    },
    'foreign_keys_outside_scope',
    'warning',
    'foreign keys cross the scope, and the restore does not check them: public.orders references public.customers (outside the scope) through orders_customer_id_fkey',
  ],
  ['unreachable', UNREACHABLE, 'foreign_keys_outside_scope', 'warning', NOT_CHECKED],
];

describe('evaluateChecks', () => {
  it('reports every check, in a fixed order, all safe for an ordinary restore', () => {
    const checks = evaluateChecks(facts());
    expect(checks.map((c) => c.code)).toEqual([...CHECK_CODES]);
    expect(checks.filter((c) => c.severity !== 'safe')).toEqual([]);
  });

  it.each(CASES)('%s: %s is %s', (_name, over, code, severity, message) => {
    const checks = evaluateChecks(facts(over));
    expect(checks.map((c) => c.code)).toEqual([...CHECK_CODES]);
    const check = checks.find((c) => c.code === code)!;
    expect(check.severity).toBe(severity);
    if (typeof message === 'string') expect(check.message).toBe(message);
    else if (message) expect(check.message).toMatch(message);
    // a blocking or warning check says what to do; a safe one has nothing to do
    if (severity === 'safe') expect(check.hint).toBeUndefined();
    else expect(check.hint).toMatch(/\S/);
  });

  it('covers every code in every severity it can take', () => {
    const seen = new Set(CASES.map(([, , code, severity]) => `${code} ${severity}`));
    for (const code of CHECK_CODES) expect(seen.has(`${code} safe`), code).toBe(true);
    for (const code of CHECK_CODES) {
      expect(seen.has(`${code} warning`) || seen.has(`${code} blocking`), code).toBe(true);
    }
  });
});

describe('uncoveredSensitive', () => {
  it('matches a rule by column and table, unqualified meaning public', () => {
    const masking = {
      ...database().masking,
      sensitive: [
        { table: 'customers', column: 'email' },
        { table: 'public.customers', column: 'phone' },
        { table: 'archive.customers', column: 'email' },
        { table: '"Sales Dept"."Order"', column: 'customer_email' },
      ],
      rules: [
        rule('public.customers', 'email'),
        rule('customers', 'phone'),
        rule('"Sales Dept"."Order"', 'customer_email'),
      ],
    };
    expect(uncoveredSensitive({ masking })).toEqual([{ table: 'archive.customers', column: 'email' }]);
  });
});

describe('majorVersion', () => {
  it.each([
    ['15.8 (Debian 15.8-1.pgdg120+1)', 15],
    [150008, 15],
    [160002, 16],
    ['9.6.24', 906],
    [90624, 906],
    ['devel', undefined],
  ] as const)('%s → %s', (version, major) => {
    expect(majorVersion(version)).toBe(major);
  });
});
