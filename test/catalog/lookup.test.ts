// Catalog lookups: found, not found (with the known names as the hint), membership.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loadConfig } from '../../src/catalog/load.js';
import { getDatabase, getServer, getTeam, isApprover, teamsOfUser } from '../../src/catalog/lookup.js';
import { LifeboatError } from '../../src/errors.js';

const catalog = loadConfig(join(import.meta.dirname, 'fixtures', 'product-example.yaml'), {
  PROD_PG01_URL: 'postgres://p',
  DEV_PG01_URL: 'postgres://d',
  MASKING_KEY: 'k',
  ALPHA_SLACK_WEBHOOK: 'https://h',
});

function thrown(fn: () => unknown): LifeboatError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LifeboatError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

test('getDatabase and getServer find by catalog name', () => {
  expect(getDatabase(catalog, 'CustomerDB').dbname).toBe('customer');
  expect(getServer(catalog, 'dev-pg01').tier).toBe('development');
  expect(getTeam(catalog, 'team-alpha').approvers).toEqual(['alice', 'bob']);
});

test('an unknown name is not_found with the known names as the hint', () => {
  const db = thrown(() => getDatabase(catalog, 'OrdersDB'));
  expect([db.code, db.status, db.message, db.hint]).toEqual([
    'not_found',
    404,
    'database "OrdersDB" is not in the catalog',
    'known databases: CustomerDB',
  ]);
  expect(thrown(() => getServer(catalog, 'qa-pg01')).hint).toBe('known servers: prod-pg01, dev-pg01');
  // Own properties only: nothing is found on Object.prototype.
  expect(thrown(() => getDatabase(catalog, 'toString')).code).toBe('not_found');
});

test('teamsOfUser counts members and approvers; isApprover only approvers', () => {
  expect(teamsOfUser(catalog, 'jsmith').map((t) => t.name)).toEqual(['team-alpha']);
  expect(teamsOfUser(catalog, 'alice').map((t) => t.name)).toEqual(['team-alpha']);
  expect(teamsOfUser(catalog, 'dana')).toEqual([]);
  expect(isApprover(catalog, 'alice', 'team-alpha')).toBe(true);
  expect(isApprover(catalog, 'jsmith', 'team-alpha')).toBe(false);
  expect(isApprover(catalog, 'alice', 'team-beta')).toBe(false);
});
