// Composes a running Lifeboat from its parts: config → store → queue → API → worker. `lifeboat
// start` runs all of them in one process; `server` and `worker` run one part each against a
// shared control-plane store (that is how it scales out). Shutdown runs the same list backwards.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type PgBoss from 'pg-boss';
import { LiveCatalog, readingCatalog } from '../catalog/live.js';
import { type DemoWorkspace, seedDemoIncident, startDemoWorkspace } from '../demo/workspace.js';
import { LifeboatError } from '../errors.js';
import { type App, buildApp } from '../http/app.js';
import type { Logger } from '../lib/logger.js';
import type { Secret } from '../lib/secret.js';
import { listenForChanges } from '../store/changes.js';
import { openStore, type Store } from '../store/open.js';
import { syncBackupSchedules } from '../backup/service.js';
import { startQueue } from '../worker/queue.js';
import { type RunningWorker, startWorker } from '../worker/worker.js';
import { jobHandlers, MAINTENANCE_CRON, MAINTENANCE_QUEUE, SLO_CRON, SLO_QUEUE } from './jobs.js';
import { startReaper } from '../restore/reaper-loop.js';
import { ensureQueue } from '../worker/queue.js';
import { acquireDataDirLock } from './lock.js';
import { type CheckpointWriter, checkpointWriter } from '../audit/anchor.js';
import { loadSigner, loadTrustedKey, type TrustedKey } from '../audit/signing-key.js';
import { instanceOf, reclaimPreviousProcess } from './reclaim.js';
import { startDispatcher } from '../notify/dispatcher.js';

export type RunMode = 'all' | 'server' | 'worker';

export interface RunOptions {
  mode: RunMode;
  dataDir: string;
  databaseUrl: Secret | undefined;
  /** An explicit --config / LIFEBOAT_CONFIG; otherwise ./lifeboat.yaml, otherwise the demo. */
  configFile: string | undefined;
  host: string;
  port: number;
  labels: string[];
  /** A running restore or backup whose worker has not heartbeated for this long is failed as "worker lost". */
  staleAfterMs: number;
  /**
   * Whether the worker polls a queue as soon as the store's change feed says a job was enqueued
   * (LIFEBOAT_JOB_WAKEUPS=off: polling only, every half second; bench/pickup.mjs's baseline).
   */
  jobWakeups: boolean;
  env: Record<string, string | undefined>;
  logger: Logger;
}

export interface Running {
  url: string | undefined;
  configFile: string;
  demo: boolean;
  store: Store;
  /** The configuration in force; `config.reload()` puts an edited lifeboat.yaml in force. */
  config: LiveCatalog;
  stop(): Promise<void>;
}

export async function runLifeboat(opts: RunOptions): Promise<Running> {
  const undo: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch (err) {
        opts.logger.warn({ err: String(err) }, 'shutdown step failed');
      }
    }
  };
  try {
    if (!opts.databaseUrl && opts.mode === 'all') undo.push(acquireDataDirLock(opts.dataDir));
    const { config, demo } = await resolveCatalog(opts, undo);
    for (const w of config.current.warnings)
      opts.logger.warn({ file: config.file, ...w }, 'config key not acted on yet');
    // every part reads the configuration in force when it uses it (a reload swaps it)
    const live = <T extends object>(deps: T) => readingCatalog(deps, config);
    // the audit signing key lives outside the store; `start` and `server` create it on first start
    const signer = loadSigner(config.current.audit, opts.dataDir, { create: opts.mode !== 'worker' });
    const auditKey: TrustedKey | undefined = signer ?? loadTrustedKey(config.current.audit, opts.dataDir);
    if (!signer) {
      opts.logger.warn(
        { dataDir: opts.dataDir },
        'no audit signing key (audit.signing_key, or audit-signing.key in the data directory): this worker writes no audit checkpoints after backups',
      );
    }
    const store = await openStore({
      databaseUrl: opts.databaseUrl,
      dataDir: opts.dataDir,
      applicationName: `lifeboat-${opts.mode}`,
    });
    // `start` owns the embedded cluster even when it adopted one left running by a killed process
    undo.push(async () => {
      await store.close({ stopEmbedded: false });
      if (store.embedded && opts.mode === 'all') await store.embedded.stop();
      else if (store.embedded?.startedHere) await store.embedded.stop();
    });
    // the demo's practice incident, declared once (the Incidents page is not empty on a first visit)
    if (demo && opts.mode === 'all') await seedDemoIncident(store.db, config.current);
    const queue: PgBoss = await startQueue({ url: store.url });
    queue.on('error', (err) => opts.logger.warn({ err: err.message }, 'queue error'));
    undo.push(() => queue.stop({ graceful: true, wait: true, timeout: 35_000 }));
    const checkpoints: CheckpointWriter | undefined = signer
      ? checkpointWriter(live({ db: store.db, signer, logger: opts.logger }))
      : undefined;
    if (checkpoints && opts.mode !== 'worker') {
      const stopTimer = checkpoints.every(config.current.audit.checkpointEvery.ms);
      // runs after the API and the worker have stopped (undo runs backwards): the last events are in
      undo.push(async () => {
        await stopTimer();
        await checkpoints.write('shutdown');
      });
    }
    // the scheduler's cron entries follow lifeboat.yaml at every start of a server
    if (opts.mode !== 'worker') {
      await syncBackupSchedules(queue, config.current);
      config.onReload((catalog) => syncBackupSchedules(queue, catalog));
      await ensureQueue(queue, MAINTENANCE_QUEUE);
      await queue.schedule(MAINTENANCE_QUEUE, MAINTENANCE_CRON, {}, { tz: 'UTC' });
      await ensureQueue(queue, SLO_QUEUE);
      await queue.schedule(SLO_QUEUE, SLO_CRON, {}, { tz: 'UTC' });
    }

    // the API wakes this process's worker when it enqueues (set once the worker runs)
    let wakeWorker: (queue: string) => void = () => {};
    let app: App | undefined;
    let url: string | undefined;
    // the API's waits and progress streams, and the worker's wake-ups, listen on one connection
    const changes = await listenForChanges(store.url, opts.logger);
    undo.push(() => changes.close());
    if (opts.mode !== 'worker') {
      app = await buildApp(
        live({
          db: store.db,
          queue,
          config,
          startedAt: new Date(),
          publicUrl: `http://${opts.host}:${opts.port}`,
          wake: (q: string) => wakeWorker(q),
          changes,
          logger: opts.logger,
          auditKey,
        }),
      );
      url = await app.listen({ host: opts.host, port: opts.port }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') {
          throw new LifeboatError('conflict', `unable to listen on ${opts.host}:${opts.port}: the port is in use`, {
            hint: 'stop the other process or choose another port with --port',
          });
        }
        throw err;
      });
      const started = app;
      undo.push(() => started.close());
    }
    if (opts.mode !== 'server') {
      const jobDeps = live({ db: store.db, queue, logger: opts.logger, checkpoints });
      // `start` fails at once what its own previous process left running (reclaim.ts)
      const instance = opts.mode === 'all' ? instanceOf(opts.dataDir) : undefined;
      if (instance) await reclaimPreviousProcess(live({ db: store.db, logger: opts.logger }), instance);
      const worker: RunningWorker = await startWorker({
        db: store.db,
        queue,
        logger: opts.logger,
        labels: opts.labels,
        handlers: jobHandlers(jobDeps),
        instance,
        wakeups: opts.jobWakeups ? changes : undefined,
      });
      undo.push(() => worker.stop());
      // a database given a backup schedule by a reload gets its scheduled queue served too
      config.onReload(() => worker.serve(jobHandlers(jobDeps)));
      wakeWorker = (q) => worker.wake(q);
      const stopReaper = startReaper(live({ db: store.db, logger: opts.logger }), opts.staleAfterMs);
      undo.push(async () => stopReaper());
      // notifications are delivered by the worker processes, from the outbox (src/notify/)
      const dispatcher = startDispatcher(
        live({ db: store.db, logger: opts.logger, changes, defaultPublicUrl: `http://${opts.host}:${opts.port}` }),
        { claimer: worker.id },
      );
      undo.push(() => dispatcher.stop());
    }
    return { url, configFile: config.file, demo, store, config, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function resolveCatalog(
  opts: RunOptions,
  undo: Array<() => Promise<void>>,
): Promise<{ config: LiveCatalog; demo: boolean }> {
  const local = resolve('lifeboat.yaml');
  const file = opts.configFile ?? (existsSync(local) ? local : undefined);
  // (the demo's own file is found by creating the demo below, which also starts its clusters)
  if (file) return { config: LiveCatalog.load(file, opts.env), demo: false };
  if (opts.mode !== 'all') {
    throw new LifeboatError('config_invalid', 'no lifeboat.yaml found', {
      hint: 'pass --config <file> or set LIFEBOAT_CONFIG; only `lifeboat start` creates a demo workspace',
    });
  }
  const demo: DemoWorkspace = await startDemoWorkspace(opts.dataDir);
  undo.push(() => demo.stop());
  return { config: LiveCatalog.load(demo.configFile, opts.env), demo: true };
}
