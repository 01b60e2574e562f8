#!/usr/bin/env node
// bench/pickup: how soon a restore run that becomes approved is running, when the worker is
// another process than the API server that approved it (issue 14: p95 < 1 s). Measured from the
// HTTP response of the call that made the run approved to the run's `started_at` (written by
// the worker as it takes the run), over N runs each, in the same bench run for:
//   - polling: the worker only polls its queue (pg-boss work(), every 0.5 s as Lifeboat sets it;
//     LIFEBOAT_JOB_WAKEUPS=off) — the stock behaviour;
//   - wake-up: the enqueue notifies the store's change feed and the worker polls at once.
// The call is the submit of a run that needs no approval (`approvals: 0`); when the server has
// POST /api/v1/runs/{id}/approve, a run needing one approval is approved instead (VIA below).
// The restored database is a table of 100 rows, so that a run takes about a second.
//
//   npm run build && node bench/pickup.mjs [--runs 50]
import console from 'node:console';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from '../dist/engines/postgres/local-cluster.js';
import {
  cleanup,
  cleanupOnSignals,
  fmtRatio,
  formatTable,
  LIFEBOAT_BIN,
  onCleanup,
  parseNumberArgs,
  runCommand,
  spawnLifeboat,
  stampedLog,
  startPostgres,
  tempDir,
} from './lib.mjs';

// Node's own fetch (undici); no module exports it
const { fetch } = globalThis;
const say = stampedLog();

const APPROVE_ROUTE = '/api/v1/runs/{id}/approve';
/** 'approve' | 'submit' | 'auto' (approve when the server has the route). */
const VIA = process.env.BENCH_VIA ?? 'auto';

const CONFIG = `version: 1
teams:
  bench-team: { members: [alice], approvers: [bob] }
users:
  alice: { email: alice@example.com, roles: [developer] }
  bob: { email: bob@example.com, roles: [db-owner] }
servers:
  bench: { engine: postgres, tier: development, url: env:BENCH_PG_URL }
storage:
  local: { type: filesystem, path: ./backups }
databases:
  Tiny:
    server: bench
    name: tiny
    owner: bench-team
    approvals: 0
    destinations: [bench]
    backup: { storage: local }
  TinyApproved:
    server: bench
    name: tiny_approved
    owner: bench-team
    approvals: 1
    destinations: [bench]
    backup: { storage: local }
`;

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function main({ runs }) {
  const root = tempDir('lifeboat-bench-pickup-');
  say(`${runs} runs per variant; working in ${root}`);
  const pgc = await startPostgres(root);
  for (const db of ['tiny', 'tiny_approved']) {
    await pgc.query('postgres', `create database ${db}`);
    await pgc.query(
      db,
      `create table notes (id int primary key, body text);
       insert into notes select g, md5(g::text) from generate_series(1, 100) g`,
    );
  }
  await pgc.query('postgres', 'create database lifeboat_store');
  const dir = join(root, 'lifeboat');
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'lifeboat.yaml');
  writeFileSync(configFile, CONFIG);
  // one store for the server and the workers: the workers are processes of their own
  const env = {
    LIFEBOAT_DATABASE_URL: pgc.url('lifeboat_store'),
    LIFEBOAT_CONFIG: configFile,
    BENCH_PG_URL: pgc.url('postgres'),
  };
  const port = await freePort();
  const server = await spawnLifeboat(
    dir,
    ['server', '--port', String(port)],
    env,
    /Lifeboat server is running at (\S+)/,
  );
  const url = server.match[1];
  say(`lifeboat server at ${url}, store on 127.0.0.1:${pgc.port}`);

  const tokens = {};
  for (const user of ['alice', 'bob']) {
    const r = await runCommand(process.execPath, [LIFEBOAT_BIN, 'token', 'issue', user], {
      cwd: dir,
      env: { ...process.env, ...env, LIFEBOAT_LOG_LEVEL: 'warn' },
    });
    tokens[user] = r.stdout.trim();
  }
  const api = async (method, path, user, body) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const doc = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(doc)}`);
    return doc;
  };
  const openapi = await (await fetch(`${url}/api/openapi.json`)).json();
  const approve = VIA === 'approve' || (VIA === 'auto' && APPROVE_ROUTE in (openapi.paths ?? {}));
  const entry = approve ? 'TinyApproved' : 'Tiny';
  const releasedBy = approve
    ? 'POST /api/v1/runs/:id/approve (one approval needed)'
    : 'POST /api/v1/runs/:id/submit (approvals: 0)';
  say(`the run becomes approved by ${releasedBy}`);

  // the store's change feed tells when a run changed: no polling of the run rows
  const store = new pg.Client({ connectionString: env.LIFEBOAT_DATABASE_URL });
  await store.connect();
  onCleanup(() => store.end());
  const changed = new Map();
  store.on('notification', (n) => changed.get(n.payload)?.());
  await store.query('listen lifeboat_changes');
  const runRow = async (id) =>
    (await store.query('select status, started_at from restore_runs where id = $1', [id])).rows[0];
  /** Resolves with the run's row once `done(row)` holds. */
  const until = async (id, done) => {
    for (;;) {
      const woken = new Promise((resolve) => {
        changed.set(`run:${id}`, resolve);
        setTimeout(resolve, 1000).unref();
      });
      const row = await runRow(id);
      if (done(row)) return row;
      if (['failed', 'cancelled', 'expired', 'rejected'].includes(row.status))
        throw new Error(`run ${id} ${row.status}`);
      await woken;
    }
  };

  const startWorker = (wakeups) =>
    spawnLifeboat(dir, ['worker'], { ...env, LIFEBOAT_JOB_WAKEUPS: wakeups ? 'on' : 'off' }, /worker is running/);

  // the backup every run restores, taken by a worker
  {
    const w = await startWorker(true);
    const b = await api('POST', '/api/v1/backups', 'bob', { database: entry });
    const deadline = Date.now() + 120_000;
    while ((await api('GET', `/api/v1/backups/${b.id}`, 'alice')).status !== 'verified') {
      if (Date.now() > deadline) throw new Error(`backup ${b.id} not verified after 2 minutes`);
      await sleep(200);
    }
    say(`backup of ${entry}: ${b.id}`);
    await w.stop();
  }

  let n = 0;
  /** One run: requested and previewed, then made approved; ms from that response to started_at. */
  const pickup = async () => {
    const dbname = `pickup_${++n}`;
    const target = `bench/${dbname}`;
    const run = await api('POST', '/api/v1/runs', 'alice', { database: entry, to: target });
    const submit = () => api('POST', `/api/v1/runs/${run.id}/submit`, 'alice', { confirm: target, acknowledge: true });
    if (approve) await submit(); // pending_approval
    // the worker's polling phase (0.5 s) must not line up with the bench's rhythm
    await sleep(Math.random() * 500);
    await (approve ? api('POST', `/api/v1/runs/${run.id}/approve`, 'bob', {}) : submit());
    const answered = Date.now();
    const running = await until(run.id, (r) => r.started_at !== null);
    await until(run.id, (r) => r.status === 'completed');
    await pgc.query('postgres', `drop database if exists ${dbname} with (force)`);
    return running.started_at.getTime() - answered;
  };

  const results = {};
  for (const [variant, wakeups] of [
    ['polling', false],
    ['wake-up', true],
  ]) {
    const w = await startWorker(wakeups);
    const ms = [];
    for (let i = 0; i < runs; i++) ms.push(await pickup());
    await w.stop();
    results[variant] = ms;
    say(`${variant}: p50 ${percentile(ms, 50)} ms, p95 ${percentile(ms, 95)} ms, max ${Math.max(...ms)} ms`);
  }

  const row = (label, ms) => [label, percentile(ms, 50), percentile(ms, 95), Math.max(...ms)];
  console.log(`\npickup: ms from the response of ${releasedBy} to started_at, ${runs} runs each`);
  console.log(
    formatTable(
      ['variant', 'p50 ms', 'p95 ms', 'max ms'],
      [
        row('worker polls every 0.5 s (stock pg-boss work())', results.polling),
        row('lifeboat wake-up (change feed)', results['wake-up']),
      ],
    ),
  );
  const ratio = percentile(results['wake-up'], 95) / percentile(results.polling, 95);
  console.log(
    `\nRATIO pickup p95 wake-up/polling: ${fmtRatio(ratio)} (p95 ${percentile(results['wake-up'], 95)} ms; target p95 < 1000 ms)`,
  );
}

cleanupOnSignals();
main(parseNumberArgs({ runs: 50 }, process.argv.slice(2), 'usage: node bench/pickup.mjs [--runs N]\n'))
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(cleanup);
