// The "production" and "development" servers of the journeys: two throwaway clusters, the first
// with CustomerDB (`customer`: customers with names/emails/phones, orders with a foreign key, a
// "Sales Dept"."Order" table) copied from the seeded template.
import { startTestCluster, type TestCluster } from './cluster.js';
import { CUSTOMER_TEMPLATE_DB } from './paths.js';

export interface FixtureServers {
  prod: TestCluster;
  dev: TestCluster;
  /** The env: variables the fixture lifeboat.yaml reads. */
  env: Record<string, string>;
}

export async function startFixtureServers(): Promise<FixtureServers> {
  const [prod, dev] = await Promise.all([startTestCluster('prod'), startTestCluster('dev')]);
  await prod.createDatabase('customer', CUSTOMER_TEMPLATE_DB);
  return {
    prod,
    dev,
    env: {
      PROD_PG01_URL: prod.url('postgres'),
      DEV_PG01_URL: dev.url('postgres'),
      MASKING_KEY: 'test-masking-key-0123456789abcdef',
      BACKUP_PASSPHRASE: 'correct horse battery staple',
    },
  };
}

/** Every table's rows, ordered, as text: for comparing two databases' content exactly. */
export async function tableContents(c: TestCluster, database: string): Promise<Record<string, string[]>> {
  const tables = await c.query<{ t: string }>(
    database,
    `select format('%I.%I', schemaname, tablename) as t from pg_tables
      where schemaname not in ('pg_catalog', 'information_schema') order by 1`,
  );
  const out: Record<string, string[]> = {};
  for (const { t } of tables) {
    const rows = await c.query<{ r: string }>(database, `select x::text as r from ${t} x order by 1`);
    out[t] = rows.map((r) => r.r);
  }
  return out;
}

/**
 * The fixture lifeboat.yaml. `approvals`: CustomerDB's (default 0); `teamsExtra`/`usersExtra`:
 * more entries of those sections; `extra`: more top-level sections (policy, …).
 */
export function fixtureConfig(
  opts: {
    storage?: string;
    backupExtra?: string;
    databaseExtra?: string;
    approvals?: number;
    teamsExtra?: string;
    usersExtra?: string;
    /** more keys of team-alpha (notify: …) */
    teamExtra?: string;
    extra?: string;
  } = {},
): string {
  return `version: 1
teams:
  team-alpha:
    members: [jsmith]
    approvers: [alice, bob]
${opts.teamExtra ?? ''}
${opts.teamsExtra ?? ''}
users:
  jsmith: { email: jsmith@example.com, roles: [developer] }
  alice:  { email: alice@example.com,  roles: [db-owner] }
  bob:    { email: bob@example.com,    roles: [db-owner] }
  dana:   { email: dana@example.com,   roles: [dba-admin] }
  audrey: { email: audrey@example.com, roles: [auditor] }
  rita:   { email: rita@example.com,   roles: [recovery-operator] }
${opts.usersExtra ?? ''}
servers:
  prod-pg01: { engine: postgres, tier: production,  url: env:PROD_PG01_URL }
  dev-pg01:  { engine: postgres, tier: development, url: env:DEV_PG01_URL }
storage:
${opts.storage ?? '  main: { type: filesystem, path: ./backups }'}
databases:
  CustomerDB:
    server: prod-pg01
    name: customer
    owner: team-alpha
    destinations: [dev-pg01]
    approvals: ${opts.approvals ?? 0}
    rpo: 1h
    rto: 4h
    backup:
      storage: main
${opts.backupExtra ?? ''}
${opts.databaseExtra ?? ''}
${opts.extra ?? ''}
`;
}
