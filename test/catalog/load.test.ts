// Loading a valid lifeboat.yaml: the PRODUCT.md example as written, defaults, resolved paths
// and secrets, a frozen result, and the file-level failures of loadConfig.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { configJsonSchema } from '../../src/catalog/json-schema.js';
import { ConfigError, loadConfig, parseConfig } from '../../src/catalog/load.js';
import { NOT_ACTED_ON_YET } from '../../src/catalog/not-yet.js';
import { LifeboatError } from '../../src/errors.js';
import { Secret } from '../../src/lib/secret.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const EXAMPLE = join(FIXTURES, 'product-example.yaml');
const ENV = {
  PROD_PG01_URL: 'postgres://lifeboat:s3cr3t-prod@prod-pg01:5432/postgres',
  DEV_PG01_URL: 'postgres://lifeboat:s3cr3t-dev@dev-pg01:5432/postgres',
  MASKING_KEY: 'masking-key-0123456789abcdef0123456789',
  ALPHA_SLACK_WEBHOOK: 'https://hooks.slack.com/services/T000/B000/XXXX',
};

const tmp = mkdtempSync(join(tmpdir(), 'lifeboat-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the PRODUCT.md example', () => {
  const catalog = loadConfig(EXAMPLE, ENV);

  test('is accepted as written, with file and baseDir absolute', () => {
    expect(catalog.file).toBe(EXAMPLE);
    expect(catalog.baseDir).toBe(FIXTURES);
    expect(catalog.version).toBe(1);
    expect(Object.keys(catalog.users)).toEqual(['jsmith', 'alice', 'bob', 'dana']);
  });

  test('teams, users and servers', () => {
    expect(catalog.teams['team-alpha']).toEqual({
      name: 'team-alpha',
      members: ['jsmith'],
      approvers: ['alice', 'bob'],
      notify: ['alpha-chat'],
    });
    expect(catalog.users.dana).toEqual({ name: 'dana', email: 'dana@example.com', roles: ['dba-admin'] });
    const prod = catalog.servers['prod-pg01']!;
    expect(prod).toMatchObject({ name: 'prod-pg01', engine: 'postgres', tier: 'production', labels: [] });
    expect(prod.url.reveal()).toBe(ENV.PROD_PG01_URL);
    expect(prod.url.source).toBe('env:PROD_PG01_URL');
    expect(catalog.servers['dev-pg01']?.tier).toBe('development');
  });

  test('storage path is resolved against the directory of the file', () => {
    expect(catalog.storage.main).toEqual({
      name: 'main',
      type: 'filesystem',
      path: join(FIXTURES, 'backups'),
    });
  });

  test('the database, with defaults applied', () => {
    const db = catalog.databases.CustomerDB!;
    expect(db).toMatchObject({
      name: 'CustomerDB',
      server: 'prod-pg01',
      dbname: 'customer',
      owner: 'team-alpha',
      destinations: ['dev-pg01'],
      approvals: 1,
      rpo: { text: '1h', ms: 3_600_000 },
      rto: { text: '4h', ms: 14_400_000 },
      keepPrevious: { text: '24h', ms: 86_400_000 },
      keepPreviousCount: 1,
      keepFailed: false,
      restore: {},
      backup: { storage: 'main', schedule: '0 2 * * *', jobs: 2, retention: { keepDays: 30 } },
    });
    expect(db.backup?.encrypt).toBeUndefined();
    expect(db.masking.key?.reveal()).toBe(ENV.MASKING_KEY);
    expect(db.masking.sensitive).toEqual([]);
    expect(db.masking.rules).toEqual([
      { table: 'public.customers', column: 'email', transform: 'token', options: {} },
      { table: 'public.customers', column: 'full_name', transform: 'name', options: {} },
      { table: '"Sales Dept"."Order"', column: 'customer_email', transform: 'token', options: {} },
    ]);
    expect(db.postRestore).toEqual([{ kind: 'sql', path: join(FIXTURES, 'sql', 'reset_config.sql') }]);
    expect(db.verify).toEqual([{ name: 'customers present', sql: 'select count(*) > 0 from customers' }]);
  });

  test('notification channel and policy defaults', () => {
    const chat = catalog.notifications['alpha-chat']!;
    expect(chat.type).toBe('slack');
    expect(chat.type === 'slack' && chat.url.reveal()).toBe(ENV.ALPHA_SLACK_WEBHOOK);
    expect(catalog.policy).toEqual({
      dbaAdminCanApprove: false,
      approvalExpiresAfter: { text: '24h', ms: 24 * 3_600_000 },
      dryRunExpiresAfter: { text: '7d', ms: 7 * 24 * 3_600_000 },
    });
  });

  test('loads, and names every key it does not act on yet, with its line', () => {
    expect(catalog.warnings.map((w) => `${w.line}:${w.column} ${w.path} ${w.code} ${w.message}`)).toEqual([]);
  });

  test('secrets print as *** in strings, JSON and util.inspect', () => {
    const url = catalog.servers['prod-pg01']!.url;
    expect(url).toBeInstanceOf(Secret);
    expect(`${url}`).toBe('***');
    const json = JSON.stringify(catalog);
    expect(json).toContain('"url":"***"');
    expect(json).toContain('"key":"***"');
    const inspected = inspect(catalog, { depth: Number.POSITIVE_INFINITY });
    for (const value of Object.values(ENV)) {
      expect(json).not.toContain(value);
      expect(inspected).not.toContain(value);
    }
    expect(inspected).toContain('Secret(env:PROD_PG01_URL)');
  });

  test('is deeply frozen', () => {
    expect(Object.isFrozen(catalog)).toBe(true);
    expect(Object.isFrozen(catalog.databases.CustomerDB!.masking.rules[0])).toBe(true);
    expect(Object.isFrozen(catalog.teams['team-alpha']!.approvers)).toBe(true);
    expect(() => {
      (catalog.databases.CustomerDB as { approvals: number }).approvals = 0;
    }).toThrow(TypeError);
  });

  test('without the environment, every missing variable is named and no value leaks', () => {
    let caught: unknown;
    try {
      loadConfig(EXAMPLE, {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const issues = (caught as ConfigError).issues.map((i) => `${i.line}:${i.column} ${i.path} ${i.code} ${i.message}`);
    expect(issues).toEqual([
      '14:58 servers.prod-pg01.url secret_unreadable environment variable PROD_PG01_URL is not set',
      '15:58 servers.dev-pg01.url secret_unreadable environment variable DEV_PG01_URL is not set',
      '35:12 databases.CustomerDB.masking.key secret_unreadable environment variable MASKING_KEY is not set',
      '45:35 notifications.alpha-chat.url secret_unreadable environment variable ALPHA_SLACK_WEBHOOK is not set',
    ]);
  });
});

describe('the rest of the schema', () => {
  test('every optional section and setting', () => {
    writeFileSync(join(tmp, 'smtp-password'), 'mail-pass\n');
    writeFileSync(join(tmp, 'age-identity'), 'AGE-SECRET-KEY-1XYZ\r\n');
    const recipient = `age1${'q'.repeat(58)}`;
    const text = [
      'version: 1',
      'users:',
      '  ann: { email: ann@example.com, roles: [db-owner, recovery-operator] }',
      'teams:',
      '  alpha: { members: [], approvers: [ann], max_concurrent_restores: 2 }',
      'servers:',
      '  stage:',
      '    engine: postgres',
      '    tier: staging',
      '    url: env:STAGE_URL',
      '    labels: [dmz]',
      '  stage2: { engine: postgres, tier: test, url: env:STAGE_URL }',
      'storage:',
      '  offsite:',
      '    type: s3',
      '    bucket: db-backups',
      '    endpoint: https://minio.internal:9000',
      '    force_path_style: true',
      '    access_key_id: env:S3_KEY_ID',
      '    secret_access_key: env:S3_SECRET',
      '  plain: { type: s3, bucket: other }',
      'databases:',
      '  Billing:',
      '    server: stage',
      '    name: billing',
      '    owner: alpha',
      '    destinations: [stage2]',
      '    approvals: 0',
      '    keep_previous: 2d',
      '    keep_previous_count: 3',
      '    keep_failed: true',
      '    restore: { jobs: 4 }',
      '    backup:',
      '      storage: offsite',
      '      schedule: "0 0 3 * * 0"',
      '      jobs: 8',
      '      compression: { method: zstd, level: 19 }',
      '      retention: { keep_last: 3, daily: 7, weekly: 4, monthly: 12 }',
      `      encrypt: { recipients: [${recipient}], identity: file:age-identity }`,
      '    masking:',
      '      sensitive: [{ table: invoices, column: iban }]',
      '      rules:',
      '        - { table: invoices, column: iban, transform: regex_replace, options: { pattern: "\\\\d", replacement: "0" } }',
      '    post_restore:',
      '      - { sql: /opt/sql/fix.sql }',
      '      - { command: ./notify.sh }',
      '    verify:',
      '      - { name: invoices, sql: select count(*) from invoices, expect: 10 }',
      'notifications:',
      '  hook: { type: webhook, url: env:HOOK_URL, secret: env:HOOK_SECRET }',
      '  mail:',
      '    type: email',
      '    to: [dba@example.com]',
      '    smtp: { host: smtp.example.com, port: 465, user: lifeboat, password: file:smtp-password }',
      'policy: { dba_admin_can_approve: true, approval_expires_after: 1d12h, self_approval: false }',
    ].join('\n');
    const env = {
      STAGE_URL: 'postgres://x',
      S3_KEY_ID: 'AKIA',
      S3_SECRET: 'shh',
      HOOK_URL: 'https://h',
      HOOK_SECRET: 'sig',
    };
    const c = parseConfig(text, { baseDir: tmp, env });

    expect(c.file).toBeUndefined();
    expect(c.teams.alpha?.maxConcurrentRestores).toBe(2);
    expect(c.servers.stage).toMatchObject({ engine: 'postgres', labels: ['dmz'] });
    expect(c.storage.offsite).toMatchObject({
      type: 's3',
      bucket: 'db-backups',
      endpoint: 'https://minio.internal:9000',
      region: 'auto',
      forcePathStyle: true,
    });
    const offsite = c.storage.offsite!;
    expect(offsite.type === 's3' && offsite.secretAccessKey?.reveal()).toBe('shh');
    expect(c.storage.plain).toEqual({
      name: 'plain',
      type: 's3',
      bucket: 'other',
      region: 'auto',
      forcePathStyle: false,
    });

    const db = c.databases.Billing!;
    expect(db).toMatchObject({
      approvals: 0,
      keepPrevious: { text: '2d', ms: 2 * 86_400_000 },
      keepPreviousCount: 3,
      keepFailed: true,
      restore: { jobs: 4 },
      backup: {
        storage: 'offsite',
        schedule: '0 0 3 * * 0',
        jobs: 8,
        compression: { method: 'zstd', level: 19 },
        retention: { keepLast: 3, daily: 7, weekly: 4, monthly: 12 },
      },
    });
    const encrypt = db.backup?.encrypt;
    expect(encrypt?.mode).toBe('recipients');
    if (encrypt?.mode === 'recipients') {
      expect(encrypt.recipients).toEqual([recipient]);
      expect(encrypt.identity?.reveal()).toBe('AGE-SECRET-KEY-1XYZ');
    }
    expect(db.masking.key).toBeUndefined();
    expect(db.masking.sensitive).toEqual([{ table: 'invoices', column: 'iban' }]);
    expect(db.masking.rules[0]?.options).toEqual({ pattern: '\\d', replacement: '0' });
    expect(db.postRestore).toEqual([
      { kind: 'sql', path: '/opt/sql/fix.sql' },
      { kind: 'command', command: './notify.sh' },
    ]);
    expect(db.verify[0]?.expect).toBe(10);

    const mail = c.notifications.mail!;
    expect(mail.type === 'email' && mail.smtp.secure).toBe(true);
    expect(mail.type === 'email' && mail.smtp.password?.reveal()).toBe('mail-pass');
    expect(c.notifications.hook).toMatchObject({ type: 'webhook' });
    expect(c.policy).toEqual({
      dbaAdminCanApprove: true,
      approvalExpiresAfter: { text: '1d12h', ms: 36 * 3_600_000 },
      dryRunExpiresAfter: { text: '7d', ms: 7 * 24 * 3_600_000 },
    });
  });

  test('passphrase encryption', () => {
    const text = [
      'version: 1',
      'storage: { main: { type: filesystem, path: /var/backups } }',
      'users: { ann: { email: ann@example.com, roles: [db-owner] } }',
      'teams: { alpha: { members: [], approvers: [ann] } }',
      'servers: { pg: { engine: postgres, tier: production, url: env:U } }',
      'databases:',
      '  Db: { server: pg, name: db, owner: alpha, backup: { storage: main, encrypt: { passphrase: env:P } } }',
    ].join('\n');
    const c = parseConfig(text, { baseDir: tmp, env: { U: 'postgres://x', P: 'correct horse' } });
    const encrypt = c.databases.Db?.backup?.encrypt;
    expect(encrypt?.mode === 'passphrase' && encrypt.passphrase.reveal()).toBe('correct horse');
    expect(c.storage.main).toEqual({ name: 'main', type: 'filesystem', path: '/var/backups' });
  });

  test('with the DBA-admin override, a team may have fewer approvers than approvals', () => {
    const text = [
      'version: 1',
      'users: { ann: { email: ann@example.com, roles: [db-owner] } }',
      'teams: { alpha: { members: [], approvers: [ann] } }',
      'servers: { pg: { engine: postgres, tier: production, url: env:U } }',
      'databases: { Db: { server: pg, name: db, owner: alpha, approvals: 2 } }',
    ];
    const env = { U: 'postgres://x' };
    expect(() => parseConfig(text.join('\n'), { baseDir: tmp, env })).toThrow(ConfigError);
    const withOverride = [...text, 'policy: { dba_admin_can_approve: true }'].join('\n');
    expect(parseConfig(withOverride, { baseDir: tmp, env }).databases.Db?.approvals).toBe(2);
  });

  test('a name such as "constructor" is an ordinary name, not a prototype property', () => {
    const text =
      'version: 1\nusers: { ann: { email: ann@example.com, roles: [developer] } }\nteams: { alpha: { members: [constructor], approvers: [] } }\n';
    expect(() => parseConfig(text, { baseDir: tmp, env: {} })).toThrow(/user "constructor" is not defined/);
  });
});

describe('keys not acted on yet', () => {
  const warningsOf = (lines: string[]) =>
    parseConfig(lines.join('\n'), { baseDir: tmp, env: { URL: 'postgres://x' } }).warnings.map(
      (w) => `${w.line}:${w.column} ${w.path}`,
    );

  test('every entry of the list, once per key written, in file order', () => {
    expect(
      warningsOf([
        'version: 1',
        'users: { ann: { email: ann@example.com, roles: [db-owner] } }',
        'teams:',
        '  a: { members: [], approvers: [ann], notify: [n1], max_concurrent_restores: 2 }',
        '  b: { members: [], approvers: [ann], notify: [n1] }',
        'servers:',
        '  s1: { engine: postgres, tier: test, url: env:URL, labels: [dmz] }',
        'databases:',
        '  D: { server: s1, name: d, owner: a, rpo: 1h, rto: 4h }',
        'notifications:',
        '  n1: { type: webhook, url: env:URL }',
        'policy: { dba_admin_can_approve: true, approval_expires_after: 1d }',
      ]),
    ).toEqual(['7:53 servers.s1.labels']);
  });

  test('defaults and empty lists ask for nothing and are not reported', () => {
    expect(
      warningsOf([
        'version: 1',
        'teams: { a: { members: [], approvers: [], notify: [] } }',
        'servers: { s1: { engine: postgres, tier: test, url: env:URL, labels: [] } }',
        'notifications: {}',
      ]),
    ).toEqual([]);
  });

  test('every entry names a key the schema accepts', () => {
    for (const entry of NOT_ACTED_ON_YET) {
      const [section, ...rest] = entry.path;
      expect(Object.keys(configJsonSchema().properties as object)).toContain(section);
      expect(rest.every((seg) => seg === '*' || /^[a-z_]+$/.test(seg))).toBe(true);
    }
  });
});

describe('loadConfig', () => {
  test('a missing file is config_invalid with a hint', () => {
    let caught: unknown;
    try {
      loadConfig(join(tmp, 'nope.yaml'), {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LifeboatError);
    expect(caught).not.toBeInstanceOf(ConfigError);
    const error = caught as LifeboatError;
    expect(error.code).toBe('config_invalid');
    expect(error.status).toBe(400);
    expect(error.message).toBe(`unable to read the configuration ${join(tmp, 'nope.yaml')}: no such file`);
    expect(error.hint).toContain('--config');
  });

  test('file secrets are read relative to the file, one trailing newline trimmed', () => {
    writeFileSync(join(tmp, 'db.url'), 'postgres://u:pw@h/db\n\n');
    const file = join(tmp, 'lifeboat.yaml');
    writeFileSync(file, 'version: 1\nservers:\n  pg: { engine: postgres, tier: test, url: file:db.url }\n');
    const catalog = loadConfig(file, {});
    expect(catalog.servers.pg?.url.reveal()).toBe('postgres://u:pw@h/db\n');
    expect(catalog.servers.pg?.url.source).toBe(`file:${join(tmp, 'db.url')}`);
  });
});

describe('the audit section', () => {
  test('defaults: the data directory key, a checkpoint every 5 minutes', () => {
    expect(parseConfig('version: 1\n', { baseDir: tmp, env: {} }).audit).toEqual({
      checkpointEvery: { text: '5m', ms: 300_000 },
    });
  });

  test('a signing key is a secret reference, the public key a path relative to the file', () => {
    const c = parseConfig(
      'version: 1\naudit: { signing_key: env:AUDIT_KEY, public_key: keys/audit.pub, checkpoint_every: 1h }\n',
      { baseDir: tmp, env: { AUDIT_KEY: 'pem' } },
    );
    expect(c.audit.signingKey?.reveal()).toBe('pem');
    expect(c.audit.publicKey).toBe(join(tmp, 'keys', 'audit.pub'));
    expect(c.audit.checkpointEvery).toEqual({ text: '1h', ms: 3_600_000 });
  });

  test('an inline key and an unknown key are errors', () => {
    let caught: unknown;
    try {
      parseConfig('version: 1\naudit: { signing_key: "-----BEGIN PRIVATE KEY-----", every: 5m }\n', {
        baseDir: tmp,
        env: {},
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).issues.map((i) => [i.path, i.code])).toEqual([
      ['audit.signing_key', 'secret_inline'],
      ['audit.every', 'unknown_key'],
    ]);
  });
});
