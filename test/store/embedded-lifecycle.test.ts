// The embedded store through the real binary: first start creates the demo workspace and the
// store; data survives a clean stop; a SIGKILLed start is recovered by the next one; nothing is
// left running after a clean stop.
import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/engines/postgres/local-cluster.js';
import { spawnLifeboat } from '../harness/cli.js';
import { harnessRoot } from '../harness/cluster.js';
import { processesUnder } from '../harness/global-setup.js';

async function health(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/api/health`);
  return {
    status: res.status,
    body: (await res.json()) as { status: string; store: { instanceId: string }; queue: { ok: boolean } },
  };
}

async function startLifeboat(cwd: string, dataDir: string, port: number) {
  const d = spawnLifeboat(['start', '--data-dir', dataDir, '--port', String(port)], { cwd });
  await d.waitFor(/Lifeboat is running at http:\/\/127\.0\.0\.1:\d+/, 90_000);
  return d;
}

describe('lifeboat start on the embedded store', () => {
  it('creates the demo, survives a restart and recovers after kill -9', async () => {
    const home = mkdtempSync(join(harnessRoot(), 'start-'));
    chmodSync(home, 0o755);
    const dataDir = join(home, '.lifeboat');
    const port = await freePort();

    const first = await startLifeboat(home, dataDir, port);
    expect(first.output()).toContain('(demo workspace)');
    expect(existsSync(join(dataDir, 'demo', 'lifeboat.yaml'))).toBe(true);
    const h1 = await health(port);
    expect(h1.status).toBe(200);
    expect(h1.body.status).toBe('ok');
    expect(h1.body.queue.ok).toBe(true);
    const instanceId = h1.body.store.instanceId;

    first.child.kill('SIGTERM');
    expect(await first.exited()).toBe(0);
    expect(processesUnder(dataDir)).toEqual([]);

    const second = await startLifeboat(home, dataDir, port);
    expect((await health(port)).body.store.instanceId).toBe(instanceId);

    second.child.kill('SIGKILL');
    await second.exited();
    // its PostgreSQL clusters are orphaned now; the next start must adopt or restart them
    const third = await startLifeboat(home, dataDir, port);
    const h3 = await health(port);
    expect(h3.status).toBe(200);
    expect(h3.body.store.instanceId).toBe(instanceId);
    third.child.kill('SIGTERM');
    expect(await third.exited()).toBe(0);
    expect(processesUnder(dataDir)).toEqual([]);
  }, 240_000);

  it('refuses a second start on the same data directory', async () => {
    const home = mkdtempSync(join(harnessRoot(), 'start-'));
    chmodSync(home, 0o755);
    const dataDir = join(home, '.lifeboat');
    const port = await freePort();
    const first = await startLifeboat(home, dataDir, port);
    try {
      const second = spawnLifeboat(['start', '--data-dir', dataDir, '--port', String(await freePort())], {
        cwd: home,
      });
      expect(await second.exited()).toBe(3);
      expect(second.output()).toMatch(/another lifeboat \(pid \d+\) is already running on the data directory/);
      expect(second.output()).toContain('HINT:');
    } finally {
      first.child.kill('SIGTERM');
      await first.exited();
    }
    expect(processesUnder(dataDir)).toEqual([]);
  }, 240_000);
});
