// Which databases a restore may overwrite (src/restore/destination-rule.ts), as a table: every
// rule, its edges (63 bytes exactly, multibyte names, case, a marker anywhere in the name, the
// same name on another server) and the exact message and hint of each refusal.
import { describe, expect, it } from 'vitest';
import type { Tier } from '../../src/catalog/types.js';
import {
  assertDestinationAllowed,
  type CataloguedDatabase,
  destinationRefusal,
  type RefusalRule,
} from '../../src/restore/destination-rule.js';
import { isLifeboatError } from '../../src/errors.js';
import { previousName, stagingName, undoneName } from '../../src/restore/names.js';

const CATALOG: CataloguedDatabase[] = [
  { name: 'CustomerDB', server: 'prod-pg01', dbname: 'customer', owner: 'team-alpha' },
  { name: 'BillingDB', server: 'prod-pg01', dbname: 'billing', owner: 'team-beta' },
  { name: 'DevToolsDB', server: 'dev-pg01', dbname: 'devtools', owner: 'team-beta' },
];

const HINT_ANOTHER = (server: string) => `choose another database name: --to ${server}/<dbname>`;
const HINT_RESERVED =
  'choose a name without __lb_staging_, __lb_prev_, __lb_undone_, __lb_drill_; to go back to a kept copy, use `lifeboat restore undo <run>`';

const long63 = 'a'.repeat(63);
const long64 = 'a'.repeat(64);
// 21 three-byte characters: 63 bytes; one more is 66
const multi63 = '€'.repeat(21);
const multi66 = '€'.repeat(22);

/** [database, server, tier, dbname, refused by (null: allowed), message after "unable to restore <db> into <server>/<shown>: "] */
const TABLE: Array<[string, string, Tier, string, RefusalRule | null, string?]> = [
  // allowed
  ['CustomerDB', 'dev-pg01', 'development', 'customer', null],
  ['CustomerDB', 'dev-pg01', 'development', 'customer_copy', null],
  ['CustomerDB', 'dev-pg01', 'development', 'Postgres', null], // names are case-sensitive
  ['CustomerDB', 'dev-pg01', 'development', 'template2', null],
  ['CustomerDB', 'dev-pg01', 'development', 'my_lb_prev_copy', null],
  ['CustomerDB', 'dev-pg01', 'development', long63, null],
  ['CustomerDB', 'dev-pg01', 'development', multi63, null],
  ['CustomerDB', 'dev-pg01', 'development', 'billing', null], // billing is catalogued on prod-pg01 only
  ['CustomerDB', 'prod-pg01', 'production', 'customer', null], // a production rollback over itself
  ['BillingDB', 'prod-pg01', 'production', 'billing', null],
  // system databases
  ['CustomerDB', 'dev-pg01', 'development', 'postgres', 'system_database', 'postgres is a PostgreSQL system database'],
  [
    'CustomerDB',
    'dev-pg01',
    'development',
    'template0',
    'system_database',
    'template0 is a PostgreSQL system database',
  ],
  [
    'CustomerDB',
    'dev-pg01',
    'development',
    'template1',
    'system_database',
    'template1 is a PostgreSQL system database',
  ],
  ['CustomerDB', 'prod-pg01', 'production', 'postgres', 'system_database', 'postgres is a PostgreSQL system database'],
  // Lifeboat's own names, wherever the marker is
  [
    'CustomerDB',
    'dev-pg01',
    'development',
    stagingName('customer', 7),
    'reserved_name',
    `names containing "__lb_staging_" are Lifeboat's own (staging databases and kept copies)`,
  ],
  [
    'CustomerDB',
    'dev-pg01',
    'development',
    previousName('customer', 7),
    'reserved_name',
    `names containing "__lb_prev_" are Lifeboat's own (staging databases and kept copies)`,
  ],
  [
    'CustomerDB',
    'dev-pg01',
    'development',
    previousName('customer', 7, 2),
    'reserved_name',
    `names containing "__lb_prev_" are Lifeboat's own (staging databases and kept copies)`,
  ],
  [
    'CustomerDB',
    'dev-pg01',
    'development',
    undoneName('customer', 7),
    'reserved_name',
    `names containing "__lb_undone_" are Lifeboat's own (staging databases and kept copies)`,
  ],
  [
    'CustomerDB',
    'dev-pg01',
    'development',
    '__lb_prev_x_customer',
    'reserved_name',
    `names containing "__lb_prev_" are Lifeboat's own (staging databases and kept copies)`,
  ],
  // a drill's scratch database: a drill drops a database of its scratch name before creating it
  [
    'CustomerDB',
    'dev-pg01',
    'development',
    'customer__lb_drill_3',
    'reserved_name',
    `names containing "__lb_drill_" are Lifeboat's own (staging databases and kept copies)`,
  ],
  // PostgreSQL's 63-byte limit (it silently truncates)
  [
    'CustomerDB',
    'dev-pg01',
    'development',
    long64,
    'name_too_long',
    'the name is 64 bytes long, and PostgreSQL would silently truncate it to 63',
  ],
  [
    'CustomerDB',
    'dev-pg01',
    'development',
    multi66,
    'name_too_long',
    'the name is 66 bytes long, and PostgreSQL would silently truncate it to 63',
  ],
  // another catalogued database
  [
    'BillingDB',
    'prod-pg01',
    'production',
    'customer',
    'catalogued_database',
    'that is CustomerDB of team-alpha, and a restore never overwrites another catalogued database',
  ],
  [
    'CustomerDB',
    'prod-pg01',
    'production',
    'billing',
    'catalogued_database',
    'that is BillingDB of team-beta, and a restore never overwrites another catalogued database',
  ],
  [
    'CustomerDB',
    'dev-pg01',
    'development',
    'devtools',
    'catalogued_database',
    'that is DevToolsDB of team-beta, and a restore never overwrites another catalogued database',
  ],
  // the database itself, outside production
  [
    'DevToolsDB',
    'dev-pg01',
    'development',
    'devtools',
    'itself',
    'that is DevToolsDB itself, and only a production rollback restores a database over itself',
  ],
];

describe('destinationRefusal', () => {
  for (const [database, server, tier, dbname, rule, reason] of TABLE) {
    const label = `${database} → ${server}/${dbname.length > 20 ? `${dbname.slice(0, 20)}…(${dbname.length})` : dbname}`;
    it(`${label}: ${rule ?? 'allowed'}`, () => {
      const r = destinationRefusal({ database, server, dbname, tier, catalogued: CATALOG });
      if (rule === null) {
        expect(r).toBeNull();
        return;
      }
      const shown = rule === 'name_too_long' ? `${dbname.slice(0, dbname === multi66 ? 21 : 63)}…` : dbname;
      expect(r).toEqual({
        rule,
        message: `unable to restore ${database} into ${server}/${shown}: ${reason}`,
        hint:
          rule === 'reserved_name'
            ? HINT_RESERVED
            : rule === 'name_too_long'
              ? 'choose a database name of at most 63 bytes'
              : HINT_ANOTHER(server),
      });
    });
  }

  it('never echoes a huge name whole', () => {
    const r = destinationRefusal({
      database: 'CustomerDB',
      server: 'dev-pg01',
      dbname: 'x'.repeat(1_000_000),
      tier: 'development',
      catalogued: CATALOG,
    });
    expect(r?.message).toBe(
      `unable to restore CustomerDB into dev-pg01/${'x'.repeat(63)}…: the name is 1000000 bytes long, and PostgreSQL would silently truncate it to 63`,
    );
  });

  it('assertDestinationAllowed throws destination_not_allowed (403) with the rule in details', () => {
    let caught: unknown;
    try {
      assertDestinationAllowed({
        database: 'CustomerDB',
        server: 'dev-pg01',
        dbname: 'template1',
        tier: 'development',
        catalogued: CATALOG,
      });
    } catch (err) {
      caught = err;
    }
    expect(isLifeboatError(caught)).toBe(true);
    expect((caught as { toBody(): unknown }).toBody()).toEqual({
      error: {
        code: 'destination_not_allowed',
        message: 'unable to restore CustomerDB into dev-pg01/template1: template1 is a PostgreSQL system database',
        hint: 'choose another database name: --to dev-pg01/<dbname>',
        details: { rule: 'system_database' },
      },
    });
    expect((caught as { status: number }).status).toBe(403);
  });
});
