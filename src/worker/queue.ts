// The job queue: pg-boss on the control-plane store, so N workers on N machines need nothing
// else. Job names are declared once here; a job is enqueued in the same transaction as the state
// change that asks for it (STYLE.md §8) through `enqueueIn`.
import { CompiledQuery, type Transaction } from 'kysely';
import PgBoss from 'pg-boss';
import type { Secret } from '../lib/secret.js';
import { CHANGES_CHANNEL, type ChangeKey } from '../store/changes.js';
import type { Database } from '../store/schema.js';

/** A queue's name: `<capability>.<job>`, declared beside the capability (e.g. RESTORE_QUEUE). */
export type QueueName = `${string}.${string}`;

export interface QueueOptions {
  url: Secret;
  /** Run the cron scheduler and maintenance in this process (the server and `start` do; workers too). */
  schedule?: boolean;
}

export async function startQueue(opts: QueueOptions): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: opts.url.reveal(),
    schema: 'pgboss',
    application_name: 'lifeboat-queue',
    schedule: opts.schedule ?? true,
    // pg-boss fires a cron entry when a check finds its last occurrence under 60 s old; its default
    // check every 30 s can slip to 60 s (a check is skipped when the last one was under 30 s ago),
    // which puts a scheduled backup up to a minute late and a due one at the edge of being missed.
    // Checking every 5 s (one small UPDATE) fires it within seconds of its time. A fired entry is
    // a job on pg-boss's own send-it queue, turned into the backup job when that queue is next
    // polled: every 2 s instead of 5 (Lifeboat's own workers poll every 0.5 s).
    cronMonitorIntervalSeconds: 5,
    cronWorkerIntervalSeconds: 2,
    supervise: true,
    max: 4,
  });
  boss.on('error', () => {
    // pg-boss reports transient connection errors here; the supervisor retries. Logged by caller.
  });
  await boss.start();
  return boss;
}

export async function ensureQueue(boss: PgBoss, name: string, options: Partial<PgBoss.Queue> = {}): Promise<void> {
  const existing = await boss.getQueue(name);
  if (!existing) {
    try {
      await boss.createQueue(name, { name, ...options });
    } catch (err) {
      // two processes creating the same queue at once: the loser sees a duplicate key
      if (!/duplicate key|already exists/i.test((err as Error).message)) throw err;
    }
  }
}

/**
 * Enqueues a job inside a Kysely transaction, so the job exists if and only if the change commits.
 * A job to run now also notifies `queue:<name>` on the store's change feed when the transaction
 * commits: workers in every process (`lifeboat worker`) listen there and poll at once, instead of
 * at their next polling interval. A job with `startAfter` is found by that polling when it is due.
 */
export async function enqueueIn(
  trx: Transaction<Database>,
  boss: PgBoss,
  name: string,
  data: object,
  options: PgBoss.SendOptions = {},
): Promise<string | null> {
  const db: PgBoss.Db = {
    async executeSql(text: string, values: unknown[]) {
      const r = await trx.executeQuery(CompiledQuery.raw(text, values));
      return { rows: r.rows } as { rows: unknown[] } & Record<string, unknown>;
    },
  } as PgBoss.Db;
  const id = await boss.send(name, data, { ...options, db });
  if (options.startAfter === undefined) await notifyQueue(trx, name);
  return id;
}

/** `queue:<name>` on the change feed, delivered when `trx` commits (src/store/changes.ts). */
async function notifyQueue(trx: Transaction<Database>, name: string): Promise<void> {
  const key: ChangeKey = `queue:${name}`;
  await trx.executeQuery(CompiledQuery.raw('select pg_notify($1, $2)', [CHANGES_CHANNEL, key]));
}
