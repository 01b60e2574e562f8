// Job wake-ups across processes, against a real store: a job enqueued to run now notifies
// `queue:<name>` on the change feed when its transaction commits (never before, never for a
// rollback, never for a job that is to start later), and a worker given the feed polls that
// queue at once when it hears it. How fast that picks a run up is measured by bench/pickup.mjs.
import type PgBoss from 'pg-boss';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { type ChangeFeed, type ChangeKey, listenForChanges } from '../../src/store/changes.js';
import { enqueueIn, ensureQueue, startQueue } from '../../src/worker/queue.js';
import { startWorker } from '../../src/worker/worker.js';
import { freshStore, type TestStore } from '../harness/store.js';

/** Far beyond the test's own timeout: a wait that returns did so because it was woken. */
const NEVER = 600_000;

let store: TestStore;
let feed: ChangeFeed;
let queue: PgBoss;

beforeEach(async () => {
  store = await freshStore();
  feed = await listenForChanges(store.url, silentLogger());
  queue = await startQueue({ url: store.url, schedule: false });
  queue.on('error', () => {});
  for (const q of ['test.now', 'test.later', 'test.marker']) await ensureQueue(queue, q);
});

afterEach(async () => {
  await queue.stop({ graceful: false, wait: true });
  await feed.close();
  await store.close();
});

/** The keys the feed delivers, in order, from now on. */
function heard(keys: ChangeKey[]): string[] {
  const got: string[] = [];
  for (const k of keys) feed.on(k, () => got.push(k));
  return got;
}

describe('enqueueIn', () => {
  it('notifies queue:<name> when the transaction commits, and not before', async () => {
    const got = heard(['queue:test.now']);
    const delivered = feed.next('queue:test.now', NEVER);
    await store.db.transaction().execute(async (trx) => {
      await enqueueIn(trx, queue, 'test.now', { n: 1 });
      // the notification waits for the commit: a round trip to the store and a turn of the event loop bring nothing
      await store.db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
      await new Promise((r) => setImmediate(r));
      expect(got).toEqual([]);
    });
    await delivered;
    expect(got).toEqual(['queue:test.now']);
  });

  it('does not notify for a job that starts later, nor for a rolled-back one', async () => {
    const got = heard(['queue:test.now', 'queue:test.later', 'queue:test.marker']);
    await store.db.transaction().execute(async (trx) => {
      await enqueueIn(trx, queue, 'test.later', { n: 1 }, { startAfter: 60 });
    });
    await store.db
      .transaction()
      .execute(async (trx) => {
        await enqueueIn(trx, queue, 'test.now', { n: 2 });
        throw new Error('rolled back');
      })
      .catch(() => {});
    // notifications arrive in commit order: once the marker's is here, nothing else came before it
    const marker = feed.next('queue:test.marker', NEVER);
    await store.db.transaction().execute((trx) => enqueueIn(trx, queue, 'test.marker', {}));
    await marker;
    expect(got).toEqual(['queue:test.marker']);
  });
});

describe('a worker given the change feed', () => {
  it('polls a queue as soon as the feed says a job was enqueued in it, until it stops', async () => {
    const notify = vi.spyOn(queue, 'notifyWorker');
    const worker = await startWorker({
      db: store.db,
      queue,
      logger: silentLogger(),
      labels: [],
      handlers: { 'test.now': async () => {} },
      wakeups: feed,
    });
    try {
      const done = feed.next('queue:test.now', NEVER);
      await store.db.transaction().execute((trx) => enqueueIn(trx, queue, 'test.now', {}));
      await done;
      // the worker's own listener ran before or with this waiter: both hear the same notification
      expect(notify).toHaveBeenCalledTimes(1);
      const [wid] = notify.mock.calls[0]!;
      expect(typeof wid).toBe('string');
    } finally {
      await worker.stop(1000);
    }
    // stopped: it no longer listens
    const after = feed.next('queue:test.now', NEVER);
    await store.db.transaction().execute((trx) => enqueueIn(trx, queue, 'test.now', {}));
    await after;
    expect(notify).toHaveBeenCalledTimes(1);
  });
});
