// A job's scratch directory (a restore's archive table of contents and pipes, a backup's pg_dump
// output, a verification's copy). It is removed when the job ends, but a worker that is killed —
// SIGKILL, the OOM killer, a power cut — runs no `finally`, and a table-scoped restore leaves a
// whole archive behind. So the directory is named after the worker's process id, and a worker
// starting on the same machine removes the directories of processes that no longer exist. A
// throwaway PostgreSQL cluster (schema comparisons, engines/postgres/scratch-cluster.ts) is named
// the same way, and its server — which outlives the process that started it — is stopped first.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { runningPostmaster, stopCluster } from '../engines/postgres/local-cluster.js';

export type ScratchKind = 'restore' | 'backup' | 'verify' | 'drill' | 'dr';

const SCRATCH = /^lifeboat-(?:(?:restore|backup|verify|drill|dr)-.+-|scratch-)p(\d+)-[A-Za-z0-9]{6}$/;

/** A new, empty scratch directory for a job: `lifeboat-<kind>-<id>-p<pid>-XXXXXX` in the temp dir. */
export function makeScratchDir(kind: ScratchKind, id: string | number, parent = tmpdir()): Promise<string> {
  return mkdtemp(join(parent, `lifeboat-${kind}-${id}-p${process.pid}-`));
}

/** Removes the scratch directories of worker processes that are gone; returns their paths. */
export async function sweepAbandonedScratch(parent = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const m = SCRATCH.exec(name);
    if (m === null || processExists(Number(m[1]))) continue;
    const path = join(parent, name);
    for (const sub of await readdir(path).catch(() => [] as string[]))
      if (runningPostmaster(join(path, sub))) await stopCluster(join(path, sub), 'immediate').catch(() => {});
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
