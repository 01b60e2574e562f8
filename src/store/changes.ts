// The store's change feed: a backup or a restore run that changes (any process, any machine)
// sends a PostgreSQL notification from a trigger (migration 0005), delivered when its
// transaction commits. Whoever waits for a row — a `--wait`, a `--watch`, a progress stream — is
// woken at once instead of polling the row. A job enqueued to run now notifies `queue:<name>`
// on the same channel (src/worker/queue.ts), so that workers in every process poll at once.
// A notification can be lost while the listening connection reconnects, so every waiter and
// listener is woken when it is lost and again once it listens anew (to read its row, to poll),
// and every wait has a deadline after which the waiter reads the row anyway.
import pg from 'pg';
import type { Logger } from '../lib/logger.js';
import type { Secret } from '../lib/secret.js';
import { Waiters } from '../lib/waiters.js';

export const CHANGES_CHANNEL = 'lifeboat_changes';

/**
 * A key in the feed: a row, as the trigger writes it (`backup:<id>`, `run:<id>`), a queue that
 * was given a job to run now (`queue:<name>`), or new outbox work (`outbox:new`, migration 0010).
 */
export type ChangeKey = `backup:${string}` | `run:${string}` | `queue:${string}` | `outbox:${string}`;

export interface ChangeFeed {
  /** Resolves when `key`'s row may have changed, or after `ms` at the latest. Never rejects. */
  next(key: ChangeKey, ms: number): Promise<void>;
  /**
   * Calls `listener` at every notification of `key`, and whenever one may have been missed (the
   * connection lost, listening again), until the returned function is called.
   */
  on(key: ChangeKey, listener: () => void): () => void;
  close(): Promise<void>;
}

/** A feed without a listener: every wait is a poll interval (at most `intervalMs`). */
export function pollingFeed(intervalMs: number): ChangeFeed {
  return {
    next: (_key, ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, intervalMs))),
    // nothing to hear: whoever listens polls on its own
    on: () => () => {},
    close: async () => {},
  };
}

/**
 * Listens on the store's change channel with a connection of its own, reconnecting after a second
 * when it is lost. Waiters are woken when it is lost and again when it listens anew, so that they
 * read their row rather than wait for a notification sent while nobody listened.
 */
export async function listenForChanges(url: Secret, logger: Logger): Promise<ChangeFeed> {
  const waiters = new Waiters();
  const listeners = new Map<string, Set<() => void>>();
  const tell = (key: string) => {
    for (const l of [...(listeners.get(key) ?? [])]) l();
  };
  const wakeEveryone = () => {
    waiters.wakeAll();
    for (const key of [...listeners.keys()]) tell(key);
  };
  let client: pg.Client | undefined;
  let listening = false; // once the first connection listened, a lost one is reconnected
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url.reveal(), application_name: 'lifeboat-changes' });
    const lost = (err?: Error) => {
      if (client !== c) return;
      client = undefined;
      c.end().catch(() => {});
      wakeEveryone();
      if (closed || !listening) return;
      logger.warn({ err: err?.message }, 'store change feed lost; reconnecting in 1 s');
      retry = setTimeout(() => void connect().catch(() => {}), 1000);
      retry.unref();
    };
    c.on('notification', (n) => {
      if (n.channel !== CHANGES_CHANNEL || !n.payload) return;
      waiters.wake(n.payload);
      tell(n.payload);
    });
    c.on('error', (err) => lost(err));
    c.on('end', () => lost());
    client = c;
    try {
      await c.connect();
      await c.query(`listen ${CHANGES_CHANNEL}`);
      if (client !== c) {
        await c.end(); // closed meanwhile
      } else if (listening) {
        wakeEveryone(); // listening again: whatever changed while nobody listened is read now
      } else {
        listening = true;
      }
    } catch (err) {
      lost(err as Error);
      throw err;
    }
  };

  await connect();
  return {
    next: (key, ms) => waiters.wait(key, ms),
    on(key, listener) {
      const set = listeners.get(key) ?? new Set();
      listeners.set(key, set);
      set.add(listener);
      return () => {
        set.delete(listener);
        if (!set.size && listeners.get(key) === set) listeners.delete(key);
      };
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      waiters.wakeAll();
      await c?.end().catch(() => {});
    },
  };
}
