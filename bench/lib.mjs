// Shared pieces of Lifeboat's benchmarks (bench/backup.mjs now; the restore and masking benches
// later): a cleanup stack that also runs on SIGINT/SIGTERM, temporary directories the `postgres`
// OS user can enter, a throwaway PostgreSQL cluster run by Lifeboat's own cluster manager, the two
// benchmark databases (pgbench, and a "realistic" one with names, addresses and free text), a
// loopback S3 server, a running `lifeboat start` driven through its real CLI, and timing, median,
// du and table formatting.
//
// Plain JavaScript ESM on purpose: it runs with `node` after `npm run build` and imports Lifeboat's
// compiled modules from ../dist. No dependencies beyond Node and node_modules.
import { spawn } from 'node:child_process';
import console from 'node:console';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { createInterface } from 'node:readline';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';
import pg from 'pg';
import { pgBin } from '../dist/engines/postgres/binaries.js';
import {
  clusterUrl,
  freePort,
  initCluster,
  runningPostmaster,
  startCluster,
  stopCluster,
} from '../dist/engines/postgres/local-cluster.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const LIFEBOAT_BIN = join(ROOT, 'bin', 'lifeboat.js');
export const MB = 1000 * 1000;

// ---------------------------------------------------------------------------------------------
// Cleanup: a stack of undo steps, run once — at the end of main (try/finally), or on SIGINT/SIGTERM.

const undo = [];
let cleaning;

/** Registers an undo step; steps run in reverse order of registration. */
export function onCleanup(step) {
  undo.push(step);
}

/** Runs every undo step once (later calls wait for the same run). Never throws. */
export function cleanup() {
  cleaning ??= (async () => {
    while (undo.length) {
      const step = undo.pop();
      try {
        await step();
      } catch (err) {
        console.error(`cleanup: ${err?.message ?? err}`);
      }
    }
  })();
  return cleaning;
}

let caught;

/** The signal that interrupted the bench, if one did (errors after it are its consequence). */
export function interruptedBy() {
  return caught;
}

/** On SIGINT/SIGTERM: clean up, then exit 130. A second signal exits at once. */
export function cleanupOnSignals() {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (caught) process.exit(130);
      caught = signal;
      console.error(`\n${signal}: stopping servers and removing temporary files…`);
      cleanup().finally(() => process.exit(130));
    });
  }
}

/** A fresh directory under os.tmpdir(), mode 0755 (the postgres OS user must enter it), removed at cleanup. */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Processes and timing.

/**
 * Runs a command to completion and resolves {stdout, stderr, seconds}; rejects on a non-zero exit
 * with the tail of its stderr (unless `allowFail`, which resolves with `code` too).
 */
export function runCommand(command, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    if (opts.input !== undefined) child.stdin.end(opts.input);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0 || opts.allowFail) return resolve({ code, stdout, stderr, seconds });
      const tail = stderr.trim().split('\n').slice(-6).join('\n');
      reject(
        new Error(`${command} ${args.join(' ')} ${signal ? `was killed (${signal})` : `exited ${code}`}\n${tail}`),
      );
    });
  });
}

/** Wall-clock seconds of an async function, with its result. */
export async function timed(fn) {
  const started = performance.now();
  const result = await fn();
  return { seconds: (performance.now() - started) / 1000, result };
}

/**
 * CPU seconds this machine has spent busy so far, all processes together (/proc/stat: user, nice,
 * system, irq, softirq). The difference around a measurement is its whole CPU cost — Lifeboat's
 * processes, PostgreSQL's backends, pg_dump — which on a shared machine varies less than wall time.
 */
export function busyCpuSeconds() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6]) / 100;
}

/**
 * Waits for a quiet machine before a measurement: dirty pages written back (`sync`), then until
 * the machine spends less than `busyBelow` cores for a whole `windowMs` (autovacuum after a
 * load, write-back and journal work after the previous measurement's files were deleted), at
 * most `maxMs`. Every variant, stock or Lifeboat, then starts from the same state, and none
 * pays for what the one before it left running. Resolves with the seconds waited.
 */
export async function settle({ busyBelow = 0.1, windowMs = 500, maxMs = 30_000 } = {}) {
  const started = performance.now();
  await runCommand('sync', []);
  for (;;) {
    const cpu0 = busyCpuSeconds();
    await sleep(windowMs);
    const busy = (busyCpuSeconds() - cpu0) / (windowMs / 1000);
    const waited = (performance.now() - started) / 1000;
    if (busy < busyBelow || waited * 1000 >= maxMs) return waited;
  }
}

/** A progress line on stdout, stamped with the seconds since the bench started. */
export function stampedLog(started = Date.now()) {
  return (line) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)}s] ${line}\n`);
}

export function median(xs) {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Bytes on disk of a file or directory tree (`du -sb`), or NaN if it does not exist. */
export async function duBytes(path) {
  if (!existsSync(path)) return NaN;
  const r = await runCommand('du', ['-sb', path]);
  return Number(r.stdout.split(/\s/)[0]);
}

/** `--name value` options with numeric defaults, e.g. parseNumberArgs({scale: 50, runs: 3}). */
export function parseNumberArgs(defaults, argv = process.argv.slice(2), usage = '') {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(
        usage ||
          `options: ${Object.keys(defaults)
            .map((k) => `--${k} N`)
            .join(' ')}\n`,
      );
      process.exit(0);
    }
    const [flag, inline] = a.split('=', 2);
    const key = flag.replace(/^--/, '');
    if (!flag.startsWith('--') || !(key in defaults)) throw new Error(`unknown argument ${a}\n${usage}`);
    const value = Number(inline ?? argv[++i]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${key} takes a positive integer`);
    out[key] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Formatting.

export function fmtSeconds(s) {
  return Number.isFinite(s) ? s.toFixed(2) : '-';
}

export function fmtRatio(r) {
  return Number.isFinite(r) ? r.toFixed(2) : '-';
}

export function fmtMB(bytes) {
  return Number.isFinite(bytes) ? `${(bytes / MB).toFixed(1)} MB` : '-';
}

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function formatTable(headers, rows) {
  const all = [headers, ...rows].map((r) => r.map(String));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// A throwaway PostgreSQL cluster (Lifeboat's cluster manager: initdb/pg_ctl as the postgres OS user).

/**
 * Creates and starts a non-durable cluster in `<root>/pg` (root must be enterable by `postgres`);
 * stopped at cleanup. Returns its port, URLs, libpq environment and a query helper.
 */
export async function startPostgres(root, { password = 'bench-password', superuser = 'postgres' } = {}) {
  const dataDir = join(root, 'pg');
  await initCluster({ dataDir, superuser, password, durable: false });
  onCleanup(() => stopCluster(dataDir));
  const port = await startCluster(dataDir);
  const c = { port, superuser, password };
  return {
    dataDir,
    port,
    superuser,
    password,
    url: (database = 'postgres') => clusterUrl(c, database),
    /** PGHOST/PGPORT/PGUSER/PGPASSWORD for libpq tools (pg_dump, pgbench, psql). */
    env: { PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: superuser, PGPASSWORD: password },
    async query(database, sql, params = []) {
      const client = new pg.Client({ connectionString: clusterUrl(c, database) });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
  };
}

export async function databaseSize(pgc, database) {
  const [r] = await pgc.query('postgres', 'select pg_database_size($1)::bigint as n', [database]);
  return Number(r.n);
}

/** `pgbench -i -s <scale>` into a new database (pgbench_accounts has a blank filler column). */
export async function createPgbenchDatabase(pgc, database, scale) {
  await pgc.query('postgres', `create database ${database}`);
  await runCommand(pgBin('pgbench'), ['-i', '-q', '-s', String(scale), database], { env: pgc.env });
}

const FIRST_NAMES = `James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard
  Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Margaret Mark
  Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian
  Dorothy George Melissa Timothy Deborah Ronald Stephanie Edward Rebecca Jason Sharon Jeffrey Laura Ryan Cynthia
  Jacob Kathleen Gary Amy Nicholas Angela Eric Shirley Jonathan Anna Stephen Brenda Larry Pamela Justin Emma Scott
  Nicole Brandon Helen Benjamin Samantha Samuel Katherine Gregory Christine Alexander Debra Frank Rachel Patrick
  Carolyn Raymond Janet Jack Catherine Dennis Maria Jerry Heather Tyler Diane Aaron Ruth Jose Julie Adam Olivia
  Nathan Joyce Henry Virginia Douglas Victoria Zachary Kelly Peter Lauren Kyle Christina Noah Joan Ethan Evelyn
  Jeremy Judith Walter Megan Christian Andrea Keith Cheryl Roger Hannah Terry Jacqueline Austin Martha Sean Gloria
  Gerald Teresa Carl Ann Harold Sara Dylan Madison Arthur Frances Lawrence Kathryn Jordan Janice Jesse Jean Bryan
  Abigail Billy Alice Bruce Judy Gabriel Sophia Joe Grace Logan Denise Alan Amber Juan Doris Albert Marilyn Willie
  Danielle Elijah Beverly Wayne Isabella Randy Theresa Vincent Diana Mason Natalie Roy Brittany Ralph Charlotte
  Bobby Marie Russell Kayla Bradley Alexis Philip Lori Eugene Ingrid Sven Aiko Wei Priya Arjun Fatima Omar Yusuf
  Chen Mei Hiroshi Yuki Lars Astrid Mateo Lucia Pierre Camille Klaus Greta Dmitri Olga Kwame Amara`;

const LAST_NAMES = `Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
  Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
  Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker
  Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes
  Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos
  Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo
  Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler
  Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds
  Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford
  Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb
  Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt
  Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza
  Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold
  Pierce Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley
  Andrews Ruiz Harper Fox Riley Lindqvist Tanaka Yamamoto Nakamura Kowalski Novak Dubois Rossi Muller Schneider
  Okafor Mensah Haddad Kaur Singh Gupta Sharma Zhang Wang Liu Park Choi Ivanov Petrov Jensen Nielsen Larsen`;

const EMAIL_DOMAINS = `gmail.com yahoo.com outlook.com hotmail.com icloud.com proton.me aol.com gmx.de web.de
  orange.fr example.com mail.com fastmail.com yandex.ru qq.com live.com msn.com comcast.net verizon.net btinternet.com`;

const STREETS = `Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Walnut Spruce Sunset Ridge Church
  Highland Mill River Willow Meadow Forest Spring Chestnut Jackson Lincoln Franklin Center Prospect Union Cherry
  Madison Adams Jefferson Green Railroad Valley Bridge School Harbor Orchard Birch Aspen Sycamore Magnolia Dogwood
  Laurel Hickory Poplar Juniper Heritage Liberty Victoria Albert Queen King Station Canal Market High Broad`;

const STREET_TYPES = 'Street Avenue Road Lane Drive Court Place Boulevard Way Terrace Crescent Close';

const CITIES = `Springfield Riverside Franklin Greenville Bristol Clinton Fairview Salem Madison Georgetown
  Arlington Ashland Dover Oxford Jackson Burlington Manchester Milton Newport Auburn Dayton Lexington Milford
  Winchester Cleveland Hudson Kingston Marion Vernon Clayton Portland Austin Denver Seattle Boston
  Chicago Toronto Vancouver Dublin London Leeds Glasgow Berlin Hamburg Munich Lyon Paris Madrid Valencia Lisbon
  Porto Milan Turin Vienna Zurich Geneva Amsterdam Rotterdam Brussels Copenhagen Oslo Stockholm Helsinki Warsaw
  Prague Budapest Athens Sydney Melbourne Auckland Tokyo Osaka Seoul Singapore Mumbai Nairobi Lagos Cairo`;

const COUNTRIES = 'US US US US GB GB CA DE FR ES IT NL SE NO DK PL IE AU NZ JP IN BR MX ZA';

const ORDER_STATUSES =
  'delivered delivered delivered delivered delivered shipped shipped processing pending cancelled refunded returned';

const SHIPPING = 'standard standard standard express express overnight pickup economy';

const CURRENCIES = 'USD USD USD EUR EUR GBP CAD AUD JPY SEK';

const NOTE_WORDS = `the customer called about order delivery package arrived late early damaged missing item
  refund replacement requested confirmed address changed phone number email updated account password reset
  payment declined card expired invoice sent receipt issued discount applied coupon code loyalty points
  balance credit note warehouse shipped courier tracking number lost found returned box label printed
  apologized escalated manager supervisor ticket closed reopened pending waiting response follow up tomorrow
  next week monday tuesday wednesday thursday friday morning afternoon evening please thanks again very happy
  unhappy satisfied frustrated polite rude patient asked whether could would should will not also still just
  only already again soon later never always sometimes usually often rarely quickly slowly carefully gift wrap
  birthday holiday christmas sale promotion newsletter subscription cancel renew upgrade downgrade plan premium
  basic trial free shipping cost fee tax vat customs duty international domestic region store online mobile app
  website checkout cart basket wishlist product size color colour blue red black white green small medium large
  extra fits wrong right exchange voucher voicemail chat agent callback left message spoke with her him them
  their our we they she he it is was were has had have been being do did does done made make take took given
  give sent send received receive order orders item items box boxes parcel parcels door neighbour neighbor
  building floor apartment suite gate code signature required proof photo picture attached screenshot error
  website crashed during payment twice charged double charge bank statement dispute chargeback fraud check
  verified identity documents copy passport license utility bill matching name mismatch typo spelling corrected
  note internal priority high low normal urgent vip wholesale business personal contact preferred method by
  phone email text sms whatsapp letter post mail hours days weeks month months year years since before after
  because although however therefore meanwhile instead otherwise perhaps maybe likely unlikely certainly
  definitely probably unfortunately fortunately luckily sadly honestly apparently evidently clearly`;

function words(list) {
  return list.trim().split(/\s+/);
}

/** An SQL text[] literal of a word list: ARRAY['a','b',…]. */
function sqlArray(list) {
  return `ARRAY[${words(list)
    .map((w) => `'${w.replace(/'/g, "''")}'`)
    .join(',')}]::text[]`;
}

/** SQL picking a random element of a word list (random() is evaluated per row). */
function pick(list) {
  const n = words(list).length;
  return `(${sqlArray(list)})[1 + floor(random() * ${n})::int]`;
}

/**
 * A database of realistic content, of about the size of `pgbench -i -s <scale>` (≈ 15 MB per
 * scale unit): customers (names, emails, phones, postal addresses), their orders (statuses,
 * amounts, tracking numbers, shipping addresses) and free-text support notes of random words.
 * Generated in SQL (generate_series over word arrays, random()); the three tables fill in
 * parallel, then get their keys, the foreign keys and VACUUM ANALYZE, as pgbench -i does.
 */
export async function createRealisticDatabase(pgc, database, scale) {
  const customers = 12_500 * scale;
  const orders = 37_500 * scale;
  const notes = 20_000 * scale;
  await pgc.query('postgres', `create database ${database}`);
  await pgc.query(
    database,
    `create table customers (
       id bigint not null, first_name text not null, last_name text not null, email text not null,
       phone text not null, street text not null, city text not null, postcode text not null,
       country text not null, birth_date date, marketing_opt_in boolean not null, created_at timestamptz not null);
     create table orders (
       id bigint not null, customer_id bigint not null, ordered_at timestamptz not null, status text not null,
       currency text not null, total numeric(12,2) not null, item_count int not null, shipping_method text not null,
       shipping_address text not null, tracking_number text);
     create table notes (
       id bigint not null, customer_id bigint not null, order_id bigint, author text not null,
       created_at timestamptz not null, body text not null);`,
  );
  const fill = [
    `insert into customers
     select g, f, l,
       lower(f || case when g % 3 = 0 then '.' when g % 3 = 1 then '_' else '' end || l
             || (g % 997)::text || '@' || ${pick(EMAIL_DOMAINS)}),
       '+1-' || lpad((200 + floor(random() * 800))::int::text, 3, '0') || '-555-'
             || lpad(floor(random() * 10000)::int::text, 4, '0'),
       (1 + floor(random() * 9999))::int || ' ' || ${pick(STREETS)} || ' ' || ${pick(STREET_TYPES)},
       ${pick(CITIES)},
       lpad(floor(random() * 100000)::int::text, 5, '0'),
       ${pick(COUNTRIES)},
       case when random() < 0.8 then date '1940-01-01' + floor(random() * 23000)::int end,
       random() < 0.35,
       timestamptz '2015-01-01' + random() * interval '3650 days'
     from (select g, ${pick(FIRST_NAMES)} as f, ${pick(LAST_NAMES)} as l
             from generate_series(1, ${customers}) g) s`,
    `insert into orders
     select g, 1 + floor(random() * ${customers})::bigint,
       timestamptz '2016-01-01' + random() * interval '3285 days',
       ${pick(ORDER_STATUSES)}, ${pick(CURRENCIES)},
       round((5 + random() * random() * 900)::numeric, 2),
       1 + floor(random() * random() * 12)::int,
       ${pick(SHIPPING)},
       (1 + floor(random() * 9999))::int || ' ' || ${pick(STREETS)} || ' ' || ${pick(STREET_TYPES)}
             || ', ' || ${pick(CITIES)} || ' ' || lpad(floor(random() * 100000)::int::text, 5, '0'),
       case when random() < 0.85 then
         (array['1Z','JD','LX','TBA','94'])[1 + floor(random() * 5)::int]
         || upper(substr(md5(random()::text), 1, 14)) end
     from generate_series(1, ${orders}) g`,
    `insert into notes
     select g, 1 + floor(random() * ${customers})::bigint,
       case when random() < 0.7 then 1 + floor(random() * ${orders})::bigint end,
       ${pick(FIRST_NAMES)} || ' ' || left(${pick(LAST_NAMES)}, 1) || '.',
       timestamptz '2016-01-01' + random() * interval '3285 days',
       initcap(w.first) || ' ' || w.rest || '.'
     from generate_series(1, ${notes}) g,
       lateral (select ${pick(NOTE_WORDS)} as first,
                       string_agg(${pick(NOTE_WORDS)}, ' ') as rest
                  from generate_series(1, 6 + (g::bigint * 7919) % 60)) w`,
  ];
  await Promise.all(fill.map((sql) => pgc.query(database, sql)));
  await Promise.all([
    pgc.query(database, 'alter table customers add primary key (id)'),
    pgc.query(database, 'alter table orders add primary key (id)'),
    pgc.query(database, 'alter table notes add primary key (id)'),
  ]);
  await pgc.query(
    database,
    `alter table orders add foreign key (customer_id) references customers (id);
     alter table notes add foreign key (customer_id) references customers (id),
                       add foreign key (order_id) references orders (id)`,
  );
  await pgc.query(database, 'vacuum analyze');
}

// ---------------------------------------------------------------------------------------------
// A loopback S3 server (s3rver in its own process: see test/storage/s3rver-process.mjs).

export const S3RVER_KEY = { id: 'S3RVER', secret: 'S3RVER' };

/** Starts s3rver storing under `dir` with one bucket; stopped at cleanup (or when we die: it exits on stdin EOF). */
export async function startS3rver(dir, bucket) {
  const script = join(ROOT, 'test', 'storage', 's3rver-process.mjs');
  const child = spawn(process.execPath, ['--openssl-legacy-provider', script, dir, bucket], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout });
  const [first] = await Promise.race([once(lines, 'line'), exited.then(() => [undefined])]);
  if (first === undefined) throw new Error('s3rver exited before listening');
  const { port } = JSON.parse(first);
  const s3 = {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    dir,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      await exited;
    },
  };
  onCleanup(() => s3.close());
  return s3;
}

// ---------------------------------------------------------------------------------------------
// A running Lifeboat (`lifeboat start`: embedded store, API, worker), driven through its CLI.

/** Environment for the lifeboat CLI: quiet logs, no colour, no inherited LIFEBOAT_* settings. */
function lifeboatEnv(extra) {
  const env = { ...process.env, LIFEBOAT_LOG_LEVEL: 'warn', NO_COLOR: '1' };
  for (const k of ['LIFEBOAT_CONFIG', 'LIFEBOAT_URL', 'LIFEBOAT_TOKEN', 'LIFEBOAT_DATABASE_URL', 'LIFEBOAT_DATA_DIR'])
    delete env[k];
  return { ...env, ...extra };
}

/**
 * Runs `lifeboat <args>` in `dir` with `env` (its own process group: a Ctrl-C on the terminal
 * reaches only the bench, which then sends one SIGTERM — a second signal would make lifeboat exit
 * without stopping what it started). Resolves once its output matches `ready`, with the match.
 * Stopped with SIGTERM at cleanup (or by `stop()`), then `afterStop`.
 */
export async function spawnLifeboat(dir, args, env, ready, { afterStop = async () => {} } = {}) {
  const child = spawn(process.execPath, [LIFEBOAT_BIN, ...args], {
    cwd: dir,
    env: lifeboatEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (output += d));
  const exited = once(child, 'exit');
  const what = `lifeboat ${args[0]}`;
  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const done = await Promise.race([
          exited.then(() => true),
          sleep(60_000, undefined, { ref: false }).then(() => false),
        ]);
        if (!done) {
          console.error(`${what} did not exit 60 s after SIGTERM: killing it`);
          child.kill('SIGKILL');
          await exited;
        }
      }
      await afterStop();
    })());
  onCleanup(stop);

  const deadline = Date.now() + 120_000;
  const match = await new Promise((resolve, reject) => {
    const check = () => {
      const m = output.match(ready);
      if (m) return finish(() => resolve(m));
      if (child.exitCode !== null || child.signalCode !== null)
        return finish(() => reject(new Error(`${what} exited before it was running:\n${output}`)));
      if (Date.now() > deadline) return finish(() => reject(new Error(`${what} not running after 120 s:\n${output}`)));
    };
    const timer = setInterval(check, 100);
    const finish = (f) => {
      clearInterval(timer);
      f();
    };
    check();
  });
  return { child, match, output: () => output, stop };
}

/**
 * Writes `config` to <dir>/lifeboat.yaml and runs `lifeboat start` on it (data dir <dir>/lb, a
 * free port) with `env` (the values its `env:` references read). Resolves once it prints "Lifeboat
 * is running at". `cli(args, user)` runs the real CLI as a configured user. Stopped with SIGTERM at
 * cleanup (or by `stop()`).
 */
export async function startLifeboat(dir, config, env = {}) {
  const configFile = join(dir, 'lifeboat.yaml');
  const dataDir = join(dir, 'lb');
  writeFileSync(configFile, config);
  const port = await freePort();
  const p = await spawnLifeboat(
    dir,
    ['start', '--config', configFile, '--data-dir', dataDir, '--port', String(port)],
    env,
    /Lifeboat is running at (\S+)/,
    {
      // safety net: the embedded store's cluster must not outlive the bench (no-op when stopped)
      afterStop: async () => {
        const storeData = join(dataDir, 'pg');
        if (runningPostmaster(storeData)) await stopCluster(storeData);
      },
    },
  );
  const url = p.match[1];
  const { output, stop } = p;

  const base = { LIFEBOAT_CONFIG: configFile, LIFEBOAT_URL: url, ...env };
  const tokens = new Map();
  const lb = {
    url,
    dir,
    dataDir,
    configFile,
    output,
    stop,
    /** A token for `user` (`lifeboat token issue`, direct store access), cached. */
    async token(user) {
      if (!tokens.has(user)) {
        const r = await runCommand(
          process.execPath,
          [LIFEBOAT_BIN, 'token', 'issue', user, '--config', configFile, '--data-dir', dataDir],
          { cwd: dir, env: lifeboatEnv(base) },
        );
        tokens.set(user, r.stdout.trim());
      }
      return tokens.get(user);
    },
    /** Runs `lifeboat <args>` as `user`; resolves {code, stdout, stderr, seconds} (never rejects on exit code). */
    async cli(args, user) {
      const token = await lb.token(user);
      return runCommand(process.execPath, [LIFEBOAT_BIN, ...args], {
        cwd: dir,
        env: lifeboatEnv({ ...base, LIFEBOAT_TOKEN: token }),
        allowFail: true,
      });
    },
  };
  return lb;
}

/**
 * Seconds between the timestamped lines of a backup's run log that match each of `marks` (regexes,
 * in order): [{from, to, seconds}]. Phases whose marks are missing are left out.
 */
export function logPhases(log, marks) {
  const stamps = (log ?? '').split('\n').map((l) => {
    const m = l.match(/^(\S+) (.*)$/);
    return m ? { at: Date.parse(m[1]), text: m[2] } : undefined;
  });
  const at = marks.map((re) => stamps.find((s) => s && re.test(s.text))?.at);
  const out = [];
  for (let i = 0; i + 1 < marks.length; i++) {
    if (at[i] !== undefined && at[i + 1] !== undefined) out.push((at[i + 1] - at[i]) / 1000);
    else out.push(NaN);
  }
  return out;
}
