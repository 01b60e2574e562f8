// The one writer of a run's status (src/restore/run-state.ts), on a real store: a transition locks
// the row, decides with the lifecycle, writes with a guard and records `restore.<event>` in the
// same transaction; a writer that no longer owns the run, or finds it already moved on, writes
// nothing — so a worker cannot complete a run the reaper has failed, nor the reaper fail a run
// its worker has just completed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LifeboatError } from '../../src/errors.js';
import type { RunStatus } from '../../src/restore/lifecycle.js';
import { transitionRun } from '../../src/restore/run-state.js';
import { freshStore, type TestStore } from '../harness/store.js';

let s: TestStore;
beforeEach(async () => {
  s = await freshStore();
});
afterEach(async () => {
  await s.close();
});

async function run(status: RunStatus, worker: string | null = null, heartbeat: Date | null = null): Promise<number> {
  const r = await s.db
    .insertInto('restore_runs')
    .values({
      database: 'CustomerDB',
      owner_team: 'team-alpha',
      source_server: 'prod-pg01',
      destination_server: 'dev-pg01',
      destination_dbname: 'customer',
      destination_tier: 'development',
      identifier: 'dev-pg01/customer',
      backup_id: 'b-1',
      point_in_time: null,
      tables: null,
      status,
      requested_by: 'jsmith',
      justification: null,
      start_at: null,
      confirmed_at: new Date(),
      preview: null,
      worker_id: worker,
      heartbeat_at: heartbeat,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

async function state(id: number) {
  const row = await s.db
    .selectFrom('restore_runs')
    .select(['status', 'error'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const audit = await s.db
    .selectFrom('audit_events')
    .select(['actor', 'action', 'details'])
    .where('subject_id', '=', String(id))
    .orderBy('seq')
    .execute();
  return { status: row.status, error: row.error, audit };
}

describe('transitionRun', () => {
  it('writes the status, the columns given and one audit event named for the event, in one go', async () => {
    const id = await run('queued');
    expect(
      await transitionRun(s.db, id, {
        event: 'start',
        actor: 'worker',
        set: { worker_id: 'w1', started_at: new Date() },
        details: { worker: 'w1' },
      }),
    ).toEqual({ from: 'queued', to: 'running' });
    expect(await state(id)).toEqual({
      status: 'running',
      error: null,
      audit: [{ actor: 'worker', action: 'restore.start', details: { from: 'queued', to: 'running', worker: 'w1' } }],
    });
  });

  it('refuses an event the lifecycle does not allow with a 409, writing nothing', async () => {
    const id = await run('completed');
    const err = await transitionRun(s.db, id, { event: 'cancel', actor: 'alice' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LifeboatError);
    expect((err as LifeboatError).code).toBe('invalid_transition');
    expect((err as LifeboatError).message).toBe('a completed run cannot cancel');
    expect(await state(id)).toEqual({ status: 'completed', error: null, audit: [] });
  });

  it('says "no restore run N" for a run that does not exist', async () => {
    const err = await transitionRun(s.db, 999, { event: 'cancel', actor: 'alice' }).catch((e: unknown) => e);
    expect((err as LifeboatError).code).toBe('not_found');
    expect((err as LifeboatError).message).toBe('no restore run 999');
  });

  it('with onlyFrom, finds a run already moved on and writes nothing (a scheduled run cancelled before its time)', async () => {
    const id = await run('cancelled');
    expect(await transitionRun(s.db, id, { event: 'enqueue', actor: 'scheduler', onlyFrom: ['scheduled'] })).toBe(null);
    expect(await state(id)).toEqual({ status: 'cancelled', error: null, audit: [] });
  });

  it('a worker cannot complete a run the reaper has failed', async () => {
    const stale = new Date(Date.now() - 120_000);
    const id = await run('running', 'w1', stale);
    const reaped = await transitionRun(s.db, id, {
      event: 'fail',
      actor: 'reaper',
      onlyFrom: ['running'],
      when: (row) => row.heartbeat_at !== null && row.heartbeat_at < new Date(Date.now() - 60_000),
      set: { error: 'worker lost' },
    });
    expect(reaped).toEqual({ from: 'running', to: 'failed' });
    expect(
      await transitionRun(s.db, id, { event: 'complete', actor: 'worker', owner: 'w1', onlyFrom: ['running'] }),
    ).toBe(null);
    expect(await state(id)).toEqual({
      status: 'failed',
      error: 'worker lost',
      audit: [{ actor: 'reaper', action: 'restore.fail', details: { from: 'running', to: 'failed' } }],
    });
  });

  it('the reaper leaves alone a run whose worker heartbeated again, and one another worker owns', async () => {
    const id = await run('running', 'w1', new Date());
    const stale = () => new Date(Date.now() - 60_000);
    expect(
      await transitionRun(s.db, id, {
        event: 'fail',
        actor: 'reaper',
        when: (row) => row.heartbeat_at !== null && row.heartbeat_at < stale(),
      }),
    ).toBe(null);
    expect(await transitionRun(s.db, id, { event: 'fail', actor: 'worker', owner: 'w2' })).toBe(null);
    expect(await state(id)).toEqual({ status: 'running', error: null, audit: [] });
  });

  it('two writers racing for one run: exactly one wins, the other finds it ended', async () => {
    const id = await run('running', 'w1', new Date(Date.now() - 120_000));
    const results = await Promise.all([
      transitionRun(s.db, id, { event: 'complete', actor: 'worker', owner: 'w1', onlyFrom: ['running'] }),
      transitionRun(s.db, id, { event: 'fail', actor: 'reaper', onlyFrom: ['running'] }),
    ]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    const after = await state(id);
    expect(after.audit).toHaveLength(1);
    expect(['completed', 'failed']).toContain(after.status);
  });
});
