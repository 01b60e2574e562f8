#!/usr/bin/env node
// bench/backup: how long `lifeboat backup run --wait` takes next to stock `pg_dump -Fd -j2` of the
// same database, in the same run (issue 4's "Done when"; target ratio <= 1.10, goal <= 1.05).
//
//   npm run build && node bench/backup.mjs [--scale 50] [--runs 3]   (BENCH_LOG=1 prints each run log)
//
// What it does, all in one temporary directory removed at the end (also on error or Ctrl-C):
//   1. starts a throwaway PostgreSQL 15 cluster with Lifeboat's own cluster manager;
//   2. creates two databases of similar size: `pgbench` (pgbench -i -s <scale>; its filler column
//      is blank and compresses ~36×, which flatters compression) and `realistic` (customers with
//      names, emails, phones and addresses, orders, free-text notes of random words), and prints
//      their pg_database_size;
//   3. starts s3rver on loopback and `lifeboat start` (embedded store, API, worker) with a
//      lifeboat.yaml holding one catalog entry per variant and database (same source database,
//      different backup policies);
//   4. per database, `--runs` times, interleaved (variants rotate their order each run so that
//      drift and page-cache effects hit all of them alike), each on a quiet machine (`sync`, then
//      no more than 0.1 cores busy for half a second: autovacuum after the load, write-back after
//      the previous archive was deleted), after one untimed warm-up of each:
//        stock      pg_dump -Fd -j2 -f <fresh dir> (default gzip)
//        default    lifeboat backup run --wait, filesystem, unencrypted, default compression
//                   (pg_dump's own gzip: the stored directory is a stock archive)
//        zstd       the same with compression: { method: zstd } (zstd on the stream)
//        encrypted  the default with encrypt: { passphrase: env:BACKUP_PASSPHRASE }
//        s3         the default to S3 (s3rver on loopback)
//      Lifeboat times are end-to-end wall clock of the CLI: request, queue, snapshot, pg_dump,
//      storing (hash, count rows, compress, encrypt), manifest, verification, the CLI's polling.
//      Each archive is measured (du) and deleted once timed, so that disk use and write-back
//      stay flat from run to run;
//   5. prints a table per database (median seconds, ratio to stock, CPU seconds the whole machine
//      spent on it (less noisy than wall time on a shared machine), archive sizes, stored bytes,
//      and the median phases from each backup's run log), then one line per database:
//        RATIO backup/pg_dump <database>: <ratio> (target <= 1.10)
//
// Absolute times drift several-fold between runs on shared machines: compare ratios within a run.
import console from 'node:console';
import { setTimeout } from 'node:timers/promises';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { pgBin } from '../dist/engines/postgres/binaries.js';
import {
  busyCpuSeconds,
  cleanup,
  cleanupOnSignals,
  createPgbenchDatabase,
  createRealisticDatabase,
  databaseSize,
  duBytes,
  fmtMB,
  fmtRatio,
  fmtSeconds,
  formatTable,
  interruptedBy,
  logPhases,
  median,
  parseNumberArgs,
  runCommand,
  S3RVER_KEY,
  settle,
  stampedLog,
  startLifeboat,
  startPostgres,
  startS3rver,
  tempDir,
  timed,
} from './lib.mjs';

const USAGE = `usage: node bench/backup.mjs [--scale N] [--runs N]
  --scale N  pgbench scale of both databases (default 50, ≈ 750 MB each; 5 for a quick check)
  --runs N   timed runs per variant; medians are reported (default 3)
`;

const TARGET = 1.1;

// BENCH_ONLY=pgbench|realistic runs one database; BENCH_VARIANTS=stock,default (keys below) a few variants
const DATABASES = [
  { key: 'pgbench', entry: 'Pgbench' },
  { key: 'realistic', entry: 'Realistic' },
].filter((d) => !process.env.BENCH_ONLY || d.key === process.env.BENCH_ONLY);

/** The variants, stock first. `entrySuffix` names the catalog entry of a Lifeboat variant. */
const VARIANTS = [
  { key: 'stock', label: 'pg_dump -Fd -j2 (gzip)' },
  { key: 'default', label: 'lifeboat fs, gzip (default)', entrySuffix: '', policy: '' },
  { key: 'zstd', label: 'lifeboat fs, zstd', entrySuffix: 'Zstd', policy: 'compression: { method: zstd }' },
  {
    key: 'encrypted',
    label: 'lifeboat fs, gzip + age',
    entrySuffix: 'Encrypted',
    policy: 'encrypt: { passphrase: env:BACKUP_PASSPHRASE }',
  },
  { key: 's3', label: 'lifeboat s3, gzip', entrySuffix: 'S3', storage: 's3' },
].filter(
  (v) =>
    v.key === 'stock' ||
    v.key === 'default' ||
    !process.env.BENCH_VARIANTS ||
    process.env.BENCH_VARIANTS.split(',').includes(v.key),
);

/** Run-log lines that open each phase of a backup (src/backup/run-backup.ts), and the phase names. */
const LOG_MARKS = [/^backup /, /^pg_dump -Fd/, /^pg_dump finished/, /^stored \d+ files/, /^verifying/, /^verified/];
const PHASES = ['snapshot', 'pg_dump+store', 'store tail', 'catalog', 'verify'];

const say = stampedLog();

function lifeboatConfig(s3) {
  const entries = [];
  for (const db of DATABASES) {
    for (const v of VARIANTS.filter((x) => x.key !== 'stock')) {
      entries.push(
        [
          `  ${db.entry}${v.entrySuffix}:`,
          '    server: bench',
          `    name: ${db.key}`,
          '    owner: bench-team',
          '    approvals: 0',
          '    backup:',
          `      storage: ${v.storage ?? 'local'}`,
          ...(v.policy ? [`      ${v.policy}`] : []),
        ].join('\n'),
      );
    }
  }
  return `version: 1
teams:
  bench-team:
    members: [alice]
    approvers: [alice]
users:
  alice: { email: alice@example.com, roles: [db-owner] }
servers:
  bench: { engine: postgres, tier: development, url: env:BENCH_PG_URL }
storage:
  local: { type: filesystem, path: ./backups }
  s3: { type: s3, bucket: ${s3.bucket}, endpoint: "${s3.endpoint}", region: auto, prefix: lifeboat, force_path_style: true, access_key_id: env:S3_KEY_ID, secret_access_key: env:S3_SECRET }
databases:
${entries.join('\n')}
`;
}

async function main({ scale, runs }) {
  const root = tempDir('lifeboat-bench-backup-');
  say(`scale ${scale}, ${runs} run(s); working in ${root}`);

  const pgc = await startPostgres(root);
  say(`PostgreSQL on 127.0.0.1:${pgc.port}`);
  const made = {};
  const create = { pgbench: createPgbenchDatabase, realistic: createRealisticDatabase };
  for (const db of DATABASES) {
    made[db.key] = (await timed(() => create[db.key](pgc, db.key, scale))).seconds;
    say(`created ${db.key} (scale ${scale}): ${made[db.key].toFixed(1)} s`);
  }
  const sizes = {};
  for (const db of DATABASES) {
    sizes[db.key] = await databaseSize(pgc, db.key);
    say(`pg_database_size(${db.key}) = ${fmtMB(sizes[db.key])}`);
  }

  const s3dir = join(root, 's3');
  mkdirSync(s3dir);
  const s3 = await startS3rver(s3dir, 'bench-backups');
  const lb = await startLifeboat(root, lifeboatConfig(s3), {
    BENCH_PG_URL: pgc.url('postgres'),
    BACKUP_PASSPHRASE: 'correct horse battery staple',
    S3_KEY_ID: S3RVER_KEY.id,
    S3_SECRET: S3RVER_KEY.secret,
  });
  say(`Lifeboat at ${lb.url}, s3rver at ${s3.endpoint}`);
  const idle0 = busyCpuSeconds();
  await setTimeout(3000);
  say(
    `machine CPU while idle (Lifeboat started, nothing asked): ${((busyCpuSeconds() - idle0) / 3).toFixed(3)} s per s`,
  );

  let dumpN = 0;
  /** One timed measurement of a variant on a database: {seconds, du, stored?, phases?}. */
  async function measure(db, v) {
    await settle();
    if (v.key === 'stock') {
      const dir = join(root, 'dumps', `${db.key}-${++dumpN}`);
      mkdirSync(join(root, 'dumps'), { recursive: true });
      const cpu0 = busyCpuSeconds();
      const r = await runCommand(pgBin('pg_dump'), ['-Fd', '-j', '2', '-f', dir, db.key], { env: pgc.env });
      const cpu = busyCpuSeconds() - cpu0;
      const du = await duBytes(dir);
      rmSync(dir, { recursive: true, force: true });
      return { seconds: r.seconds, cpu, du };
    }
    const entry = `${db.entry}${v.entrySuffix}`;
    const cpu0 = busyCpuSeconds();
    const r = await lb.cli(['backup', 'run', entry, '--wait', '--json'], 'alice');
    const cpu = busyCpuSeconds() - cpu0;
    let doc;
    try {
      doc = JSON.parse(r.stdout);
    } catch {
      doc = undefined;
    }
    if (r.code !== 0 || doc?.status !== 'verified') {
      throw new Error(
        `lifeboat backup run ${entry} --wait: exit ${r.code}, status ${doc?.status ?? '?'}` +
          `${doc?.error ? `: ${doc.error}` : ''}${doc?.verifyError ? `: ${doc.verifyError}` : ''}\n${r.stderr.trim()}`,
      );
    }
    const show = await lb.cli(['backup', 'show', doc.id, '--log', '--json'], 'alice');
    const detail = JSON.parse(show.stdout);
    if (process.env.BENCH_LOG) console.log(detail.log); // the backup's timestamped steps
    const phases = logPhases(detail.log, LOG_MARKS);
    const queued = (Date.parse(detail.startedAt) - Date.parse(detail.createdAt)) / 1000;
    // everything the run log does not account for: CLI start, request, queue pick-up, status polling
    const inLog = phases.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
    const overhead = r.seconds - inLog;
    const where =
      v.storage === 's3' ? join(s3.dir, s3.bucket, 'lifeboat', entry, doc.id) : join(root, 'backups', entry, doc.id);
    const du = await duBytes(where);
    rmSync(where, { recursive: true, force: true });
    return { seconds: r.seconds, cpu, du, stored: doc.bytes, phases, queued, overhead, id: doc.id };
  }

  // warm-up: one untimed round (page cache, first-use costs in Lifeboat: queues, zstd, age)
  for (const db of DATABASES) {
    for (const v of VARIANTS) await measure(db, v);
  }
  say('warm-up done');

  const results = Object.fromEntries(
    DATABASES.map((db) => [db.key, Object.fromEntries(VARIANTS.map((v) => [v.key, []]))]),
  );
  for (let run = 0; run < runs; run++) {
    for (const db of DATABASES) {
      const order = VARIANTS.map((_, i) => VARIANTS[(i + run) % VARIANTS.length]);
      for (const v of order) {
        const m = await measure(db, v);
        results[db.key][v.key].push(m);
        const detail = m.phases
          ? `  (${PHASES.map((p, i) => `${p} ${fmtSeconds(m.phases[i])}`).join(', ')}, overhead ${fmtSeconds(m.overhead)})`
          : '';
        say(
          `run ${run + 1}/${runs} ${db.key.padEnd(9)} ${v.label.padEnd(28)} ${fmtSeconds(m.seconds).padStart(7)} s, cpu ${fmtSeconds(m.cpu)} s${detail}`,
        );
      }
    }
  }

  // report
  const ratios = {};
  process.stdout.write('\n');
  for (const db of DATABASES) {
    const r = results[db.key];
    const stock = median(r.stock.map((m) => m.seconds));
    const rows = VARIANTS.map((v) => {
      const ms = r[v.key];
      const s = median(ms.map((m) => m.seconds));
      return [
        v.label,
        fmtSeconds(s),
        v.key === 'stock' ? '1.00' : fmtRatio(s / stock),
        ms.map((m) => fmtSeconds(m.seconds)).join(' '),
        fmtSeconds(median(ms.map((m) => m.cpu))),
        fmtMB(median(ms.map((m) => m.du))),
        v.key === 'stock' ? '-' : fmtMB(median(ms.map((m) => m.stored))),
      ];
    });
    ratios[db.key] = median(r.default.map((m) => m.seconds)) / stock;
    process.stdout.write(
      `${db.key}: pg_database_size ${fmtMB(sizes[db.key])}, created in ${made[db.key].toFixed(1)} s; median of ${runs}\n`,
    );
    process.stdout.write(
      `${formatTable(['variant', 'median s', 'ratio', 'runs (s)', 'cpu s', 'archive (du)', 'stored bytes'], rows)}\n\n`,
    );
    const phaseRows = VARIANTS.filter((v) => v.key !== 'stock').map((v) => {
      const ms = r[v.key];
      return [
        v.label,
        ...PHASES.map((_, i) => fmtSeconds(median(ms.map((m) => m.phases[i])))),
        fmtSeconds(median(ms.map((m) => m.queued))),
        fmtSeconds(median(ms.map((m) => m.overhead))),
      ];
    });
    process.stdout.write(
      `${db.key}: Lifeboat phases from the run log, median seconds (overhead = wall − run log: CLI, queue, polling)\n`,
    );
    process.stdout.write(`${formatTable(['variant', ...PHASES, 'queued', 'overhead'], phaseRows)}\n\n`);
  }
  for (const db of DATABASES) {
    process.stdout.write(
      `RATIO backup/pg_dump ${db.key}: ${fmtRatio(ratios[db.key])} (target <= ${TARGET.toFixed(2)})\n`,
    );
  }
}

cleanupOnSignals();
try {
  await main(parseNumberArgs({ scale: 50, runs: 3 }, process.argv.slice(2), USAGE));
} catch (err) {
  if (!interruptedBy()) console.error(`bench/backup failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
