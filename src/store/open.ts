// Opens the control-plane store: the external PostgreSQL named by LIFEBOAT_DATABASE_URL, or the
// embedded cluster in the data directory. Migrations are applied before anything else uses it.
import type pg from 'pg';
import type { Secret } from '../lib/secret.js';
import { createDb, createPool, type Db } from './db.js';
import { type EmbeddedStore, openEmbeddedStore } from './embedded.js';
import { migrateToLatest } from './migrate.js';

export interface Store {
  db: Db;
  pool: pg.Pool;
  url: Secret;
  embedded: EmbeddedStore | undefined;
  /** Closes the pool and, when `stopEmbedded` and this process started it, the embedded cluster. */
  close(opts?: { stopEmbedded?: boolean }): Promise<void>;
}

export interface StoreOptions {
  databaseUrl?: Secret | undefined;
  dataDir: string;
  migrate?: boolean;
  applicationName?: string;
  /**
   * Initialise the embedded store when there is none (default true). Only `start`, `server` and
   * `worker` create; every other command passes false and fails with a hint instead.
   */
  create?: boolean;
  /** Added to the hint of the failure when there is no store and `create` is false. */
  missingHint?: string;
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  const embedded = opts.databaseUrl
    ? undefined
    : await openEmbeddedStore(opts.dataDir, { create: opts.create, hint: opts.missingHint });
  const url = opts.databaseUrl ?? embedded!.url;
  const pool = createPool(url, { applicationName: opts.applicationName });
  const db = createDb(pool);
  try {
    if (opts.migrate !== false) await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    if (embedded?.startedHere) await embedded.stop();
    throw err;
  }
  return {
    db,
    pool,
    url,
    embedded,
    async close({ stopEmbedded = true } = {}) {
      await db.destroy();
      if (stopEmbedded && embedded?.startedHere) await embedded.stop();
    },
  };
}
