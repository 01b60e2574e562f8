// Database-level operations on a destination server: create, drop, rename, and the atomic swap
// that puts a restored copy in place of the destination. All run on the server's maintenance
// database (`postgres`), never inside the databases they change.
import pg from 'pg';
import { LifeboatError } from '../../errors.js';
import { redact, type Secret } from '../../lib/secret.js';
import { clientConfig } from './libpq.js';

const q = pg.escapeIdentifier;

export async function withClient<T>(
  url: Secret,
  database: string,
  fn: (c: pg.Client) => Promise<T>,
  opts: { connectTimeoutMs?: number } = {},
): Promise<T> {
  const client = new pg.Client({
    ...clientConfig(url, database, 'lifeboat'),
    ...(opts.connectTimeoutMs !== undefined ? { connectionTimeoutMillis: opts.connectTimeoutMs } : {}),
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    throw new LifeboatError(
      'engine_failed',
      `unable to connect to database ${database}: ${redact((err as Error).message, [url])}`,
      {
        hint: 'check the server URL, the credentials and that the server is up',
        cause: err,
      },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export const withAdmin = <T>(url: Secret, fn: (c: pg.Client) => Promise<T>, opts: { connectTimeoutMs?: number } = {}) =>
  withClient(url, 'postgres', fn, opts);

export async function databaseExists(c: pg.ClientBase, name: string): Promise<boolean> {
  return ((await c.query('select 1 from pg_database where datname = $1', [name])).rowCount ?? 0) > 0;
}

/** The size on disk (pg_database_size) of each of `names` that exists, by name. */
export async function databaseSizes(c: pg.ClientBase, names: readonly string[]): Promise<Map<string, number>> {
  const r = await c.query<{ datname: string; size: string }>(
    'select datname, pg_database_size(oid)::text as size from pg_database where datname = any($1)',
    [names],
  );
  return new Map(r.rows.map((row) => [row.datname, Number(row.size)]));
}

export async function createDatabase(c: pg.ClientBase, name: string): Promise<void> {
  await c.query(`create database ${q(name)} template template0 encoding 'UTF8'`);
}

/** Drops a database, ending its sessions first (a killed worker's pg_restore may still be connected). */
export async function dropDatabase(c: pg.ClientBase, name: string): Promise<void> {
  await c.query(`drop database if exists ${q(name)} with (force)`);
}

export async function terminateSessions(c: pg.ClientBase, name: string): Promise<number> {
  const r = await c.query(
    'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [name],
  );
  return r.rowCount ?? 0;
}

export async function setAllowConnections(c: pg.ClientBase, name: string, allow: boolean): Promise<void> {
  await c.query(`alter database ${q(name)} with allow_connections ${allow ? 'true' : 'false'}`);
}

/**
 * Puts `staging` in place of `destination`, keeping the old destination as `previous`. New
 * connections to the destination are refused first and its sessions ended, then both renames
 * commit in one transaction: the destination name points at the old or the new copy, never at
 * nothing and never at half of either. If the destination does not exist the rename creates it.
 */
export async function swapIntoPlace(
  c: pg.ClientBase,
  names: { destination: string; staging: string; previous: string },
): Promise<{ replaced: boolean; sessionsEnded: number }> {
  const replaced = await databaseExists(c, names.destination);
  let sessionsEnded = 0;
  if (replaced) await setAllowConnections(c, names.destination, false);
  try {
    for (let i = 0; i < 50; i++) {
      const ended =
        (replaced ? await terminateSessions(c, names.destination) : 0) + (await terminateSessions(c, names.staging));
      sessionsEnded += ended;
      const left = await c.query(
        'select count(*)::int as n from pg_stat_activity where datname = any($1) and pid <> pg_backend_pid()',
        [[names.destination, names.staging]],
      );
      if (left.rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await c.query('begin');
    try {
      if (replaced) await c.query(`alter database ${q(names.destination)} rename to ${q(names.previous)}`);
      await c.query(`alter database ${q(names.staging)} rename to ${q(names.destination)}`);
      await c.query('commit');
    } catch (err) {
      await c.query('rollback').catch(() => {});
      throw err;
    }
  } catch (err) {
    if (replaced) await setAllowConnections(c, names.destination, true).catch(() => {});
    throw err;
  }
  await setAllowConnections(c, names.destination, true);
  return { replaced, sessionsEnded };
}
