// A whole Lifeboat in the test process: a fresh control-plane store, the pg-boss queue, the API
// listening on a free port and a worker, on a given lifeboat.yaml. CLI tests point --url at it.
import { mkdtempSync, chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type PgBoss from 'pg-boss';
import { afterAll } from 'vitest';
import { issueToken } from '../../src/access/tokens.js';
import { syncBackupSchedules } from '../../src/backup/service.js';
import { LiveCatalog, readingCatalog } from '../../src/catalog/live.js';
import type { Catalog } from '../../src/catalog/types.js';
import { buildApp, type App } from '../../src/http/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { jobHandlers } from '../../src/runtime/jobs.js';
import { listenForChanges } from '../../src/store/changes.js';
import { startReaper } from '../../src/restore/reaper-loop.js';
import { startQueue } from '../../src/worker/queue.js';
import { type RunningWorker, startWorker } from '../../src/worker/worker.js';
import { type Dispatcher, type DispatcherOptions, startDispatcher } from '../../src/notify/dispatcher.js';
import { harnessRoot } from './cluster.js';
import { freshStore, type TestStore } from './store.js';

export interface TestLifeboat {
  dir: string;
  configFile: string;
  /** The configuration in force (read it again after a reload). */
  readonly catalog: Catalog;
  config: LiveCatalog;
  store: TestStore;
  queue: PgBoss;
  app: App;
  url: string;
  worker: RunningWorker | undefined;
  /** The notification dispatcher, when started with `dispatcher`. */
  dispatcher: Dispatcher | undefined;
  env: Record<string, string>;
  /** A token for a configured user. */
  token(user: string): Promise<string>;
  /** Env for running the CLI against this Lifeboat as `user`. */
  cliEnv(user: string): Promise<Record<string, string>>;
  /** One API call over HTTP as `user` (a new token), a JSON body when given: its status and JSON answer. */
  api<T = Record<string, unknown>>(
    user: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

const running = new Set<TestLifeboat>();
afterAll(async () => {
  for (const l of [...running]) await l.stop();
});

export async function startTestLifeboat(
  configText: string,
  env: Record<string, string>,
  opts: { worker?: boolean; staleAfterMs?: number; uiDir?: string; dispatcher?: DispatcherOptions } = {},
): Promise<TestLifeboat> {
  const dir = mkdtempSync(join(harnessRoot(), 'lb-'));
  chmodSync(dir, 0o755);
  const configFile = join(dir, 'lifeboat.yaml');
  writeFileSync(configFile, configText);
  const config = LiveCatalog.load(configFile, env);
  const store = await freshStore();
  const queue = await startQueue({ url: store.url });
  queue.on('error', () => {});
  await syncBackupSchedules(queue, config.current);
  config.onReload((catalog) => syncBackupSchedules(queue, catalog));
  const logger = silentLogger();
  const changes = await listenForChanges(store.url, logger);
  const app = await buildApp(
    readingCatalog(
      {
        db: store.db,
        queue,
        config,
        startedAt: new Date(),
        publicUrl: 'http://127.0.0.1',
        changes,
        logger,
        uiDir: opts.uiDir,
      },
      config,
    ),
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const worker =
    opts.worker === false
      ? undefined
      : await startWorker({
          db: store.db,
          queue,
          logger,
          labels: [],
          handlers: jobHandlers(readingCatalog({ db: store.db, queue, logger }, config)),
          heartbeatMs: 500,
          wakeups: changes,
        });
  const stopReaper =
    opts.worker === false
      ? () => {}
      : startReaper(readingCatalog({ db: store.db, logger }, config), opts.staleAfterMs ?? 3_000);
  const dispatcher =
    opts.dispatcher === undefined
      ? undefined
      : startDispatcher(
          readingCatalog({ db: store.db, logger, changes, defaultPublicUrl: url }, config),
          opts.dispatcher,
        );
  const lb: TestLifeboat = readingCatalog<Omit<TestLifeboat, 'catalog'>>(
    {
      dir,
      configFile,
      config,
      store,
      queue,
      app,
      url,
      worker,
      dispatcher,
      env,
      token: async (user) => (await issueToken(store.db, { user, actor: 'test' })).token,
      cliEnv: async (user) => ({
        ...env,
        LIFEBOAT_URL: url,
        LIFEBOAT_TOKEN: await lb.token(user),
        LIFEBOAT_CONFIG: configFile,
        LIFEBOAT_DATABASE_URL: store.url.reveal(),
      }),
      async api<T>(user: string, method: string, path: string, body?: unknown) {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${await lb.token(user)}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, body: (await res.json()) as T };
      },
      async stop() {
        running.delete(lb);
        stopReaper();
        await dispatcher?.stop();
        await worker?.stop(5_000);
        await queue.stop({ graceful: true, wait: true, timeout: 10_000 });
        await app.close();
        await changes.close();
        await store.close();
      },
    },
    config,
  );
  running.add(lb);
  return lb;
}
