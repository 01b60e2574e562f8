// Every way lifeboat.yaml can be wrong that an operator is likely to hit, each pinned to the
// exact issue code, path and line:column reported, and to nothing else being reported.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError, type ConfigIssue, type IssueCode, parseConfig } from '../../src/catalog/load.js';

// A valid start shared by most cases; their `body` lines follow it, so body line n is file
// line PREAMBLE.length + n (written b(n, column) below).
const PREAMBLE = [
  'version: 1',
  'users:',
  '  ann: { email: ann@example.com, roles: [developer] }',
  '  bob: { email: bob@example.com, roles: [db-owner] }',
  'teams:',
  '  alpha: { members: [ann], approvers: [bob] }',
  'servers:',
  '  prod: { engine: postgres, tier: production, url: env:PROD_URL }',
  '  prod2: { engine: postgres, tier: production, url: env:PROD_URL }',
  '  dev: { engine: postgres, tier: development, url: env:DEV_URL }',
  'storage:',
  '  main: { type: filesystem, path: ./backups }',
  'notifications:',
  '  chat: { type: slack, url: env:SLACK_URL }',
];
const b = (line: number, column: number): string => `${PREAMBLE.length + line}:${column}`;

const ENV = {
  PROD_URL: 'postgres://u:pw@prod/db',
  DEV_URL: 'postgres://u:pw@dev/db',
  SLACK_URL: 'https://hooks.example/x',
  MASKING_KEY: 'k'.repeat(32),
  EMPTY_VAR: '',
};

interface Expected {
  path: string;
  code: IssueCode;
  at: string;
  message?: string;
  hint?: string;
}

interface Case {
  name: string;
  /** A whole document, or lines that follow PREAMBLE. */
  doc?: string[];
  body?: string[];
  expect: Expected[];
}

const cases: Case[] = [
  {
    name: 'unknown top-level key',
    doc: ['version: 1', 'colour: blue'],
    expect: [{ path: 'colour', code: 'unknown_key', at: '2:1', message: 'unknown key "colour"' }],
  },
  {
    name: 'unknown nested key (typo destination:)',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    destination: [dev]',
    ],
    expect: [
      {
        path: 'databases.CustomerDB.destination',
        code: 'unknown_key',
        at: b(6, 5),
        message: 'unknown key "destination"',
        hint: 'did you mean "destinations"?',
      },
    ],
  },
  {
    name: 'missing required key: reported at the parent',
    body: ['databases:', '  CustomerDB:', '    server: prod', '    name: customer', '    destinations: [dev]'],
    expect: [
      {
        path: 'databases.CustomerDB.owner',
        code: 'missing_key',
        at: b(2, 3),
        message: 'missing required key "owner"',
      },
    ],
  },
  {
    name: 'wrong type',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    approvals: two',
    ],
    expect: [
      {
        path: 'databases.CustomerDB.approvals',
        code: 'invalid_type',
        at: b(6, 16),
        message: 'expected a number, got a string',
      },
    ],
  },
  {
    name: 'empty value where a string is needed',
    body: ['databases:', '  CustomerDB:', '    server: prod', '    name: customer', '    owner:'],
    expect: [
      {
        path: 'databases.CustomerDB.owner',
        code: 'invalid_type',
        at: b(5, 5),
        message: 'expected a string, got an empty value',
      },
    ],
  },
  {
    name: 'bad enum (tier: prod)',
    doc: ['version: 1', 'servers:', '  pg1: { engine: postgres, tier: prod, url: env:PROD_URL }'],
    expect: [
      {
        path: 'servers.pg1.tier',
        code: 'invalid_value',
        at: '3:34',
        message: '"prod" is not one of: production, staging, development, test',
      },
    ],
  },
  {
    name: 'unknown engine',
    doc: ['version: 1', 'servers:', '  pg1:', '    engine: oracle', '    tier: test', '    url: env:DEV_URL'],
    expect: [
      {
        path: 'servers.pg1.engine',
        code: 'invalid_value',
        at: '4:13',
        message: '"oracle" is not one of: postgres, mariadb, mysql, command',
      },
    ],
  },
  {
    name: 'bad email',
    doc: ['version: 1', 'users:', '  ann: { email: ann-at-example.com, roles: [developer] }'],
    expect: [
      {
        path: 'users.ann.email',
        code: 'invalid_value',
        at: '3:17',
        message: '"ann-at-example.com" is not an email address',
      },
    ],
  },
  {
    name: 'empty role list',
    doc: ['version: 1', 'users:', '  ann: { email: ann@example.com, roles: [] }'],
    expect: [{ path: 'users.ann.roles', code: 'invalid_value', at: '3:41', message: 'needs at least 1 item' }],
  },
  {
    name: 'dangling owner team',
    body: ['databases:', '  CustomerDB:', '    server: prod', '    name: customer', '    owner: team-beta'],
    expect: [
      {
        path: 'databases.CustomerDB.owner',
        code: 'unknown_reference',
        at: b(5, 12),
        message: 'team "team-beta" is not defined',
        hint: 'defined teams: alpha',
      },
    ],
  },
  {
    name: 'dangling destination server',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    destinations: [dev, qa-pg01]',
    ],
    expect: [
      {
        path: 'databases.CustomerDB.destinations[1]',
        code: 'unknown_reference',
        at: b(6, 25),
        message: 'server "qa-pg01" is not defined',
      },
    ],
  },
  {
    name: 'dangling storage',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    backup: { storage: offsite }',
    ],
    expect: [
      {
        path: 'databases.CustomerDB.backup.storage',
        code: 'unknown_reference',
        at: b(6, 24),
        message: 'storage "offsite" is not defined',
        hint: 'defined storage: main',
      },
    ],
  },
  {
    name: 'dangling notify channel',
    doc: [
      'version: 1',
      'users:',
      '  ann: { email: ann@example.com, roles: [db-owner] }',
      'teams:',
      '  alpha:',
      '    members: []',
      '    approvers: [ann]',
      '    notify: [alpha-chat]',
    ],
    expect: [
      {
        path: 'teams.alpha.notify[0]',
        code: 'unknown_reference',
        at: '8:14',
        message: 'notification channel "alpha-chat" is not defined',
        hint: 'define it under notifications:',
      },
    ],
  },
  {
    name: 'dangling team member user',
    doc: [
      'version: 1',
      'users:',
      '  ann: { email: ann@example.com, roles: [db-owner] }',
      'teams:',
      '  alpha: { members: [ann, carol], approvers: [ann] }',
    ],
    expect: [
      {
        path: 'teams.alpha.members[1]',
        code: 'unknown_reference',
        at: '5:27',
        message: 'user "carol" is not defined',
      },
    ],
  },
  {
    name: 'duplicate YAML key (a database defined twice)',
    body: [
      'databases:',
      '  CustomerDB: { server: prod, name: customer, owner: alpha }',
      '  CustomerDB: { server: prod, name: customer2, owner: alpha }',
    ],
    expect: [{ path: 'databases.CustomerDB', code: 'duplicate_name', at: b(3, 3) }],
  },
  {
    name: 'duplicate nested key',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    server: dev',
    ],
    expect: [{ path: 'databases.CustomerDB.server', code: 'duplicate_name', at: b(6, 5) }],
  },
  {
    name: 'bad duration (rpo: 1 hour)',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    rpo: 1 hour',
    ],
    expect: [
      {
        path: 'databases.CustomerDB.rpo',
        code: 'invalid_duration',
        at: b(6, 10),
        message: '"1 hour" is not a duration',
      },
    ],
  },
  {
    name: 'bad cron (hour 25)',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    backup:',
      '      storage: main',
      '      schedule: "0 25 * * *"',
    ],
    expect: [{ path: 'databases.CustomerDB.backup.schedule', code: 'invalid_cron', at: b(8, 17) }],
  },
  // schedules that parse as cron somewhere but not as one pg-boss fires
  ...(
    [
      ['cron shorthand is not one of the two accepted forms', '@daily', 'is not a cron expression: it has 1 field'],
      [
        'cron with seconds that fires more than once a minute',
        '*/10 * * * * *',
        'fires more than once a minute; a schedule fires at most once a minute',
      ],
      [
        'cron that parses but has no last occurrence (the scheduler would fail on it)',
        '0 0 2 * * L',
        'is not a cron expression: Invalid last weekday of the month expression: L',
      ],
      [
        'cron with the hashed H form, which the scheduler does not know',
        'H 2 * * *',
        'is not a cron expression: Invalid characters, got value: H',
      ],
    ] as const
  ).map(([name, schedule, message]): Case => ({
    name,
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      `    backup: { storage: main, schedule: "${schedule}" }`,
    ],
    expect: [
      {
        path: 'databases.CustomerDB.backup.schedule',
        code: 'invalid_cron',
        at: b(6, 40),
        message: `"${schedule}" ${message}`,
      },
    ],
  })),
  {
    name: 'inline secret url (never echoed)',
    doc: ['version: 1', 'servers:', '  pg1: { engine: postgres, tier: test, url: "postgres://admin:hunter2@db/prod" }'],
    expect: [{ path: 'servers.pg1.url', code: 'secret_inline', at: '3:45' }],
  },
  {
    name: 'malformed env reference',
    doc: ['version: 1', 'servers:', '  pg1: { engine: postgres, tier: test, url: "env:" }'],
    expect: [{ path: 'servers.pg1.url', code: 'secret_inline', at: '3:45' }],
  },
  {
    name: 'missing env var',
    doc: ['version: 1', 'servers:', '  pg1: { engine: postgres, tier: test, url: env:NOPE_URL }'],
    expect: [
      {
        path: 'servers.pg1.url',
        code: 'secret_unreadable',
        at: '3:45',
        message: 'environment variable NOPE_URL is not set',
      },
    ],
  },
  {
    name: 'empty env var',
    doc: ['version: 1', 'notifications:', '  chat: { type: teams, url: env:EMPTY_VAR }'],
    expect: [
      {
        path: 'notifications.chat.url',
        code: 'secret_unreadable',
        at: '3:29',
        message: 'environment variable EMPTY_VAR is empty',
      },
    ],
  },
  {
    name: 'unreadable file secret',
    doc: ['version: 1', 'servers:', '  pg1: { engine: postgres, tier: test, url: file:secrets/missing.url }'],
    expect: [{ path: 'servers.pg1.url', code: 'secret_unreadable', at: '3:45' }],
  },
  {
    name: 'a deterministic fake (name) without masking.key',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    masking:',
      '      rules:',
      '        - { table: public.customers, column: full_name, transform: name }',
    ],
    expect: [
      {
        path: 'databases.CustomerDB.masking.key',
        code: 'missing_key',
        at: b(6, 5),
        message: 'masking.key is required: the rule for public.customers.full_name uses transform "name"',
      },
    ],
  },
  {
    name: 'token transform without masking.key',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    masking:',
      '      rules:',
      '        - { table: public.customers, column: email, transform: token }',
    ],
    expect: [
      {
        path: 'databases.CustomerDB.masking.key',
        code: 'missing_key',
        at: b(6, 5),
        message: 'masking.key is required: the rule for public.customers.email uses transform "token"',
      },
    ],
  },
  {
    name: 'transform: null unquoted (YAML null, not the transform)',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    masking:',
      '      rules:',
      '        - { table: public.customers, column: phone, transform: null }',
    ],
    expect: [
      {
        path: 'databases.CustomerDB.masking.rules[0].transform',
        code: 'invalid_value',
        at: b(8, 53),
        message:
          'null is not one of: email, name, first_name, last_name, phone, address, token, hash, null, fixed, redact, date_shift, number_noise, regex_replace, json_path',
        hint: 'YAML reads an unquoted null as an empty value: write "null" in quotes',
      },
    ],
  },
  {
    name: 'duplicate masking rule for one column',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    masking:',
      '      rules:',
      '        - { table: public.customers, column: email, transform: fixed }',
      '        - { table: public.customers, column: email, transform: redact }',
    ],
    expect: [
      {
        path: 'databases.CustomerDB.masking.rules[1]',
        code: 'duplicate_name',
        at: b(9, 11),
        message: 'column public.customers.email already has a masking rule (rules[0])',
      },
    ],
  },
  {
    name: 'unknown masking transform',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    masking:',
      '      rules: [{ table: t, column: c, transform: scramble }]',
    ],
    expect: [{ path: 'databases.CustomerDB.masking.rules[0].transform', code: 'invalid_value', at: b(7, 49) }],
  },
  {
    name: 'approvals 0 with a production destination',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    destinations: [dev, prod2]',
      '    approvals: 0',
    ],
    expect: [
      {
        path: 'databases.CustomerDB.approvals',
        code: 'invalid_policy',
        at: b(7, 16),
        message: 'approvals: 0 is not allowed: destination "prod2" is production',
      },
    ],
  },
  {
    name: 'more approvals than the owning team has approvers',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    approvals: 2',
    ],
    expect: [{ path: 'databases.CustomerDB.approvals', code: 'invalid_policy', at: b(6, 16) }],
  },
  {
    name: 'negative approvals',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    approvals: -1',
    ],
    expect: [
      {
        path: 'databases.CustomerDB.approvals',
        code: 'invalid_value',
        at: b(6, 16),
        message: 'must be at least 0, got -1',
      },
    ],
  },
  {
    name: 'keep_previous_count below 1 (the copy a restore has just kept always stays)',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    keep_previous_count: 0',
    ],
    expect: [
      {
        path: 'databases.CustomerDB.keep_previous_count',
        code: 'invalid_value',
        at: b(6, 26),
        message: 'must be at least 1, got 0',
      },
    ],
  },
  {
    name: 'invalid name (starts with a digit)',
    body: ['databases:', '  1CustomerDB: { server: prod, name: customer, owner: alpha }'],
    expect: [{ path: 'databases["1CustomerDB"]', code: 'invalid_name', at: b(2, 3) }],
  },
  {
    name: 'invalid name with a space is quoted in the path',
    body: ['databases:', '  "Sales DB": { server: prod, name: sales, owner: alpha }'],
    expect: [
      {
        path: 'databases["Sales DB"]',
        code: 'invalid_name',
        at: b(2, 3),
        message: '"Sales DB" is not a valid name',
      },
    ],
  },
  {
    name: 'a server of an engine Lifeboat cannot drive yet, and a destination of another engine',
    doc: [
      'version: 1',
      'teams:',
      '  alpha: { members: [], approvers: [] }',
      'servers:',
      '  prod: { engine: postgres, tier: production, url: env:PROD_URL }',
      '  maria: { engine: mariadb, tier: development, url: env:DEV_URL }',
      'databases:',
      '  CustomerDB: { server: prod, name: customer, owner: alpha, approvals: 0, destinations: [maria] }',
    ],
    expect: [
      {
        path: 'servers.maria.engine',
        code: 'invalid_value',
        at: '6:20',
        message: 'Lifeboat cannot drive mariadb servers yet: today it backs up and restores postgres only',
        hint: 'remove servers.maria (and the databases on it) until the mariadb engine is built, or declare a PostgreSQL server (engine: postgres)',
      },
      {
        path: 'databases.CustomerDB.destinations[0]',
        code: 'invalid_value',
        at: '8:90',
        message: 'destination "maria" runs mariadb, but CustomerDB is on prod (postgres)',
      },
    ],
  },
  {
    name: 'a mysql server',
    doc: ['version: 1', 'servers:', '  my: { engine: mysql, tier: test, url: env:DEV_URL }'],
    expect: [{ path: 'servers.my.engine', code: 'invalid_value', at: '3:17' }],
  },
  {
    name: 'a command-engine server, even complete',
    doc: [
      'version: 1',
      'servers:',
      '  mssql: { engine: command, tier: test, url: env:DEV_URL, command: { restore: ./r.ps1 } }',
    ],
    expect: [
      {
        path: 'servers.mssql.engine',
        code: 'invalid_value',
        at: '3:20',
        message: 'Lifeboat cannot drive command servers yet: today it backs up and restores postgres only',
      },
    ],
  },
  {
    name: 'YAML syntax error (misaligned key)',
    doc: ['version: 1', 'users:', '  ann:', '    email: ann@example.com', '   roles: [developer]'],
    expect: [
      {
        path: '',
        code: 'yaml_syntax',
        at: '5:1',
        message: 'All mapping items must start at the same column',
      },
    ],
  },
  {
    name: 'YAML syntax error (tab indentation)',
    doc: ['version: 1', 'users:', '\tann: { email: ann@example.com, roles: [developer] }'],
    expect: [{ path: '', code: 'yaml_syntax', at: '3:1', message: 'Tabs are not allowed as indentation' }],
  },
  {
    name: 'alias to an undefined anchor',
    doc: ['version: 1', 'teams: *shared'],
    expect: [{ path: '', code: 'yaml_syntax', at: '2:8' }],
  },
  {
    name: 'version 2',
    doc: ['version: 2'],
    expect: [{ path: 'version', code: 'invalid_value', at: '1:10', message: 'expected 1, got 2' }],
  },
  {
    name: 'missing version',
    doc: ['users: {}'],
    expect: [{ path: 'version', code: 'missing_key', at: '1:1' }],
  },
  {
    name: 'empty file',
    doc: ['# nothing yet'],
    expect: [{ path: '', code: 'invalid_type', at: '1:1', message: 'the file is empty' }],
  },
  {
    name: 'a list instead of a mapping at the top',
    doc: ['- version: 1'],
    expect: [{ path: '', code: 'invalid_type', at: '1:1', message: 'expected a mapping, got a list' }],
  },
  {
    name: 'unknown storage type',
    doc: ['version: 1', 'storage:', '  main: { type: nfs, path: /mnt/backups }'],
    expect: [
      {
        path: 'storage.main.type',
        code: 'invalid_value',
        at: '3:17',
        message: '"nfs" is not one of: filesystem, s3',
      },
    ],
  },
  {
    name: 'storage without type',
    doc: ['version: 1', 'storage:', '  main: { path: /mnt/backups }'],
    expect: [{ path: 'storage.main.type', code: 'missing_key', at: '3:3' }],
  },
  {
    name: 's3 with half a key pair',
    doc: ['version: 1', 'storage:', '  s3:', '    type: s3', '    bucket: b', '    access_key_id: env:DEV_URL'],
    expect: [{ path: 'storage.s3.secret_access_key', code: 'missing_key', at: '3:3' }],
  },
  {
    name: 'command engine without its command',
    doc: ['version: 1', 'servers:', '  mssql: { engine: command, tier: test, url: env:DEV_URL }'],
    expect: [
      { path: 'servers.mssql.command', code: 'missing_key', at: '3:3' },
      { path: 'servers.mssql.engine', code: 'invalid_value', at: '3:20' },
    ],
  },
  {
    name: 'command on a postgres server',
    doc: [
      'version: 1',
      'servers:',
      '  pg1: { engine: postgres, tier: test, url: env:DEV_URL, command: { restore: ./r.ps1 } }',
    ],
    expect: [
      {
        path: 'servers.pg1.command',
        code: 'unknown_key',
        at: '3:58',
        hint: 'known keys here: engine, tier, url, labels, pgbackrest',
      },
    ],
  },
  {
    name: 'backup jobs out of range',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    backup: { storage: main, jobs: 17 }',
    ],
    expect: [
      {
        path: 'databases.CustomerDB.backup.jobs',
        code: 'invalid_value',
        at: b(6, 36),
        message: 'must be at most 16, got 17',
      },
    ],
  },
  {
    name: 'encrypt with neither passphrase nor recipients',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    backup:',
      '      storage: main',
      '      encrypt: {}',
    ],
    expect: [{ path: 'databases.CustomerDB.backup.encrypt.passphrase', code: 'missing_key', at: b(8, 7) }],
  },
  {
    name: 'encrypt recipient that is not an age public key',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    backup: { storage: main, encrypt: { recipients: [age1nope] } }',
    ],
    expect: [{ path: 'databases.CustomerDB.backup.encrypt.recipients[0]', code: 'invalid_value', at: b(6, 54) }],
  },
  {
    name: 'post-restore step with a typo',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    post_restore:',
      '      - sqll: reset.sql',
    ],
    // Both are true, and both point at the same step: the step has no sql and has a typo.
    expect: [
      { path: 'databases.CustomerDB.post_restore[0].sql', code: 'missing_key', at: b(7, 9) },
      {
        path: 'databases.CustomerDB.post_restore[0].sqll',
        code: 'unknown_key',
        at: b(7, 9),
        hint: 'did you mean "sql"?',
      },
    ],
  },
  {
    name: 'post-restore step of the wrong type',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    post_restore: [42]',
    ],
    expect: [
      {
        path: 'databases.CustomerDB.post_restore[0]',
        code: 'invalid_type',
        at: b(6, 20),
        message: 'expected a string or a mapping, got a number',
      },
    ],
  },
  {
    name: 'duplicate verify check name',
    body: [
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: alpha',
      '    verify:',
      '      - { name: rows, sql: select 1 }',
      '      - { name: rows, sql: select 2 }',
    ],
    expect: [{ path: 'databases.CustomerDB.verify[1].name', code: 'duplicate_name', at: b(8, 17) }],
  },
  {
    name: 'team concurrency limit of zero',
    doc: [
      'version: 1',
      'users:',
      '  ann: { email: ann@example.com, roles: [db-owner] }',
      'teams:',
      '  alpha: { members: [], approvers: [ann], max_concurrent_restores: 0 }',
    ],
    expect: [{ path: 'teams.alpha.max_concurrent_restores', code: 'invalid_value', at: '5:68' }],
  },
  {
    name: 'email channel with a bad address',
    doc: [
      'version: 1',
      'notifications:',
      '  mail:',
      '    type: email',
      '    to: [dba-team]',
      '    smtp: { host: smtp.example.com, port: 587 }',
    ],
    expect: [{ path: 'notifications.mail.to[0]', code: 'invalid_value', at: '5:10' }],
  },
  {
    name: 'self-approval cannot be switched on',
    doc: ['version: 1', 'policy:', '  self_approval: true'],
    expect: [{ path: 'policy.self_approval', code: 'invalid_policy', at: '3:18' }],
  },
  {
    name: 'bad policy duration',
    doc: ['version: 1', 'policy: { approval_expires_after: soon }'],
    expect: [{ path: 'policy.approval_expires_after', code: 'invalid_duration', at: '2:35' }],
  },
  {
    name: 'several errors of every stage reported together, in file order',
    doc: [
      'version: 1',
      'users:',
      '  ann: { email: ann@example.com, roles: [db-owner, wizard] }',
      'teams:',
      '  alpha: { members: [ann, zed], approvers: [ann] }',
      'servers:',
      '  prod: { engine: postgres, tier: production, url: env:NOPE_URL }',
      'databases:',
      '  CustomerDB:',
      '    server: prod',
      '    name: customer',
      '    owner: beta',
      '    rpo: 1 hour',
      '    destination: [prod]',
    ],
    expect: [
      { path: 'users.ann.roles[1]', code: 'invalid_value', at: '3:52' },
      { path: 'teams.alpha.members[1]', code: 'unknown_reference', at: '5:27' },
      { path: 'servers.prod.url', code: 'secret_unreadable', at: '7:52' },
      { path: 'databases.CustomerDB.owner', code: 'unknown_reference', at: '12:12' },
      { path: 'databases.CustomerDB.rpo', code: 'invalid_duration', at: '13:10' },
      { path: 'databases.CustomerDB.destination', code: 'unknown_key', at: '14:5' },
    ],
  },
];

const baseDir = mkdtempSync(join(tmpdir(), 'lifeboat-catalog-'));
mkdirSync(join(baseDir, 'secrets'));
writeFileSync(join(baseDir, 'secrets', 'present.url'), 'postgres://u:pw@h/db\n');
afterAll(() => rmSync(baseDir, { recursive: true, force: true }));

function issuesOf(text: string): ConfigIssue[] {
  try {
    parseConfig(text, { file: 'lifeboat.yaml', baseDir, env: ENV });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('the configuration was accepted');
}

describe('broken configurations', () => {
  test('the shared preamble is valid on its own', () => {
    expect(() => parseConfig(PREAMBLE.join('\n'), { baseDir, env: ENV })).not.toThrow();
  });

  test.each(cases)('$name', (c) => {
    const text = `${(c.doc ?? [...PREAMBLE, ...(c.body ?? [])]).join('\n')}\n`;
    const issues = issuesOf(text);
    expect(issues.map((i) => ({ path: i.path, code: i.code, at: `${i.line}:${i.column}` }))).toEqual(
      c.expect.map((e) => ({ path: e.path, code: e.code, at: e.at })),
    );
    c.expect.forEach((e, n) => {
      if (e.message !== undefined) expect(issues[n]?.message).toBe(e.message);
      if (e.hint !== undefined) expect(issues[n]?.hint).toBe(e.hint);
    });
  });

  test(`covers at least 30 broken configurations (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  test('an inline secret is never echoed in the issue or the error', () => {
    const text =
      'version: 1\nservers:\n  pg1: { engine: postgres, tier: test, url: "postgres://admin:hunter2@db/prod" }\n';
    let caught: unknown;
    try {
      parseConfig(text, { baseDir, env: ENV });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.code).toBe('config_invalid');
    expect(error.status).toBe(400);
    expect(JSON.stringify(error.toBody())).not.toContain('hunter2');
    expect(error.message).not.toContain('hunter2');
    expect(error.issues[0]?.hint).toContain('env:NAME');
  });

  test('the issues are also in the error details', () => {
    try {
      parseConfig('version: 2\n', { file: 'lifeboat.yaml', baseDir, env: ENV });
      expect.unreachable();
    } catch (err) {
      const error = err as ConfigError;
      expect(error.details).toEqual({ file: join(baseDir, 'lifeboat.yaml'), issues: error.issues });
      expect(error.message).toBe(
        `unable to load ${join(baseDir, 'lifeboat.yaml')}: 1 problem; first at 1:10 version: expected 1, got 2`,
      );
    }
  });
});
