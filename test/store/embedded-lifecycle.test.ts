// The embedded store through the real binary: first start creates the demo workspace and the
// store; data survives a clean stop; a SIGKILLed start is recovered by the next one; nothing is
// left running after a clean stop. The demo carries one practice incident, declared once.
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IncidentList } from '../../src/contract/dr.js';
import { DEMO_INCIDENT_REASON } from '../../src/demo/workspace.js';
import { freePort } from '../../src/engines/postgres/local-cluster.js';
import { run } from '../../src/lib/process.js';
import { BIN, cleanEnv, spawnLifeboat } from '../harness/cli.js';
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
    // the pid file holds the pid alone, as `kill $(cat .lifeboat/lifeboat.pid)` expects
    expect(readFileSync(join(dataDir, 'lifeboat.pid'), 'utf8')).toBe(`${first.child.pid}\n`);
    // the banner's commands work as typed in a new shell in the directory it was started in,
    // on a port that is not the default
    const typed = first
      .output()
      .split('\n')
      .filter((l) => l.startsWith('    export '))
      .map((l) => l.trim());
    expect(typed).toEqual([
      `export LIFEBOAT_URL=http://127.0.0.1:${port}`,
      `export LIFEBOAT_TOKEN="$(node ${BIN} token issue alice)" && test -n "$LIFEBOAT_TOKEN"`,
    ]);
    const shell = await run('bash', ['-e', '-c', [...typed, `node ${BIN} whoami`].join('\n')], {
      cwd: home,
      env: cleanEnv(),
    });
    expect(shell.stderr).toBe('');
    expect(shell.stdout).toMatch(/^alice <alice@example\.com>\n/);
    expect(shell.code).toBe(0);
    // the practice incident, on a first start and never again
    const incidents = async () => {
      const token = await run('node', [BIN, 'token', 'issue', 'dana'], {
        cwd: home,
        env: cleanEnv({ LIFEBOAT_URL: `http://127.0.0.1:${port}` }),
      });
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/incidents`, {
        headers: { authorization: `Bearer ${token.stdout.trim()}` },
      });
      return ((await res.json()) as IncidentList).incidents.map((i) => [i.database, i.status, i.reason]);
    };
    expect(await incidents()).toEqual([['CustomerDB', 'declared', DEMO_INCIDENT_REASON]]);

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
    expect(await incidents()).toHaveLength(1);
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
