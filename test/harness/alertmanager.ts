// A real Alertmanager (Debian's prometheus-alertmanager) on loopback, clustering off, routing
// every alert to one webhook receiver with a bearer token (http_config.authorization), grouping
// nothing together (group_by: ['...']) and sending at once (group_wait 0s). Stopped in afterAll.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { freePort } from '../../src/engines/postgres/local-cluster.js';
import { harnessRoot } from './cluster.js';

export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

export interface TestAlertmanager {
  url: string;
  /** POST /api/v2/alerts */
  post(alerts: object[]): Promise<void>;
  /** A counter of /metrics summed over its label sets (e.g. alertmanager_notifications_total). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
afterAll(async () => {
  for (const p of [...running]) await stopProcess(p);
});

async function stopProcess(p: ChildProcess): Promise<void> {
  running.delete(p);
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await exited;
}

export async function startAlertmanager(opts: {
  webhookUrl: string;
  token: string;
  repeatInterval?: string;
}): Promise<TestAlertmanager> {
  const dir = mkdtempSync(join(harnessRoot(), 'am-'));
  const config = join(dir, 'alertmanager.yml');
  writeFileSync(
    config,
    `route:
  receiver: lifeboat
  group_by: ['...']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: ${opts.repeatInterval ?? '1h'}
receivers:
  - name: lifeboat
    webhook_configs:
      - url: ${JSON.stringify(opts.webhookUrl)}
        send_resolved: true
        http_config:
          authorization:
            credentials: ${JSON.stringify(opts.token)}
`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(proc);
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`alertmanager exited: ${stderr}`);
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`alertmanager not ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async post(alerts) {
      const r = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!r.ok) throw new Error(`alertmanager refused the alerts: ${r.status} ${await r.text()}`);
    },
    async metric(name, labels = {}) {
      const text = await (await fetch(`${url}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(name)) continue;
        const m = /^([a-z_]+)(\{[^}]*\})?\s+(\S+)$/.exec(line);
        if (!m || m[1] !== name) continue;
        if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
      }
      return sum;
    },
    stop: () => stopProcess(proc),
  };
}
