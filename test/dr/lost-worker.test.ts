// A worker killed (SIGKILL) while it executes an incident: the next worker's reaper fails the
// incident ("worker lost during cutover") through the one status writer — timeline entry, audit
// event dr.fail by the reaper, dr.failed notification — and stops and removes the new
// PostgreSQL instance the execution had made. The incident is then executed again, to recovery.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDetail } from '../../src/contract/dr.js';
import { runningPostmaster, stopCluster } from '../../src/engines/postgres/local-cluster.js';
import { run } from '../../src/lib/process.js';
import { type Daemon, lifeboat, spawnLifeboat, stopDaemons } from '../harness/cli.js';
import { harnessRoot } from '../harness/cluster.js';
import { type FixtureServers, fixtureConfig, startFixtureServers } from '../harness/fixtures.js';
import { startTestLifeboat } from '../harness/lifeboat.js';

let servers: FixtureServers;
const dataDirs: string[] = [];
beforeAll(async () => {
  servers = await startFixtureServers();
});
afterAll(async () => {
  for (const dir of dataDirs) {
    await stopCluster(dir, 'immediate');
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

/** Polls `probe` until it answers something (a deadline, never a fixed sleep). */
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A process that runs (a zombie waiting for its parent to reap it does not). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('an incident whose worker is lost', () => {
  it('is failed by the next worker (worker lost during cutover, audited, notified), its new instance stopped and removed; executed again, it recovers', async () => {
    const work = mkdtempSync(join(harnessRoot(), 'dr-lost-'));
    chmodSync(work, 0o755);
    const instances = join(work, 'instances');
    // the cutover hook waits until this file exists: the first execution is killed in it
    const go = join(work, 'go');
    const config = fixtureConfig({
      databaseExtra: `    dr:
      target: new_instance
      cutover:
        - command: [/bin/sh, -c, 'while [ ! -e "$0" ]; do sleep 0.2; done', ${JSON.stringify(go)}]
`,
      extra: `dr:
  instances_dir: ${JSON.stringify(instances)}
`,
    });
    // no worker in the test process: the only workers are processes of their own, to be killed
    const lb = await startTestLifeboat(config, servers.env, { worker: false });
    const env = { ...(await lb.cliEnv('rita')), LIFEBOAT_HEARTBEAT_TIMEOUT: '3s', LIFEBOAT_LOG_LEVEL: 'info' };
    const workers: Daemon[] = [];
    const startWorker = async () => {
      const w = spawnLifeboat(['worker'], { env });
      workers.push(w);
      await w.waitFor(/worker started/, 30_000);
      return w;
    };
    const row = (id: number) =>
      lb.store.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    try {
      const w1 = await startWorker();
      const b = await lifeboat(['backup', 'run', 'CustomerDB', '--wait', '--json'], {
        env: await lb.cliEnv('dana'),
      });
      expect(JSON.parse(b.stdout).status).toBe('verified');
      const declared = await lifeboat(['--json', 'dr', 'declare', 'CustomerDB', '--reason', 'disk lost'], { env });
      const id = (JSON.parse(declared.stdout) as IncidentDetail).id;
      expect((await lifeboat(['dr', 'plan', String(id)], { env })).code).toBe(0);
      expect((await lifeboat(['dr', 'execute', String(id)], { env })).code).toBe(0);

      // in the cutover hook: the new instance is running, its directory recorded
      const executing = await until('the execution in its cutover hook', async () => {
        const r = await row(id);
        return r.step === 'cutover' ? r : undefined;
      });
      const scratch = executing.scratch_dir!;
      expect(scratch.startsWith(instances)).toBe(true);
      const postmaster = runningPostmaster(join(scratch, 'pgdata'));
      expect(postmaster).toBeDefined();

      // kill -9, and what it had started (the hook: a process group of its own)
      const children = (await run('pgrep', ['-P', String(w1.child.pid)])).stdout.trim().split('\n').filter(Boolean);
      w1.child.kill('SIGKILL');
      await w1.exited();
      for (const c of children) {
        try {
          process.kill(-Number(c), 'SIGKILL');
        } catch {}
      }
      await startWorker();
      const failed = await until('the lost execution failed and its instance removed', async () => {
        const r = await row(id);
        return r.status === 'failed' && r.scratch_dir === null ? r : undefined;
      });
      expect(failed.error).toMatch(/^worker lost during cutover: no heartbeat from .+ since \d{4}-/);
      expect(failed.error_step).toBe('cutover');
      expect(existsSync(scratch)).toBe(false);
      expect(running(postmaster!.pid)).toBe(false);

      const timeline = await lb.store.db
        .selectFrom('incident_timeline')
        .select(['kind', 'message'])
        .where('incident_id', '=', id)
        .orderBy('id')
        .execute();
      const tail = timeline.slice(-2);
      expect(tail[0]).toEqual({
        kind: 'failed',
        message: `${failed.error}; the reaper failed the incident, and its new instance in ${scratch} on ${executing.scratch_host} is removed by the reaper there`,
      });
      expect(tail[1]).toEqual({
        kind: 'step_finished',
        message: `reaper: removed the new instance the lost execution left in ${scratch} (stopped it first)`,
      });
      const audit = await lb.store.db
        .selectFrom('audit_events')
        .select(['actor', 'details'])
        .where('action', '=', 'dr.fail')
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        actor: 'reaper',
        details: { from: 'executing', to: 'failed', step: 'cutover' },
      });
      const events = await lb.store.db
        .selectFrom('notification_events')
        .select(['type', 'data'])
        .where('subject_type', '=', 'incident')
        .where('type', '=', 'dr.failed')
        .execute();
      expect(events).toHaveLength(1);
      expect(events[0]!.data).toMatchObject({
        incident: id,
        errorStep: 'cutover',
        error: failed.error,
        actor: 'reaper',
        kept: null,
      });
      const show = await lifeboat(['dr', 'show', String(id)], { env });
      expect(show.stdout).toContain('worker lost during cutover');

      // executed again (the hook lets it through now): recovered, and its instance is kept
      writeFileSync(go, '');
      const again = await lifeboat(['--json', 'dr', 'execute', String(id), '--wait'], { env });
      const done = JSON.parse(again.stdout) as IncidentDetail;
      dataDirs.push(done.instance!.dataDir!);
      expect(done).toMatchObject({ status: 'recovered', error: null, errorStep: null });
      expect(runningPostmaster(done.instance!.dataDir!)).toBeDefined();
      expect((await row(id)).scratch_dir).toBeNull();
    } finally {
      await stopDaemons(workers);
    }
  }, 240_000);
});
