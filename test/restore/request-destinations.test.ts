// A restore request into a destination it must never touch is refused by the API (403
// destination_not_allowed, the reason and what to do), dry run or not: PostgreSQL's own
// databases, Lifeboat's staging and kept-copy names, names PostgreSQL would truncate, and another
// catalogued database. Every run document names the real destination `<server>/<dbname>`.
import type PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFrom, testApp } from '../harness/app.js';
import { startQueue } from '../../src/worker/queue.js';
import type { App } from '../../src/http/app.js';
import { freshStore } from '../harness/store.js';

// the servers are never connected to: every refusal comes before any I/O but the store's
const CONFIG = `version: 1
teams:
  team-alpha: { members: [jsmith], approvers: [alice, bob] }
  team-beta: { members: [bella], approvers: [carl, cleo] }
users:
  jsmith: { email: jsmith@example.com, roles: [developer] }
  alice: { email: alice@example.com, roles: [db-owner] }
  bob: { email: bob@example.com, roles: [db-owner] }
  bella: { email: bella@example.com, roles: [developer] }
  carl: { email: carl@example.com, roles: [db-owner] }
  cleo: { email: cleo@example.com, roles: [db-owner] }
servers:
  prod-pg01: { engine: postgres, tier: production, url: env:PROD_URL }
  dev-pg01: { engine: postgres, tier: development, url: env:DEV_URL }
storage:
  main: { type: filesystem, path: ./backups }
databases:
  CustomerDB: { server: prod-pg01, name: customer, owner: team-alpha, destinations: [dev-pg01, prod-pg01] }
  BillingDB: { server: prod-pg01, name: billing, owner: team-beta, destinations: [dev-pg01, prod-pg01] }
  ToolsDB: { server: dev-pg01, name: tools, owner: team-alpha, destinations: [dev-pg01] }
`;

let app: App;
let auth: (user: string) => Promise<Record<string, string>>;
let queue: PgBoss;
beforeAll(async () => {
  const store = await freshStore();
  queue = await startQueue({ url: store.url, schedule: false });
  queue.on('error', () => {});
  const env = { PROD_URL: 'postgres://127.0.0.1:9/x', DEV_URL: 'postgres://127.0.0.1:9/x' };
  ({ app, auth } = await testApp({ catalog: catalogFrom(CONFIG, env), store, queue }));
});
afterAll(async () => {
  await app.close();
  await queue.stop({ graceful: false, wait: true });
});

const ANOTHER = (server: string) => `choose another database name: --to ${server}/<dbname>`;
const RESERVED =
  'choose a name without __lb_staging_, __lb_prev_, __lb_undone_, __lb_drill_; to go back to a kept copy, use `lifeboat restore undo <run>`';
const OURS = (marker: string) => `names containing "${marker}" are Lifeboat's own (staging databases and kept copies)`;

/** [user, database, --to, message after "unable to restore <database> into <shown destination>: ", hint, rule] */
const CASES: Array<[string, string, string, string, string, string]> = [
  [
    'jsmith',
    'CustomerDB',
    'dev-pg01/postgres',
    'postgres is a PostgreSQL system database',
    ANOTHER('dev-pg01'),
    'system_database',
  ],
  [
    'jsmith',
    'CustomerDB',
    'dev-pg01/template0',
    'template0 is a PostgreSQL system database',
    ANOTHER('dev-pg01'),
    'system_database',
  ],
  [
    'jsmith',
    'CustomerDB',
    'dev-pg01/template1',
    'template1 is a PostgreSQL system database',
    ANOTHER('dev-pg01'),
    'system_database',
  ],
  [
    'jsmith',
    'CustomerDB',
    'prod-pg01/template1',
    'template1 is a PostgreSQL system database',
    ANOTHER('prod-pg01'),
    'system_database',
  ],
  ['jsmith', 'CustomerDB', 'dev-pg01/customer__lb_staging_3', OURS('__lb_staging_'), RESERVED, 'reserved_name'],
  ['jsmith', 'CustomerDB', 'dev-pg01/customer__lb_prev_3', OURS('__lb_prev_'), RESERVED, 'reserved_name'],
  ['jsmith', 'CustomerDB', 'dev-pg01/customer__lb_undone_3', OURS('__lb_undone_'), RESERVED, 'reserved_name'],
  [
    'jsmith',
    'CustomerDB',
    `dev-pg01/${'n'.repeat(64)}`,
    'the name is 64 bytes long, and PostgreSQL would silently truncate it to 63',
    'choose a database name of at most 63 bytes',
    'name_too_long',
  ],
  // team-beta's BillingDB over team-alpha's live production database
  [
    'bella',
    'BillingDB',
    'prod-pg01/customer',
    'that is CustomerDB of team-alpha, and a restore never overwrites another catalogued database',
    ANOTHER('prod-pg01'),
    'catalogued_database',
  ],
  [
    'jsmith',
    'CustomerDB',
    'dev-pg01/tools',
    'that is ToolsDB of team-alpha, and a restore never overwrites another catalogued database',
    ANOTHER('dev-pg01'),
    'catalogued_database',
  ],
  [
    'jsmith',
    'ToolsDB',
    'dev-pg01',
    'that is ToolsDB itself, and only a production rollback restores a database over itself',
    ANOTHER('dev-pg01'),
    'itself',
  ],
];

describe('POST /api/v1/runs into a forbidden destination', () => {
  for (const [user, database, to, reason, hint, rule] of CASES) {
    for (const execute of [false, true]) {
      it(`${user}: ${database} → ${to.length > 40 ? `${to.slice(0, 30)}…` : to}${execute ? ' (execute)' : ' (dry run)'}`, async () => {
        const res = await app.inject({
          method: 'POST',
          url: '/api/v1/runs',
          headers: await auth(user),
          payload: { database, to, execute, ...(execute ? { confirm: to } : {}) },
        });
        const [server, dbname] = to.includes('/') ? to.split('/') : [to, 'tools'];
        const shown = dbname!.length > 63 ? `${dbname!.slice(0, 63)}…` : dbname;
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({
          error: {
            code: 'destination_not_allowed',
            message: `unable to restore ${database} into ${server}/${shown}: ${reason}`,
            hint,
            details: { rule },
          },
        });
      });
    }
  }

  it('a production rollback over the database itself passes the rule (and stops at the missing backup)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/runs',
      headers: await auth('jsmith'),
      payload: { database: 'CustomerDB', to: 'prod-pg01/customer' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('no restorable backup of CustomerDB');
  });
});
