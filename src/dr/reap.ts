// Incidents whose worker was lost, as restore runs, backups and drills have (the reaper,
// src/restore/reaper-loop.ts, and a restarted `lifeboat start`, src/runtime/reclaim.ts): an
// incident left `executing` by a worker that stopped heartbeating — or that is known gone — is
// failed ("worker lost during <step>") through the one status writer, with its timeline entry,
// audit event and dr.failed notification, and can be planned and executed again. The claim is
// guarded (still executing, still lost once locked), so a worker that was only slow keeps it.
// The new PostgreSQL instance such an execution was making (scratch_dir, recorded before it was
// created) is stopped and removed by a reaper on the machine it is on.
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Selectable } from 'kysely';
import type { Catalog } from '../catalog/types.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import { run } from '../lib/process.js';
import { redact } from '../lib/secret.js';
import type { Db } from '../store/db.js';
import type { IncidentTable } from '../store/schema.js';
import { stopPostmastersIn } from '../worker/scratch.js';
import { storeReport } from './evidence.js';
import { incidentFacts } from './facts.js';
import { addTimeline, transitionIncident } from './incident-state.js';
import { executionLost, workerLostError } from './lifecycle.js';

type Deps = { db: Db; catalog: Catalog; logger: Logger };

/** Fails the executing incidents whose worker has not heartbeated for `staleAfterMs`; returns their ids. */
export async function reapLostIncidents(deps: Deps, staleAfterMs: number): Promise<number[]> {
  const staleBefore = () => new Date(Date.now() - staleAfterMs);
  const candidates = await deps.db
    .selectFrom('incidents')
    .selectAll()
    .where('status', '=', 'executing')
    .where('worker_id', 'is not', null)
    .where((eb) => eb.or([eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', staleBefore())]))
    .execute();
  const reaped: number[] = [];
  for (const row of candidates) {
    const error = workerLostError(row.step, { workerId: row.worker_id!, heartbeatAt: row.heartbeat_at });
    if (await failLost(deps, row, error, () => ({ staleBefore: staleBefore() }))) reaped.push(Number(row.id));
  }
  return reaped;
}

/** Fails at once the executing incidents of a worker known to be gone (reclaim.ts); returns their ids. */
export async function failIncidentsOfWorker(deps: Deps, workerId: string, pid: number): Promise<number[]> {
  const rows = await deps.db
    .selectFrom('incidents')
    .selectAll()
    .where('status', '=', 'executing')
    .where('worker_id', '=', workerId)
    .execute();
  const failed: number[] = [];
  for (const row of rows) {
    const error = workerLostError(row.step, { pid });
    if (await failLost(deps, row, error, () => ({ lostWorker: workerId }))) failed.push(Number(row.id));
  }
  return failed;
}

async function failLost(
  deps: Deps,
  row: Selectable<IncidentTable>,
  error: string,
  by: () => { staleBefore: Date } | { lostWorker: string },
): Promise<boolean> {
  const id = Number(row.id);
  const step = row.step ?? 'worker';
  const leftover = row.scratch_dir
    ? `its new instance in ${row.scratch_dir} on ${row.scratch_host ?? '?'} is removed by the reaper there`
    : null;
  const r = await transitionIncident(deps.db, id, {
    event: 'fail',
    actor: 'reaper',
    quiet: true,
    when: (locked) =>
      executionLost({ status: locked.status, workerId: locked.worker_id, heartbeatAt: locked.heartbeat_at }, by()),
    set: { error, error_step: step },
    details: { step, reason: error, ...(row.scratch_dir ? { scratchDir: row.scratch_dir } : {}) },
    timeline: {
      kind: 'failed',
      message: `${error}; the reaper failed the incident${leftover ? `, and ${leftover}` : ''}`,
      details: { step, error, worker: row.worker_id },
    },
    notify: {
      type: 'dr.failed',
      facts: () =>
        incidentFacts({ ...row, error, error_step: step }, { actor: 'reaper', status: 'failed', kept: null }),
    },
  });
  if (!r) return false;
  await removeAbandonedInstances(deps);
  try {
    await storeReport(deps, id, 'reaper');
  } catch (err) {
    deps.logger.warn({ incidentId: id, reason: redact(messageOf(err)) }, 'incident report could not be stored');
  }
  return true;
}

/**
 * Stops and removes the new instances that executions which are no longer running left on this
 * machine (their worker was lost); returns the incidents' ids. A failure is tried again at the
 * next pass.
 */
export async function removeAbandonedInstances(deps: Deps): Promise<number[]> {
  const rows = await deps.db
    .selectFrom('incidents')
    .select(['id', 'scratch_dir'])
    .where('scratch_dir', 'is not', null)
    .where('scratch_host', '=', hostname())
    .where('status', '!=', 'executing')
    .execute();
  const removed: number[] = [];
  for (const r of rows) {
    const dir = r.scratch_dir!;
    try {
      const stopped = await stopInstancesIn(dir);
      await rm(dir, { recursive: true, force: true });
      const done = await deps.db.transaction().execute(async (trx) => {
        const u = await trx
          .updateTable('incidents')
          .set({ scratch_dir: null, scratch_host: null })
          .where('id', '=', r.id)
          .where('scratch_dir', '=', dir)
          .where('status', '!=', 'executing')
          .executeTakeFirst();
        if (Number(u.numUpdatedRows) !== 1) return false;
        await addTimeline(trx, Number(r.id), {
          kind: 'step_finished',
          message: `reaper: removed the new instance the lost execution left in ${dir}${stopped.length ? ' (stopped it first)' : ''}`,
          details: { step: 'cleanup', dir, stopped },
        });
        return true;
      });
      if (done) removed.push(Number(r.id));
    } catch (err) {
      deps.logger.warn(
        { incidentId: Number(r.id), dir, reason: redact(messageOf(err)) },
        'could not remove the new instance of a lost incident execution',
      );
    }
  }
  return removed;
}

/**
 * Stops (immediate shutdown) every running PostgreSQL whose data directory is within `dir`, then
 * ends what the lost worker had started on it that still runs (a pgBackRest restore writing into
 * it: commands lead process groups of their own, src/lib/process.ts, and outlive a killed worker).
 */
async function stopInstancesIn(dir: string): Promise<string[]> {
  const stopped = await stopPostmastersIn(dir, 3);
  const pattern = dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const found = await run('pgrep', ['-f', '--', pattern]).catch(() => ({ stdout: '' }));
  for (const pid of found.stdout.split('\n').map(Number)) {
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  return stopped;
}
