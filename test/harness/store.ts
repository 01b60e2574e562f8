// Control-plane stores for tests: one cluster per test file, and a fresh database per test
// created from the migrated template (graphile-worker's template-database pattern).
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { Secret } from '../../src/lib/secret.js';
import { createDb, createPool, type Db } from '../../src/store/db.js';
import { startTestCluster, type TestCluster } from './cluster.js';
import { STORE_TEMPLATE_DB } from './paths.js';

let cluster: Promise<TestCluster> | undefined;
const open = new Set<TestStore>();

export interface TestStore {
  db: Db;
  pool: pg.Pool;
  url: Secret;
  database: string;
  cluster: TestCluster;
  close(): Promise<void>;
}

export function storeCluster(): Promise<TestCluster> {
  cluster ??= startTestCluster('store');
  return cluster;
}

/** A new, migrated control-plane database (empty of data) on the file's store cluster. */
export async function freshStore(): Promise<TestStore> {
  const c = await storeCluster();
  const database = `store_${randomBytes(4).toString('hex')}`;
  await c.createDatabase(database, STORE_TEMPLATE_DB);
  const url = new Secret(c.url(database), 'test-store');
  const pool = createPool(url, { max: 5 });
  const s: TestStore = {
    db: createDb(pool),
    pool,
    url,
    database,
    cluster: c,
    async close() {
      open.delete(s);
      await s.db.destroy();
    },
  };
  open.add(s);
  return s;
}

export async function stopAllStores(): Promise<void> {
  for (const s of [...open]) await s.close();
  cluster = undefined;
}
