// Throwaway PostgreSQL clusters for tests: a copy of the template data directory, started on a
// free port, always stopped after the test file (per-file.ts) — the leak guard checks it.
import { appendFileSync, chmodSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { clusterUrl, startCluster, stopCluster } from '../../src/engines/postgres/local-cluster.js';
import { run } from '../../src/lib/process.js';
import { Secret } from '../../src/lib/secret.js';
import { PASSWORD, SUPERUSER, TEMPLATE_DIR } from './paths.js';

export interface TestCluster {
  name: string;
  dataDir: string;
  port: number;
  /** postgres:// URL of a database on this cluster (superuser). */
  url(database?: string): string;
  secretUrl(database?: string): Secret;
  /** Runs one statement on a database and returns its rows. */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    database: string,
    text: string,
    values?: unknown[],
  ): Promise<T[]>;
  createDatabase(name: string, template?: string): Promise<void>;
  stop(): Promise<void>;
  /** Starts it again (after stop), on a new port. */
  restart(): Promise<void>;
}

const live = new Set<TestCluster>();

export function harnessRoot(): string {
  return inject('harnessRoot');
}

/**
 * `settings`: more postgresql.conf lines (WAL archiving for pgBackRest, a Unix socket directory …),
 * written before the first start.
 */
export async function startTestCluster(name = 'pg', opts: { settings?: string[] } = {}): Promise<TestCluster> {
  const root = harnessRoot();
  const parent = mkdtempSync(join(root, `${name}-`));
  chmodSync(parent, 0o755);
  const dataDir = join(parent, 'data');
  // cp -a keeps the postgres ownership and the 0700 mode PostgreSQL insists on
  const cp = await run('cp', ['-a', join(root, TEMPLATE_DIR), dataDir]);
  if (cp.code !== 0) throw new Error(`cannot copy the template cluster: ${cp.stderr}`);
  if (opts.settings?.length) appendFileSync(join(dataDir, 'postgresql.conf'), `\n${opts.settings.join('\n')}\n`);
  const c: TestCluster = {
    name,
    dataDir,
    port: await startCluster(dataDir),
    url: (database = 'postgres') => clusterUrl({ superuser: SUPERUSER, password: PASSWORD, port: c.port }, database),
    secretUrl: (database = 'postgres') => new Secret(c.url(database), `test:${name}`),
    async query(database, text, values) {
      const client = new pg.Client({ connectionString: c.url(database) });
      await client.connect();
      try {
        return (await client.query(text, values as unknown[])).rows;
      } finally {
        await client.end();
      }
    },
    async createDatabase(db, template) {
      await c.query(
        'postgres',
        `create database ${pg.escapeIdentifier(db)}${template ? ` template ${pg.escapeIdentifier(template)}` : ''}`,
      );
    },
    async stop() {
      await stopCluster(dataDir, 'immediate');
      live.delete(c);
    },
    async restart() {
      c.port = await startCluster(dataDir);
      live.add(c);
    },
  };
  live.add(c);
  return c;
}

/** Stops every cluster this test file started (per-file.ts calls it in afterAll). */
export async function stopAllClusters(): Promise<void> {
  for (const c of [...live]) await c.stop();
}
