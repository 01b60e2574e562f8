// The demo workspace: what `lifeboat start` sets up when there is no lifeboat.yaml, so that a
// newcomer has something real to click through. Two local PostgreSQL clusters stand for a
// production server (with a CustomerDB full of generated, realistic-looking fake PII) and a
// development server; a lifeboat.yaml describes them, reading their URLs from files.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { Catalog } from '../catalog/types.js';
import { declareIncident } from '../dr/declare.js';
import {
  clusterUrl,
  initCluster,
  runningPostmaster,
  startCluster,
  stopCluster,
} from '../engines/postgres/local-cluster.js';
import type { Db } from '../store/db.js';
import { seedCustomerDb } from './fake-people.js';

export const DEMO_SERVERS = ['prod-pg01', 'dev-pg01'] as const;

export interface DemoWorkspace {
  dir: string;
  configFile: string;
  /** Stops the demo clusters (`lifeboat start` owns them, also when it adopted them after a crash). */
  stop(): Promise<void>;
}

/**
 * The demo CustomerDB's masking rules, one YAML line each (indented for databases.<db>.masking),
 * covering every column `lifeboat masking scan` finds in it. Exported for the tests that restore
 * the fixture CustomerDB (the same seed) with exactly these rules.
 */
export const DEMO_MASKING_RULES = `        - { table: public.customers, column: email, transform: token }
        - { table: public.customers, column: full_name, transform: name }
        - { table: public.customers, column: phone, transform: phone }
        - { table: public.customers, column: address, transform: address }
        # a keyed shift of 1–30 days: ages stay right, the real birthday is gone
        - { table: public.customers, column: birth_date, transform: date_shift }
        # free text can name anyone anywhere, and no pattern finds every name: redact turns every
        # letter into x/X and every digit into 0, and keeps NULL vs empty, lengths and layout
        - { table: public.customers, column: notes, transform: redact }
        - { table: public.orders, column: customer_email, transform: token }
        - { table: '"Sales Dept"."Order"', column: customer_email, transform: token }
`;

const DEMO_CONFIG = `# Lifeboat demo workspace, created by \`lifeboat start\` because no lifeboat.yaml was found.
# Two local PostgreSQL clusters stand in for a production and a development server.
# Copy this file next to your project as lifeboat.yaml and point it at your own servers.
version: 1
teams:
  team-alpha:
    members: [jsmith]
    approvers: [alice, bob]
users:
  jsmith: { email: jsmith@example.com, roles: [developer] }
  alice:  { email: alice@example.com,  roles: [db-owner] }
  bob:    { email: bob@example.com,    roles: [db-owner] }
  dana:   { email: dana@example.com,   roles: [dba-admin] }
  audrey: { email: audrey@example.com, roles: [auditor] }
servers:
  prod-pg01: { engine: postgres, tier: production,  url: file:./secrets/prod-pg01.url }
  dev-pg01:  { engine: postgres, tier: development, url: file:./secrets/dev-pg01.url }
storage:
  main: { type: filesystem, path: ./backups }
databases:
  CustomerDB:
    server: prod-pg01
    name: customer
    owner: team-alpha
    destinations: [dev-pg01]
    approvals: 0                     # a development destination; raise it to require approvals
    backup:
      storage: main
      schedule: "0 2 * * *"
      retention: { keep_days: 30 }
    masking:
      key: file:./secrets/masking.key
      rules:
${DEMO_MASKING_RULES}    verify:
      - { name: customers present, sql: "select count(*) > 0 from customers" }
`;

/** Creates (first time) and starts (every time) the demo workspace under `<dataDir>/demo`. */
export async function startDemoWorkspace(dataDir: string): Promise<DemoWorkspace> {
  const dir = join(resolve(dataDir), 'demo');
  const secrets = join(dir, 'secrets');
  // the demo directory must stay enterable by the postgres user (its clusters live below it)
  mkdirSync(dir, { recursive: true });
  mkdirSync(secrets, { recursive: true, mode: 0o700 });
  mkdirSync(join(dir, 'backups'), { recursive: true });
  const configFile = join(dir, 'lifeboat.yaml');
  if (!existsSync(configFile)) writeFileSync(configFile, DEMO_CONFIG);
  const keyFile = join(secrets, 'masking.key');
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });

  const started: string[] = [];
  for (const server of DEMO_SERVERS) {
    const pgData = join(dir, 'clusters', server);
    const passFile = join(secrets, `${server}.password`);
    if (!existsSync(passFile)) writeFileSync(passFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
    const password = readFileSync(passFile, 'utf8');
    const fresh = !existsSync(join(pgData, 'PG_VERSION'));
    if (fresh) await initCluster({ dataDir: pgData, superuser: 'postgres', password });
    const port = runningPostmaster(pgData)?.port ?? (await startCluster(pgData));
    started.push(pgData);
    // the port can change between starts: the URL file is rewritten every time
    writeFileSync(join(secrets, `${server}.url`), clusterUrl({ superuser: 'postgres', password, port }), {
      mode: 0o600,
    });
    if (server === 'prod-pg01') await ensureCustomerDb(clusterUrl({ superuser: 'postgres', password, port }));
  }
  return {
    dir,
    configFile,
    async stop() {
      for (const d of started) await stopCluster(d);
    },
  };
}

async function ensureCustomerDb(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query(`select 1 from pg_database where datname = 'customer'`);
    if (rowCount) return;
    // seeded under a temporary name and renamed, so a start killed half-way never leaves a half-filled CustomerDB
    await admin.query('drop database if exists customer_seeding');
    await admin.query('create database customer_seeding');
    const u = new URL(adminUrl);
    u.pathname = '/customer_seeding';
    const c = new pg.Client({ connectionString: u.toString() });
    await c.connect();
    try {
      await seedCustomerDb(c, 5000);
    } finally {
      await c.end();
    }
    await admin.query('alter database customer_seeding rename to customer');
  } finally {
    await admin.end();
  }
}

/** The reason of the demo's practice incident (the Incidents page is not empty on a first visit). */
export const DEMO_INCIDENT_REASON =
  'practice incident of the demo workspace: take a backup (`lifeboat backup run CustomerDB`), then plan and execute it as dana';

/**
 * Declares the demo's practice incident on CustomerDB, once: when no incident was ever declared
 * in this store (a recovered one stays; a restart declares nothing). Returns its id, if declared.
 */
export async function seedDemoIncident(db: Db, catalog: Catalog): Promise<number | undefined> {
  if (!catalog.databases.CustomerDB) return undefined;
  const any = await db.selectFrom('incidents').select('id').limit(1).executeTakeFirst();
  if (any) return undefined;
  const { id } = await declareIncident(db, catalog, {
    database: 'CustomerDB',
    reason: DEMO_INCIDENT_REASON,
    actor: 'lifeboat start',
  });
  return id;
}
