// Connection settings for PostgreSQL's command-line tools. The URL (with its password) goes into
// the child's environment, never onto its command line, where `ps` would show it to everyone.
import type { Secret } from '../../lib/secret.js';

export function libpqEnv(url: Secret, database?: string): NodeJS.ProcessEnv {
  const u = new URL(url.reveal());
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    PGHOST: u.hostname || '127.0.0.1',
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

/** The same server URL pointing at another database. */
export function withDatabase(url: Secret, database: string): string {
  const u = new URL(url.reveal());
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}
