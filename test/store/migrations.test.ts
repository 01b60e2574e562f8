import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createDb, createPool } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { migrations } from '../../src/store/migrations/index.js';
import { storeCluster } from '../harness/store.js';

async function emptyDb(name: string) {
  const c = await storeCluster();
  await c.createDatabase(name);
  return { c, url: c.secretUrl(name) };
}

describe('migrations', () => {
  it('apply every migration to an empty store, in order, and create the instance row', async () => {
    const { url } = await emptyDb('mig_empty');
    const db = createDb(createPool(url));
    try {
      const applied = await migrateToLatest(db);
      expect(applied).toEqual(Object.keys(migrations).sort());
      const rows = await db.selectFrom('lifeboat_instance').selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await db.destroy();
    }
  });

  it('are a no-op on an already-migrated store and keep its data', async () => {
    const { url } = await emptyDb('mig_twice');
    const db = createDb(createPool(url));
    try {
      await migrateToLatest(db);
      const before = await db.selectFrom('lifeboat_instance').select('id').executeTakeFirstOrThrow();
      expect(await migrateToLatest(db)).toEqual([]);
      const after = await db.selectFrom('lifeboat_instance').select('id').execute();
      expect(after).toEqual([before]);
    } finally {
      await db.destroy();
    }
  });

  it('are applied exactly once when several processes start at the same moment', async () => {
    const { url } = await emptyDb('mig_race');
    const dbs = Array.from({ length: 4 }, () => createDb(createPool(url)));
    try {
      const results = await Promise.all(dbs.map((db) => migrateToLatest(db)));
      const all = results.flat();
      expect(all.sort()).toEqual(Object.keys(migrations).sort());
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from lifeboat_migration`.execute(dbs[0]!);
      expect(rows[0]!.n).toBe(Object.keys(migrations).length);
      const inst = await dbs[0]!.selectFrom('lifeboat_instance').selectAll().execute();
      expect(inst).toHaveLength(1);
    } finally {
      await Promise.all(dbs.map((db) => db.destroy()));
    }
  });
});
