// Scratch directories: named after the worker's process, and swept when that process is gone —
// only then: a live worker's directory, or anything that is not a Lifeboat scratch directory, stays.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import process from 'node:process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initCluster, runningPostmaster, startCluster } from '../../src/engines/postgres/local-cluster.js';
import { makeScratchDir, sweepAbandonedScratch } from '../../src/worker/scratch.js';

/** Is the process running (not gone, nor a zombie its new parent has not reaped yet)? */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The pid of a process that has exited (not reused this quickly on a test machine). */
const deadPid = () =>
  spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;

describe('scratch directories', () => {
  let parent: string;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'lifeboat-scratch-test-'));
    await chmod(parent, 0o755); // the postgres user enters it (a scratch instance)
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('are named after the job and the process that made them', async () => {
    const dir = await makeScratchDir('restore', 42, parent);
    expect(basename(dir)).toMatch(new RegExp(`^lifeboat-restore-42-p${process.pid}-[A-Za-z0-9]{6}$`));
    const backup = await makeScratchDir('backup', '20261122T154158Z-cfa4', parent);
    expect(basename(backup)).toMatch(new RegExp(`^lifeboat-backup-20261122T154158Z-cfa4-p${process.pid}-`));
  });

  it("sweeps a dead process's directories with their contents, and nothing else", async () => {
    const dead = deadPid();
    const mine = await makeScratchDir('restore', 7, parent);
    const abandoned = [
      join(parent, `lifeboat-restore-7-p${dead}-AbC123`),
      join(parent, `lifeboat-backup-20261122T154158Z-cfa4-p${dead}-x1y2z3`),
      join(parent, `lifeboat-verify-20261122T154158Z-cfa4-p${dead}-QwErTy`),
    ];
    for (const dir of abandoned) {
      await mkdir(join(dir, 'archive'), { recursive: true });
      await writeFile(join(dir, 'archive', 'toc.dat'), 'x');
    }
    const unrelated = [
      join(parent, 'lifeboat-restore-7-AbC123'), // the old naming: whose it is cannot be told
      join(parent, `lifeboat-test-p${dead}-AbC123`),
      join(parent, `something-else-p${dead}-AbC123`),
    ];
    for (const dir of unrelated) await mkdir(dir);

    const removed = await sweepAbandonedScratch(parent);
    expect(removed.sort()).toEqual([...abandoned].sort());
    expect((await readdir(parent)).sort()).toEqual([basename(mine), ...unrelated.map((d) => basename(d))].sort());
    expect(await sweepAbandonedScratch(parent)).toEqual([]);
  });

  it("stops a dead process's throwaway cluster before removing it", async () => {
    await chmod(parent, 0o755);
    const root = join(parent, `lifeboat-scratch-p${deadPid()}-AbC123`);
    await mkdir(root, { mode: 0o755 });
    const dataDir = join(root, 'pg');
    await initCluster({ dataDir, superuser: 'scratch_admin', password: 'x', durable: false });
    await startCluster(dataDir);
    const server = runningPostmaster(dataDir)!;
    expect(server).toBeDefined();

    expect(await sweepAbandonedScratch(parent)).toEqual([root]);
    expect(await readdir(parent)).toEqual([]);
    // its postmaster is gone, not left running without a data directory
    expect(running(server.pid)).toBe(false);
  });

  it("stops a dead worker's scratch instance (recovered to a point in time) before removing it", async () => {
    const dir = join(parent, `lifeboat-pitr-prod-p${deadPid()}-AbC123`);
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    const dataDir = join(dir, 'data');
    await initCluster({ dataDir, superuser: 'lb', password: 'scratch-test', durable: false });
    await startCluster(dataDir);
    const postmaster = runningPostmaster(dataDir);
    expect(postmaster?.pid).toBeGreaterThan(0);

    expect(await sweepAbandonedScratch(parent)).toEqual([dir]);
    expect(await readdir(parent)).toEqual([]);
    // the postmaster is gone, not only its directory
    expect(running(postmaster!.pid)).toBe(false);
  }, 60_000);
});
