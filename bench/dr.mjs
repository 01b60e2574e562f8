#!/usr/bin/env node
// bench/dr: disaster recovery from a physical recovery point (issue 18). A database of --size on a
// cluster that archives its WAL through pgBackRest with archive_timeout = 60, a full backup taken
// through Lifeboat, then a writer commits a row a second for --write seconds (longer than the
// archive timeout, so a timed-out segment is archived, as in production) and the failure is
// declared (the source crashes). Measured, alternated --runs times (medians):
//   (a) through Lifeboat: the alert (Alertmanager's webhook) opens the incident → plan → execute
//       (restore into a new instance, replay to the newest archived WAL, validate, a cutover hook,
//       a loopback health endpoint) → health green, from the alert to the health_green entry;
//   (b) raw: `pgbackrest restore` of the same backup set to the same target as the plan's (the
//       newest archived WAL, or a time) into a new data directory + `pg_ctl start` until promoted;
// and prints both, the ratio (target <= 1.1) and the RPO achieved (failure − the newest archived
// WAL, target <= 60 s), with the rows the recovered instance holds against the rows committed.
//
//   npm run build:server && node bench/dr.mjs [--size 1GB|200MB] [--write 65] [--runs 3]
import console from 'node:console';
import { createServer } from 'node:http';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { pgBin } from '../dist/engines/postgres/binaries.js';
import {
  clusterUrl,
  freePort,
  giveToPostgres,
  initCluster,
  postgresRunAs,
  runningPostmaster,
  startCluster,
  stopCluster,
} from '../dist/engines/postgres/local-cluster.js';
import { run } from '../dist/lib/process.js';
import {
  cleanup,
  cleanupOnSignals,
  databaseSize,
  fmtMB,
  fmtRatio,
  fmtSeconds,
  formatTable,
  MB,
  median,
  onCleanup,
  runCommand,
  stampedLog,
  startLifeboat,
  tempDir,
  timed,
} from './lib.mjs';

const say = stampedLog();
const USAGE = 'usage: node bench/dr.mjs [--size 1GB|200MB] [--write SECONDS] [--runs 3]\n';
const PASSWORD = 'bench-password';
const ALERT_TOKEN = 'bench-alert-token';
// Node's own fetch (undici); no module exports it
const { fetch } = globalThis;

function parseArgs(argv) {
  const out = { size: 1000 * MB, write: 65, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[++i];
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (flag === '--size') {
      const m = /^(\d+(?:\.\d+)?)\s*(MB|GB)$/i.exec(value ?? '');
      if (!m) throw new Error(`--size takes a size like 1GB or 200MB\n${USAGE}`);
      out.size = Number(m[1]) * (m[2].toUpperCase() === 'GB' ? 1000 : 1) * MB;
    } else if (flag === '--runs') {
      out.runs = Number(value);
      if (!Number.isInteger(out.runs) || out.runs < 1) throw new Error('--runs takes a whole number');
    } else if (flag === '--write') {
      out.write = Number(value);
      if (!Number.isInteger(out.write) || out.write < 1) throw new Error('--write takes whole seconds');
    } else throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
  }
  return out;
}

async function query(url, sql, params = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Runs as the postgres OS user (pgBackRest, pg_ctl). */
async function asPostgres(command, args) {
  const r = await run(command, args, { runAs: postgresRunAs(), cwd: '/' });
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return r;
}

async function main({ size, write, runs }) {
  const root = tempDir('lifeboat-bench-dr-');
  // a Unix socket path is limited to 107 bytes: pgBackRest connects through one
  const sockDir = mkdtempSync('/tmp/lbdr-');
  chmodSync(sockDir, 0o755);
  giveToPostgres(sockDir);
  onCleanup(() => rmSync(sockDir, { recursive: true, force: true }));
  const configDir = join(root, 'pgbr');
  const pgbrConf = join(configDir, 'pgbackrest.conf');
  say(`size ${fmtMB(size)}, writer ${write}s; working in ${root}`);

  // the source: durable, archiving its WAL into the stanza with archive_timeout = 60
  const dataDir = join(root, 'src');
  await initCluster({ dataDir, superuser: 'postgres', password: PASSWORD, durable: true });
  appendFileSync(
    join(dataDir, 'postgresql.conf'),
    [
      "archive_mode = 'on'",
      "wal_level = 'replica'",
      `archive_command = 'pgbackrest --config=${pgbrConf} --stanza=prod archive-push %p'`,
      "archive_timeout = '60s'",
      `unix_socket_directories = '${sockDir}'`,
      'max_wal_size = 4GB',
      '',
    ].join('\n'),
  );
  onCleanup(() => stopCluster(dataDir));
  const port = await startCluster(dataDir);
  const url = (db = 'postgres') => clusterUrl({ superuser: 'postgres', password: PASSWORD, port }, db);
  const env = { PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'postgres', PGPASSWORD: PASSWORD };

  // the database: pgbench at the scale that gives --size (about 15 MB a scale unit)
  const scale = Math.max(1, Math.round(size / (15 * MB)));
  await query(url(), 'create database bench');
  const t0 = await timed(() =>
    runCommand(pgBin('pgbench'), ['-i', '-q', '-s', String(scale), 'bench'], { env: { ...env } }),
  );
  say(
    `pgbench -s ${scale}: ${fmtMB(await databaseSize({ query: (d, s, p) => query(url(d), s, p) }, 'bench'))} in ${fmtSeconds(t0.seconds)}s`,
  );

  // the application: a trivial health endpoint
  const app = createServer((_req, res) => res.end('ok'));
  await new Promise((r) => app.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise((r) => app.close(r)));
  const health = `http://127.0.0.1:${app.address().port}/health`;

  const instances = join(root, 'instances');
  const config = `version: 1
teams:
  bench-team: { members: [alice], approvers: [alice] }
users:
  alice: { email: alice@example.com, roles: [db-owner] }
  dana:  { email: dana@example.com,  roles: [dba-admin] }
  rita:  { email: rita@example.com,  roles: [recovery-operator] }
servers:
  prod:
    engine: postgres
    tier: production
    url: env:BENCH_PG_URL
    pgbackrest:
      stanza: prod
      pg_data: ${dataDir}
      socket_path: ${sockDir}
      repo: vault
      config_dir: ${configDir}
      archive_timeout: 60s
storage:
  local: { type: filesystem, path: ./backups }
  vault: { type: filesystem, path: ${join(root, 'vault')} }
databases:
  Bench:
    server: prod
    name: bench
    owner: bench-team
    rpo: 1m
    rto: 4h
    backup: { storage: local }
    dr:
      target: new_instance
      cutover:
        - command: [/bin/true]
      health_url: ${health}
dr:
  alertmanager_token: env:BENCH_ALERT_TOKEN
  triggers:
    - { match: { alertname: PostgresDown, instance: prod }, database: Bench }
  health_interval: 100ms
  instances_dir: ${instances}
`;
  const lbDir = join(root, 'lifeboat');
  mkdirSync(lbDir, { recursive: true });
  const lb = await startLifeboat(lbDir, config, { BENCH_PG_URL: url(), BENCH_ALERT_TOKEN: ALERT_TOKEN });
  const cli = async (args, user) => {
    const r = await lb.cli([...args], user);
    if (r.code !== 0) throw new Error(`lifeboat ${args.join(' ')}: ${r.stderr || r.stdout}`);
    return r;
  };

  await cli(['backup', 'physical', 'setup', 'prod'], 'dana');
  const tb = await timed(async () => {
    await cli(['backup', 'physical', 'run', 'prod', '--type', 'full'], 'dana');
    for (;;) {
      const r = await cli(['--json', 'backup', 'physical', 'list', 'prod'], 'dana');
      const doc = JSON.parse(r.stdout);
      const list = Array.isArray(doc) ? doc : (doc.backups ?? doc.items ?? []);
      const done = list.find((b) => (b.verifyStatus ?? b.verify_status) === 'verified');
      if (done) return done;
      await sleep(500);
    }
  });
  const label = tb.result.label;
  say(`pgbackrest full backup ${label} through Lifeboat (verified): ${fmtSeconds(tb.seconds)}s`);

  // the writer: a row a second, committed, past the archive timeout; then the failure
  await query(url('bench'), 'create table heartbeat (id serial primary key, at timestamptz default clock_timestamp())');
  const until = Date.now() + write * 1000;
  let committed = 0;
  while (Date.now() < until) {
    await query(url('bench'), 'insert into heartbeat default values');
    committed++;
    await sleep(1000);
  }
  say(`writer: ${committed} rows committed over ${write}s`);
  // the disaster: the source crashes (no shutdown checkpoint, no last segment archived), so both
  // recoveries below replay exactly the same archive
  await stopCluster(dataDir, 'immediate');
  const failedAt = Date.now();

  // (a) Lifeboat: the alert (Alertmanager's webhook, payload version 4, as Alertmanager posts it) →
  // the operator's plan and execute (API calls, as the CLI or the web UI makes them) → health
  // green, the time of the incident's health_green entry. (Each `lifeboat` CLI command would add
  // its process start, about 0.4 s here.)
  const operator = await lb.token('rita');
  const api = async (method, path, body, auth = `Bearer ${operator}`) => {
    const r = await fetch(`${lb.url}${path}`, {
      method,
      headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const doc = await r.json();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(doc)}`);
    return doc;
  };
  // one recovery through Lifeboat, from a fresh alert (a new fingerprint: a new incident)
  const lifeboatRecovery = async (n) => {
    const alertAt = Date.now();
    const alerted = await api(
      'POST',
      '/api/v1/alerts/alertmanager',
      {
        version: '4',
        status: 'firing',
        receiver: 'lifeboat',
        groupKey: '{}:{alertname="PostgresDown"}',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'PostgresDown', instance: 'prod' },
            annotations: { summary: 'bench: prod is down' },
            startsAt: new Date(failedAt).toISOString(),
            fingerprint: `bench${String(n).padStart(4, '0')}`,
          },
        ],
      },
      `Bearer ${ALERT_TOKEN}`,
    );
    const id = alerted.alerts[0].incident;
    if (!id || alerted.alerts[0].outcome !== 'opened')
      throw new Error(`the alert opened no incident: ${JSON.stringify(alerted)}`);
    const plan = await api('POST', `/api/v1/incidents/${id}/plan`, {});
    await api('POST', `/api/v1/incidents/${id}/execute`, {});
    let done;
    do done = await api('GET', `/api/v1/incidents/${id}?wait=30`);
    while (done.status === 'executing');
    const dir = done.instance?.dataDir;
    if (dir)
      onCleanup(async () => {
        if (runningPostmaster(dir)) await stopCluster(dir, 'immediate');
      });
    if (done.status !== 'recovered') throw new Error(`incident ${id}: ${done.status}: ${done.error}`);
    const green = done.timeline.find((e) => e.kind === 'health_green');
    const seconds = (Date.parse(green.at) - alertAt) / 1000;
    const { report } = await api('GET', `/api/v1/incidents/${id}/report`);
    const recoveredUrl = clusterUrl({ superuser: 'postgres', password: PASSWORD, port: done.instance.port }, 'bench');
    const [{ n: rows }] = await query(recoveredUrl, 'select count(*)::int as n from heartbeat');
    say(
      `lifeboat, alert → health green: ${fmtSeconds(seconds)}s (plan chose ${plan.chosen.kind} ${plan.chosen.label ?? plan.chosen.backupId}, RPO achieved ${report.rpoAchievedSeconds}s, RTO ${report.rtoAchievedSeconds}s; ${rows}/${committed} heartbeat rows)`,
    );
    if (n === 1 && process.env.BENCH_LOG !== '0') {
      // where the time went: the incident's timeline, from the alert
      for (const e of done.timeline)
        if (e.kind !== 'health_attempt')
          console.log(`  +${fmtSeconds((Date.parse(e.at) - alertAt) / 1000)}s ${e.message}`);
    }
    await stopCluster(dir, 'fast');
    rmSync(dirname(dir), { recursive: true, force: true });
    return { seconds, plan, report };
  };

  // (b) raw: pgbackrest restore of the same set to the same target as the plan's (a time, or the
  // end of the archived WAL) + pg_ctl start until promoted
  const rawRecovery = async (plan) => {
    const target =
      plan.chosen.target === 'time'
        ? [
            '--type=time',
            `--target=${new Date(plan.chosen.takenAt).toISOString().replace('T', ' ').replace('Z', '+00')}`,
            '--target-action=promote',
          ]
        : [];
    const rawParent = mkdtempSync(join(root, 'raw-'));
    chmodSync(rawParent, 0o755);
    const rawDir = join(rawParent, 'data');
    mkdirSync(rawDir, { mode: 0o700 });
    giveToPostgres(rawDir);
    onCleanup(async () => {
      if (runningPostmaster(rawDir)) await stopCluster(rawDir, 'immediate');
    });
    const rawPort = await freePort();
    const tr = await timed(async () => {
      await asPostgres('pgbackrest', [
        `--config=${pgbrConf}`,
        '--stanza=prod',
        `--pg1-path=${rawDir}`,
        '--archive-mode=off',
        `--set=${plan.chosen.label}`,
        ...target,
        'restore',
      ]);
      await asPostgres(pgBin('pg_ctl'), [
        'start',
        '-D',
        rawDir,
        '-w',
        '-t',
        '3600',
        '-l',
        join(rawDir, 'server.log'),
        '-o',
        `-p ${rawPort} -c unix_socket_directories='' -c listen_addresses=127.0.0.1`,
      ]);
      const rawUrl = clusterUrl({ superuser: 'postgres', password: PASSWORD, port: rawPort }, 'bench');
      for (;;) {
        const [{ r }] = await query(rawUrl, 'select pg_is_in_recovery() as r');
        if (!r) break;
        await sleep(200);
      }
      return (await query(rawUrl, 'select count(*)::int as n from heartbeat'))[0].n;
    });
    say(`raw pgbackrest restore + pg_ctl start: ${fmtSeconds(tr.seconds)}s (${tr.result}/${committed} heartbeat rows)`);
    await stopCluster(rawDir, 'fast');
    rmSync(rawParent, { recursive: true, force: true });
    return tr.seconds;
  };

  // alternated, so that the machine's load and the page cache treat both alike
  const lbTimes = [];
  const rawTimes = [];
  let first;
  for (let n = 1; n <= runs; n++) {
    const r = await lifeboatRecovery(n);
    first ??= r;
    lbTimes.push(r.seconds);
    rawTimes.push(await rawRecovery(r.plan));
  }
  // (later incidents are repeats of the same failure: their RTO clock started with the first)
  const report = first.report;
  const ta = { seconds: median(lbTimes) };
  const tr = { seconds: median(rawTimes) };
  const ratio = ta.seconds / tr.seconds;
  console.log(
    `\n${formatTable(
      ['variant', 'seconds', 'ratio'],
      [
        [`raw pgbackrest restore + pg_ctl start (promoted), median of ${runs}`, fmtSeconds(tr.seconds), '1.00'],
        [`lifeboat alert → plan → execute → health green, median of ${runs}`, fmtSeconds(ta.seconds), fmtRatio(ratio)],
      ],
    )}`,
  );
  console.log(`\nRATIO dr/raw: ${fmtRatio(ratio)} (target <= 1.10)`);
  console.log(`RPO achieved: ${report.rpoAchievedSeconds}s (target <= 60 s, archive_timeout = 60)`);
  console.log(`RTO achieved: ${report.rtoAchievedSeconds}s`);
  await lb.stop();
}

cleanupOnSignals();
main(parseArgs(process.argv.slice(2)))
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(cleanup);
