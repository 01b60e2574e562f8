// A real Prometheus (Debian's /usr/bin/prometheus) for tests: scrape jobs written into a
// prometheus.yml, a throwaway TSDB, a free port on 127.0.0.1, and its HTTP API polled until what
// a test waits for is there. Always stopped after the test file (and by `stop()`). promtool is
// here too: `promtool check metrics` reads an exposition on stdin, `check rules` a rules file.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '../../src/engines/postgres/local-cluster.js';
import { run, type RunResult } from '../../src/lib/process.js';
import { harnessRoot } from './cluster.js';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';

export interface ScrapeJob {
  name: string;
  /** The base URL of the target (http://127.0.0.1:1234). */
  target: string;
  metricsPath?: string;
  /** Sent as `Authorization: Bearer <token>`. */
  bearer?: string;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RunningPrometheus {
  url: string;
  dir: string;
  /** An instant query; its result vector. */
  query(expr: string): Promise<PromSample[]>;
  /** Polls `expr` until `until` holds of its result (every 200 ms, at most `timeoutMs`). */
  waitFor(expr: string, until: (r: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
  /** Its stderr so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

const running = new Set<RunningPrometheus>();
afterAll(async () => {
  for (const p of [...running]) await p.stop();
});

export async function startPrometheus(
  jobs: ScrapeJob[],
  opts: { rulesFiles?: string[] } = {},
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(harnessRoot(), 'prometheus-'));
  chmodSync(dir, 0o755);
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    ...(opts.rulesFiles?.length ? { rule_files: opts.rulesFiles } : {}),
    scrape_configs: jobs.map((j) => {
      const target = new URL(j.target);
      return {
        job_name: j.name,
        metrics_path: j.metricsPath ?? '/metrics',
        scheme: target.protocol.replace(':', ''),
        ...(j.bearer === undefined ? {} : { authorization: { type: 'Bearer', credentials: j.bearer } }),
        static_configs: [{ targets: [target.host] }],
      };
    }),
  };
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config), { mode: 0o600 });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: false },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    if (!res.ok) throw new Error(`prometheus ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const prom: RunningPrometheus = {
    url,
    dir,
    async query(expr) {
      const r = await api<{ data: { result: PromSample[] } }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      return r.data.result;
    },
    async waitFor(expr, until, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: PromSample[] = [];
      for (;;) {
        last = await prom.query(expr);
        if (until(last)) return last;
        if (Date.now() > deadline)
          throw new Error(`prometheus: ${expr} never held; last ${JSON.stringify(last)}; log: ${stderr.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    log: () => stderr,
    async stop() {
      if (!running.delete(prom)) return;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
  running.add(prom);

  // ready: its HTTP API answers (or it exited, e.g. a bad config)
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      running.delete(prom);
      throw new Error(`prometheus exited ${child.exitCode}: ${stderr.slice(-2000)}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return prom;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await prom.stop();
      throw new Error(`prometheus not ready after 30s: ${stderr.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `promtool check metrics`, the exposition on stdin. */
export function promtoolCheckMetrics(exposition: string): Promise<RunResult> {
  return run(PROMTOOL, ['check', 'metrics'], { input: exposition });
}

/** `promtool check rules <file>`. */
export function promtoolCheckRules(file: string): Promise<RunResult> {
  return run(PROMTOOL, ['check', 'rules', file]);
}
