// A job's scratch directory (a restore's archive table of contents and pipes, a backup's pg_dump
// output, a verification's copy). It is removed when the job ends, but a worker that is killed —
// SIGKILL, the OOM killer, a power cut — runs no `finally`, and a table-scoped restore leaves a
// whole archive behind. So the directory is named after the worker's process id, and a worker
// starting on the same machine removes the directories of processes that no longer exist.
// A `pitr` directory holds a PostgreSQL instance recovered to a point in time (a backup of a
// database as it was then, src/restore/pitr-source.ts), and a `scratch` one a throwaway cluster
// (schema comparisons, engines/postgres/scratch-cluster.ts): their postmasters outlive the killed
// process, so they are stopped (immediate shutdown) before the directory goes.
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';

export type ScratchKind = 'restore' | 'backup' | 'verify' | 'drill' | 'dr' | 'pitr' | 'wal';

const SCRATCH = /^lifeboat-(?:(restore|backup|verify|drill|dr|pitr|wal)-.+-|scratch-)p(\d+)-[A-Za-z0-9]{6}$/;

/** A new, empty scratch directory for a job: `lifeboat-<kind>-<id>-p<pid>-XXXXXX` in the temp dir. */
export function makeScratchDir(kind: ScratchKind, id: string | number, parent = tmpdir()): Promise<string> {
  return mkdtemp(join(parent, `lifeboat-${kind}-${id}-p${process.pid}-`));
}

/** Removes the scratch directories of worker processes that are gone; returns their paths. */
export async function sweepAbandonedScratch(parent = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const m = SCRATCH.exec(name);
    if (m === null || processExists(Number(m[2]))) continue;
    const path = join(parent, name);
    // a data directory inside (a pitr instance's `data`, a scratch cluster's `pg`) may still be served
    await stopPostmastersIn(path, 1);
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

/**
 * Stops the postmaster of every data directory in `dir` or below it (to `depth` levels) that a
 * lost process left running — a scratch cluster, an instance recovered to a point in time, a
 * disaster recovery's new instance; returns the data directories it stopped.
 */
export async function stopPostmastersIn(dir: string, depth: number): Promise<string[]> {
  const stopped: string[] = [];
  for (const dataDir of await dataDirsIn(dir, depth)) if (await stopPostmaster(dataDir)) stopped.push(dataDir);
  return stopped;
}

async function dataDirsIn(dir: string, depth: number): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = entries.some((e) => e.name === 'postmaster.pid') ? [dir] : [];
  if (depth > 0)
    for (const e of entries) if (e.isDirectory()) out.push(...(await dataDirsIn(join(dir, e.name), depth - 1)));
  return out;
}

/**
 * Stops the postmaster of `dataDir`, if one runs (immediate shutdown, SIGQUIT: the instance is
 * thrown away, and whoever started it — pg_ctl as the postgres OS user — is gone); true if it did.
 */
async function stopPostmaster(dataDir: string, waitMs = 30_000): Promise<boolean> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return false; // never started, or stopped cleanly
  }
  if (!Number.isInteger(pid) || pid <= 0 || !processExists(pid)) return false;
  // a pid from a stale file may belong to another process now: only this directory's postmaster is stopped
  if (!postmasterOf(pid, dataDir)) return false;
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return false;
  }
  for (const until = Date.now() + waitMs; running(pid) && Date.now() < until;) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Is the process running (not gone, nor a zombie its new parent has not reaped yet)? */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Is process `pid` a postmaster started on `dataDir` (its command line names the directory)? */
function postmasterOf(pid: number, dataDir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dataDir);
  } catch {
    return false;
  }
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
