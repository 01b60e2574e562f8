// Runs once per test run: builds a template PostgreSQL data directory holding a migrated
// control-plane database (with the pg-boss schema) and the seeded fixture CustomerDB, so each
// test file gets a ready cluster by copying a directory (≈0.4 s) instead of initdb (≈1.4 s).
// At the end it is the leak guard: any process still running from the harness directory fails
// the run, and the directory is removed.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { TestProject } from 'vitest/node';
import { seedCustomerDb } from '../../src/demo/fake-people.js';
import { clusterUrl, initCluster, startCluster, stopCluster } from '../../src/engines/postgres/local-cluster.js';
import { Secret } from '../../src/lib/secret.js';
import { createDb, createPool } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import {
  CUSTOMER_TEMPLATE_DB,
  FIXTURE_CUSTOMERS,
  HARNESS_ROOT_ENV,
  PASSWORD,
  STORE_TEMPLATE_DB,
  SUPERUSER,
  TEMPLATE_DIR,
} from './paths.js';

let root: string;

export async function setup(project: TestProject): Promise<void> {
  root = mkdtempSync(join(tmpdir(), 'lifeboat-test-'));
  // the postgres OS user must be able to enter it (mkdtemp makes it 0700)
  chmodSync(root, 0o755);
  process.env[HARNESS_ROOT_ENV] = root;
  project.provide('harnessRoot', root);

  const dataDir = join(root, TEMPLATE_DIR);
  await initCluster({ dataDir, superuser: SUPERUSER, password: PASSWORD, durable: false });
  const port = await startCluster(dataDir);
  try {
    const admin = new pg.Client({
      connectionString: clusterUrl({ superuser: SUPERUSER, password: PASSWORD, port }),
    });
    await admin.connect();
    await admin.query(`create database ${STORE_TEMPLATE_DB}`);
    await admin.query(`create database ${CUSTOMER_TEMPLATE_DB}`);
    await admin.end();

    const storeUrl = new Secret(clusterUrl({ superuser: SUPERUSER, password: PASSWORD, port }, STORE_TEMPLATE_DB));
    const db = createDb(createPool(storeUrl));
    await migrateToLatest(db);
    await db.destroy();
    const boss = new PgBoss({
      connectionString: storeUrl.reveal(),
      schema: 'pgboss',
      supervise: false,
      schedule: false,
    });
    await boss.start();
    await boss.stop({ graceful: false, wait: true });

    const cust = new pg.Client({
      connectionString: clusterUrl({ superuser: SUPERUSER, password: PASSWORD, port }, CUSTOMER_TEMPLATE_DB),
    });
    await cust.connect();
    await seedCustomerDb(cust, FIXTURE_CUSTOMERS);
    await cust.end();
  } finally {
    await stopCluster(dataDir);
  }
}

export async function teardown(): Promise<void> {
  const leaks = processesUnder(root);
  for (const l of leaks) {
    try {
      process.kill(l.pid, 'SIGKILL');
    } catch {}
  }
  rmSync(root, { recursive: true, force: true });
  if (leaks.length) {
    throw new Error(
      `leak guard: ${leaks.length} process(es) outlived the tests:\n${leaks.map((l) => `  ${l.pid} ${l.cmd}`).join('\n')}`,
    );
  }
}

/** Processes whose command line mentions the harness directory (postmasters, children we spawned). */
export function processesUnder(dir: string): Array<{ pid: number; cmd: string }> {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.includes(dir))
    .map((l) => ({ pid: Number(l.split(/\s+/, 1)[0]), cmd: l.slice(l.indexOf(' ') + 1) }))
    .filter((p) => p.pid !== process.pid);
}

declare module 'vitest' {
  export interface ProvidedContext {
    harnessRoot: string;
  }
}
