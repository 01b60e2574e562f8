// The embedded control-plane store: a private PostgreSQL cluster in `<data-dir>/pg`, created on
// first start and reused afterwards. A cluster left running by a killed `lifeboat start` is
// adopted, not duplicated; a half-initialised one (killed during initdb) is recreated.
// Only `lifeboat start`, `server` and `worker` create it: a command that merely reads the store
// opens it with `create: false` and fails with a hint when there is none (a read never creates).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import pg from 'pg';
import {
  clusterUrl,
  initCluster,
  runningPostmaster,
  startCluster,
  stopCluster,
} from '../engines/postgres/local-cluster.js';
import { LifeboatError } from '../errors.js';
import { Secret } from '../lib/secret.js';

export interface EmbeddedStore {
  dataDir: string;
  port: number;
  url: Secret;
  /** True when this process started the cluster (and so stops it on close). */
  startedHere: boolean;
  stop(): Promise<void>;
}

interface Credentials {
  superuser: string;
  password: string;
}

const STORE_DB = 'lifeboat';

function credentials(dataDir: string): Credentials {
  const file = join(dataDir, 'store.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
  const creds = { superuser: 'lifeboat', password: randomBytes(24).toString('base64url') };
  writeFileSync(file, JSON.stringify(creds), { mode: 0o600 });
  return creds;
}

export interface OpenEmbeddedOptions {
  /** Initialise the data directory and cluster when there are none (default true). */
  create?: boolean;
  /** Added to the hint when there is no store and `create` is false. */
  hint?: string;
}

/** The data directory as the user would type it: relative to the working directory when inside it. */
function shown(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? dir : `./${rel}`;
}

/** Throws `store_not_found` unless `dataDir` holds an initialised embedded store. */
export function requireEmbeddedStore(dataDir: string, hint?: string): void {
  const missing = !existsSync(dataDir)
    ? 'no such directory'
    : !existsSync(join(dataDir, 'store.json'))
      ? 'no store.json'
      : !existsSync(join(dataDir, 'pg', 'PG_VERSION'))
        ? 'no initialised cluster in pg/'
        : undefined;
  if (missing === undefined) return;
  throw new LifeboatError('store_not_found', `no Lifeboat store in ${shown(dataDir)} (${missing})`, {
    hint: `run it where \`lifeboat start\` runs, pass --data-dir DIR, or set LIFEBOAT_DATABASE_URL${hint ? `; ${hint}` : ''}`,
  });
}

export async function openEmbeddedStore(dataDirArg: string, opts: OpenEmbeddedOptions = {}): Promise<EmbeddedStore> {
  const dataDir = resolve(dataDirArg);
  if (opts.create === false) requireEmbeddedStore(dataDir, opts.hint);
  mkdirSync(dataDir, { recursive: true });
  // the postgres user must be able to enter the data directory to reach its cluster
  chmodSync(dataDir, 0o755);
  const pgData = join(dataDir, 'pg');
  const creds = credentials(dataDir);

  if (!existsSync(join(pgData, 'PG_VERSION')) || !existsSync(join(pgData, 'postgresql.conf'))) {
    rmSync(pgData, { recursive: true, force: true });
    await initCluster({ dataDir: pgData, superuser: creds.superuser, password: creds.password });
  }

  let port: number;
  let startedHere = false;
  const running = runningPostmaster(pgData);
  if (running) {
    port = running.port;
  } else {
    port = await startCluster(pgData);
    startedHere = true;
  }
  await ensureDatabase(clusterUrl({ ...creds, port }), STORE_DB);
  return {
    dataDir,
    port,
    url: new Secret(clusterUrl({ ...creds, port }, STORE_DB), `embedded:${dataDir}`),
    startedHere,
    stop: () => stopCluster(pgData, 'fast'),
  };
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  try {
    await client.connect();
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) {
      try {
        await client.query(`create database ${pg.escapeIdentifier(name)}`);
      } catch (err) {
        // another process created it first
        if ((err as { code?: string }).code !== '42P04') throw err;
      }
    }
  } catch (err) {
    throw new LifeboatError(
      'store_unavailable',
      `unable to prepare the control-plane database: ${(err as Error).message}`,
      {
        hint: 'check the server log in the data directory (pg/server.log)',
        cause: err,
      },
    );
  } finally {
    await client.end().catch(() => {});
  }
}
