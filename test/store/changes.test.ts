// The store's change feed against a real store: a committed change to a backup or a restore run
// wakes whoever waits for that row (and nobody else); a rolled-back one wakes nobody; a lost
// listening connection wakes every waiter and listener (so that they read their row, poll their
// queue) and is re-established. Queue notifications: test/worker/wakeups.test.ts.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { type ChangeFeed, listenForChanges, pollingFeed } from '../../src/store/changes.js';
import { freshStore, type TestStore } from '../harness/store.js';

/** Far beyond the test's own timeout: a wait that returns did so because it was woken. */
const NEVER = 600_000;

let store: TestStore;
let feed: ChangeFeed;

beforeEach(async () => {
  store = await freshStore();
  feed = await listenForChanges(store.url, silentLogger());
});

afterEach(async () => {
  await feed.close();
  await store.close();
});

/** Inserts a backup row and waits for its own notification (so that it cannot wake a later waiter). */
async function insertBackup(id: string): Promise<void> {
  const delivered = feed.next(`backup:${id}`, NEVER);
  await store.db
    .insertInto('backups')
    .values({
      id,
      database: 'CustomerDB',
      server: 'prod-pg01',
      storage: 'local',
      status: 'queued',
      trigger: 'manual',
      requested_by: 'alice',
    })
    .execute();
  await delivered;
}

/** The feed's listening connections, as the store sees them (`idle`: its LISTEN has committed). */
async function listeners(): Promise<{ pid: number; state: string }[]> {
  const r = await sql<{ pid: number; state: string }>`select pid, state from pg_stat_activity
    where application_name = 'lifeboat-changes' and datname = current_database()
      and query ilike 'listen%'`.execute(store.db);
  return r.rows;
}

/** Whether `p` has settled, after the event loop has had a turn. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('the change feed', () => {
  it('wakes a waiter when its backup is inserted and when it is updated', async () => {
    await insertBackup('b1'); // returns once the insert's notification has woken its waiter
    const updated = feed.next('backup:b1', NEVER);
    await store.db.updateTable('backups').set({ status: 'running' }).where('id', '=', 'b1').execute();
    await updated;
  });

  it("wakes only the changed row's waiters", async () => {
    await insertBackup('b1');
    await insertBackup('b2');
    const other = feed.next('backup:b1', NEVER);
    const changed = feed.next('backup:b2', NEVER);
    await store.db.updateTable('backups').set({ status: 'running' }).where('id', '=', 'b2').execute();
    await changed; // b2's notification has been delivered …
    expect(await settled(other)).toBe(false); // … and b1's waiter still waits
    await store.db.updateTable('backups').set({ status: 'running' }).where('id', '=', 'b1').execute();
    await other;
  });

  it('wakes nobody for a change that was rolled back, and is delivered at commit', async () => {
    await insertBackup('b1');
    const waiting = feed.next('backup:b1', NEVER);
    await expect(
      store.db.transaction().execute(async (trx) => {
        await trx.updateTable('backups').set({ status: 'running' }).where('id', '=', 'b1').execute();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // a committed change to another row, delivered after the rolled-back one would have been
    await insertBackup('b2');
    expect(await settled(waiting)).toBe(false);

    const committing = store.db.transaction().execute(async (trx) => {
      await trx.updateTable('backups').set({ status: 'running' }).where('id', '=', 'b1').execute();
      // a change committed meanwhile on another connection is delivered; b1's is not, yet
      await insertBackup('b3');
      expect(await settled(waiting)).toBe(false); // not before the transaction commits
    });
    await committing;
    await waiting;
  });

  it('wakes the waiters of a restore run', async () => {
    const rows = await sql<{ id: number }>`
      insert into restore_runs (database, owner_team, source_server, destination_server,
        destination_dbname, destination_tier, identifier, status, requested_by)
      values ('CustomerDB', 'team-alpha', 'prod-pg01', 'dev-pg01', 'customers_dev', 'development',
        'dev-pg01/customers_dev', 'previewed', 'jsmith')
      returning id`.execute(store.db);
    const id = rows.rows[0]!.id;
    const waiting = feed.next(`run:${id}`, NEVER);
    await sql`update restore_runs set phase = 'verify' where id = ${id}`.execute(store.db);
    await waiting;
  });

  it('times out when nothing changes', async () => {
    await feed.next('backup:nothing', 20);
  });

  it('wakes every waiter when its connection is lost, and listens again', async () => {
    await insertBackup('b1');
    const lostPid = (await listeners())[0]!.pid;
    const waiting = feed.next('backup:b1', NEVER);
    let told = 0;
    const off = feed.on('queue:restore.run', () => told++);
    // waits (up to 10 s) until the backend is gone, so that it is not mistaken for the new one
    await sql`select pg_terminate_backend(${lostPid}::int, 10000)`.execute(store.db);
    await waiting; // woken by the loss: the waiter reads its row instead of trusting the feed
    expect(told).toBe(1); // and so is a listener (a worker polls its queue)

    // a change while nobody listens (the feed reconnects after a second) is never notified: its
    // waiter is woken once the feed listens again, to read its row
    const inTheGap = feed.next('backup:b1', NEVER);
    await store.db.updateTable('backups').set({ status: 'running' }).where('id', '=', 'b1').execute();
    await inTheGap;

    const deadline = Date.now() + 30_000;
    while ((await listeners()).filter((l) => l.pid !== lostPid && l.state === 'idle').length !== 1) {
      if (Date.now() > deadline) throw new Error('the change feed did not reconnect');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(told).toBe(2); // told again once listening anew
    off();
    const again = feed.next('backup:b1', NEVER);
    await store.db.updateTable('backups').set({ status: 'verified' }).where('id', '=', 'b1').execute();
    await again;
  });

  it('wakes its waiters when closed', async () => {
    const waiting = feed.next('backup:b1', NEVER);
    await feed.close();
    await waiting;
  });
});

describe('the polling feed (no listener)', () => {
  it('waits at most its interval', async () => {
    await pollingFeed(10).next('backup:b1', NEVER);
  });
});
