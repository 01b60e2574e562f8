// Connection settings for PostgreSQL's command-line tools and for the pg client, read from a
// server's URL in one place so that both reach the same server the same way. The URL (with its
// password) goes into the child's environment, never onto its command line, where `ps` would
// show it to everyone.
import type pg from 'pg';
import type { Secret } from '../../lib/secret.js';

export function libpqEnv(url: Secret, database?: string): NodeJS.ProcessEnv {
  const u = new URL(url.reveal());
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    // ?host= names a socket directory; a bracketed IPv6 address is passed without its brackets
    PGHOST: u.searchParams.get('host') ?? (decodeURIComponent(u.hostname.replace(/^\[(.*)\]$/, '$1')) || '127.0.0.1'),
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGDATABASE: database ?? decodeURIComponent(u.pathname.replace(/^\//, '')),
    PGAPPNAME: 'lifeboat',
    PGCONNECT_TIMEOUT: '10',
  };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const ssl = u.searchParams.get('sslmode');
  if (ssl) env.PGSSLMODE = ssl;
  return env;
}

/**
 * The pg client's settings for `database` on the server at `url`. The database name is passed
 * as it is, never inside a URL: pg decodes a URL's path with decodeURI, which leaves %2F, %3F,
 * %23, %40… encoded (so "a?b" asks for a database "a%3Fb"), and a path of ".." resolves to no
 * database at all, which pg then reads as the user's own.
 */
export function clientConfig(url: Secret, database: string, applicationName: string): pg.ClientConfig {
  const env = libpqEnv(url, database);
  return {
    host: env.PGHOST,
    port: Number(env.PGPORT),
    user: env.PGUSER,
    password: env.PGPASSWORD,
    database,
    application_name: applicationName,
    ...sslOf(env.PGSSLMODE),
  };
}

/** sslmode as pg reads it from a URL (pg verifies the certificate for every mode but no-verify). */
function sslOf(mode: string | undefined): Pick<pg.ClientConfig, 'ssl'> {
  if (mode === undefined) return {}; // pg's default: PGSSLMODE, if the environment sets it
  if (mode === 'disable') return { ssl: false };
  if (mode === 'no-verify') return { ssl: { rejectUnauthorized: false } };
  return { ssl: {} };
}

/** The same server URL pointing at another database (for scripts, which read it with libpq). */
export function withDatabase(url: Secret, database: string): string {
  const u = new URL(url.reveal());
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}
