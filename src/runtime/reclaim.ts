// A restarted `lifeboat start` fails at once what its own previous process left running, instead
// of after the heartbeat timeout. Its own: workers are recorded with their instance — this host
// and this data directory — and a previous worker of the same instance whose process is gone
// (same host, so `kill -0` answers for it) can never come back. A worker of another instance, or
// one whose process is alive, is left to the reaper's heartbeat timeout.
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { failBackupsOfWorker } from '../backup/reap.js';
import type { Catalog } from '../catalog/types.js';
import { failIncidentsOfWorker } from '../dr/reap.js';
import type { Logger } from '../lib/logger.js';
import { failRunsOfWorker } from '../restore/control.js';
import type { Db } from '../store/db.js';

/** The identity of a `lifeboat start` that its next start on the same data directory shares. */
export function instanceOf(dataDir: string): string {
  return `${hostname()}:${resolve(dataDir)}`;
}

export interface Reclaimed {
  pid: number;
  runs: number[];
  backups: string[];
  incidents: number[];
}

export async function reclaimPreviousProcess(
  deps: { db: Db; catalog: Catalog; logger: Logger },
  instance: string,
): Promise<Reclaimed[]> {
  const previous = await deps.db
    .selectFrom('workers')
    .select(['id', 'pid', 'hostname'])
    .where('instance', '=', instance)
    .where('hostname', '=', hostname())
    .where('stopped_at', 'is', null)
    .execute();
  const out: Reclaimed[] = [];
  for (const w of previous) {
    if (w.pid === process.pid || alive(w.pid)) continue; // never a live process's work
    const error = `worker lost: the Lifeboat process that ran it (pid ${w.pid}) stopped`;
    const runs = await failRunsOfWorker(deps, w.id, error);
    const backups = await failBackupsOfWorker(deps, w.id, error);
    const incidents = await failIncidentsOfWorker(deps, w.id, w.pid);
    await deps.db.updateTable('workers').set({ stopped_at: new Date() }).where('id', '=', w.id).execute();
    if (runs.length || backups.length || incidents.length) {
      deps.logger.warn(
        { pid: w.pid, runs, backups, incidents },
        'failed what the previous Lifeboat process left running',
      );
    }
    out.push({ pid: w.pid, runs, backups, incidents });
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: a process of another user has that pid now; it is alive, and not ours to judge
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
