// The connection to the control-plane store: a node-postgres pool behind Kysely.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Secret } from '../lib/secret.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

// int8 (counts, sizes, bytes) as numbers: every value we store fits in 2^53.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

export function createPool(url: Secret, opts: { max?: number; applicationName?: string } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url.reveal(),
    max: opts.max ?? 10,
    types,
    application_name: opts.applicationName ?? 'lifeboat',
    connectionTimeoutMillis: 10_000,
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

export function createDb(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
