// A worker: registers itself with its labels, heartbeats, and runs jobs from the queues it may
// serve. Handlers get an AbortSignal that fires on shutdown after the grace period, so a long
// job (a restore) stops its child processes and cleans up instead of being cut off mid-step.
// It polls each queue every half second, and at once when the store's change feed says a job was
// enqueued to run now (`queue:<name>`, from any process): a run approved through an API server
// in another process is picked up in milliseconds, not at the next poll.

import { setMaxListeners } from 'node:events';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type PgBoss from 'pg-boss';
import type { Logger } from '../lib/logger.js';
import { redact } from '../lib/secret.js';
import type { ChangeFeed } from '../store/changes.js';
import type { Db } from '../store/db.js';
import { ensureQueue } from './queue.js';
import { sweepAbandonedScratch } from './scratch.js';

export interface JobContext {
  signal: AbortSignal;
  logger: Logger;
  workerId: string;
}

export type JobHandler = (data: unknown, ctx: JobContext & { jobId: string }) => Promise<unknown>;

export interface WorkerOptions {
  db: Db;
  queue: PgBoss;
  logger: Logger;
  labels: string[];
  handlers: Record<string, JobHandler>;
  heartbeatMs?: number;
  /** The instance (host and data directory) of a `lifeboat start`: its next start reclaims its work. */
  instance?: string;
  /** The store's change feed, to poll a queue as soon as a job is enqueued in it; without it, polling only. */
  wakeups?: Pick<ChangeFeed, 'on'>;
}

export interface RunningWorker {
  id: string;
  /** Makes the worker poll `queue` now (a job was just enqueued in this process). */
  wake(queue: string): void;
  /** Also serves the queues of `handlers` it does not serve yet (a reload added a backup schedule). */
  serve(handlers: Record<string, JobHandler>): Promise<void>;
  /**
   * Stops taking jobs and arms the abort of running ones after `graceMs`. The caller then stops
   * the queue with `wait`, which returns once the running jobs have finished or been aborted.
   */
  stop(graceMs?: number): Promise<void>;
}

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const abort = new AbortController();
  // every stream of every running job listens to it (a backup or restore streams many files at once)
  setMaxListeners(0, abort.signal);
  const now = new Date();
  await opts.db
    .insertInto('workers')
    .values({
      id,
      labels: opts.labels,
      hostname: hostname(),
      pid: process.pid,
      started_at: now,
      heartbeat_at: now,
      instance: opts.instance ?? null,
    })
    .execute();
  const beat = setInterval(() => {
    opts.db
      .updateTable('workers')
      .set({ heartbeat_at: new Date() })
      .where('id', '=', id)
      .execute()
      .catch((err) => opts.logger.warn({ err: redact(String(err)) }, 'worker heartbeat failed'));
  }, opts.heartbeatMs ?? 5000);
  beat.unref();
  // what killed workers on this machine left behind (no `finally` ran in them)
  for (const path of await sweepAbandonedScratch())
    opts.logger.info({ path }, "removed a dead worker's scratch directory");

  const workIds: string[] = [];
  const workIdOf = new Map<string, string>();
  const unlisten: Array<() => void> = [];
  let stopped = false;
  const serveQueue = async (name: string, handler: JobHandler) => {
    await ensureQueue(opts.queue, name);
    const wid = await opts.queue.work(name, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async (jobs) => {
      for (const job of jobs) {
        const log = opts.logger.child({ job: name, jobId: job.id });
        log.info('job started');
        try {
          await handler(job.data, { signal: abort.signal, logger: log, workerId: id, jobId: job.id });
          log.info('job finished');
        } catch (err) {
          log.error({ err: redact(String(err)) }, 'job failed');
          throw err;
        }
      }
    });
    workIds.push(wid);
    workIdOf.set(name, wid);
    const off = opts.wakeups?.on(`queue:${name}`, () => opts.queue.notifyWorker(wid));
    if (off) unlisten.push(off);
  };
  for (const [name, handler] of Object.entries(opts.handlers)) await serveQueue(name, handler);
  opts.logger.info({ workerId: id, labels: opts.labels, queues: Object.keys(opts.handlers) }, 'worker started');

  return {
    id,
    wake(queue) {
      const wid = workIdOf.get(queue);
      if (wid) opts.queue.notifyWorker(wid);
    },
    async serve(handlers) {
      for (const [name, handler] of Object.entries(handlers)) {
        if (!workIdOf.has(name) && !stopped) await serveQueue(name, handler);
      }
    },
    async stop(graceMs = 30_000) {
      stopped = true;
      for (const off of unlisten) off();
      for (const w of workIds) await opts.queue.offWork({ id: w }).catch(() => {});
      setTimeout(() => abort.abort(new Error('worker shutting down')), graceMs).unref();
      clearInterval(beat);
      await opts.db
        .updateTable('workers')
        .set({ stopped_at: new Date() })
        .where('id', '=', id)
        .execute()
        .catch(() => {});
    },
  };
}
