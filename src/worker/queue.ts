// The job queue: pg-boss on the control-plane store, so N workers on N machines need nothing
// else. Job names are declared once here; a job is enqueued in the same transaction as the state
// change that asks for it (STYLE.md §8) through `enqueueIn`.
import { CompiledQuery, type Transaction } from 'kysely';
import PgBoss from 'pg-boss';
import type { Secret } from '../lib/secret.js';
import type { Database } from '../store/schema.js';

/** Every queue Lifeboat uses. Adding one here creates it at start. */
export const QUEUES = ['lifeboat.heartbeat'] as const;
export type QueueName = (typeof QUEUES)[number] | `${string}.${string}`;

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
    supervise: true,
    max: 4,
  });
  boss.on('error', () => {
    // pg-boss reports transient connection errors here; the supervisor retries. Logged by caller.
  });
  await boss.start();
  for (const name of QUEUES) await ensureQueue(boss, name);
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

/** Enqueues a job inside a Kysely transaction, so the job exists if and only if the change commits. */
export function enqueueIn(
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
  return boss.send(name, data, { ...options, db });
}
