// Applies the versioned migrations. Kysely's migrator takes a PostgreSQL advisory lock, so two
// processes starting at once apply each migration exactly once; an up-to-date store is a no-op.
import { Migrator, sql } from 'kysely';
import { LifeboatError } from '../errors.js';
import type { Db } from './db.js';
import { migrations } from './migrations/index.js';

export const STORE_VERSION = '0.1.0';

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'lifeboat_migration',
    migrationLockTableName: 'lifeboat_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new LifeboatError(
      'store_unavailable',
      `unable to migrate the control-plane store${failed ? ` (${failed.migrationName})` : ''}: ${error instanceof Error ? error.message : String(error)}`,
      {
        hint: 'check that the store role may create tables; the failed migration was rolled back',
        cause: error,
      },
    );
  }
  // The instance row is created once; a concurrent start loses the race harmlessly.
  await sql`insert into lifeboat_instance (version) values (${STORE_VERSION}) on conflict (singleton) do nothing`.execute(
    db,
  );
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
