// Step (table scope): replace the rows of the selected tables in the destination in ONE
// transaction — delete, COPY from the archive (pg_restore's own COPY statements, selected with
// a TOC list file; table data streamed from storage, masked on its way when asked), check each
// table's count against the manifest, the leak check of every masked column — then commit. A
// failure at any point rolls back: the destination keeps its rows. Foreign-key triggers are off
// inside the transaction (session_replication_role = replica), so references that cross the
// scope are reported as warnings before it runs.
//
// Masking is planned before the transaction begins (rules resolved against the backup's record
// of partitions and the destination's tables, each rule's output checked to fit the
// destination's column), so a rule that cannot fit fails with no row changed. The leak check
// runs inside the transaction: psql prints a digest of every value of each checked column
// (md5 of its UTF-8 text, never the value), the worker compares them with the digests of the
// sampled originals, and only then sends COMMIT — the originals never travel in SQL.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import type { TableCount } from '../../backup/manifest.js';
import type { BackupReader } from '../../backup/read-backup.js';
import type { DatabaseConfig } from '../../catalog/types.js';
import { withClient } from '../../engines/postgres/admin.js';
import { pgRestoreList } from '../../engines/postgres/dump.js';
import { pgBin } from '../../engines/postgres/binaries.js';
import { libpqEnv } from '../../engines/postgres/libpq.js';
import { LifeboatError } from '../../errors.js';
import { tail } from '../../lib/process.js';
import { redact, type Secret } from '../../lib/secret.js';
import { columnLabel } from '../../masking/column.js';
import { leakError } from '../../masking/leak-check.js';
import type { RunTracker } from '../progress.js';
import { feedArchive } from './feed-archive.js';
import {
  archiveCopyStatements,
  archiveUniqueColumns,
  leakCheckedColumns,
  type MaskedTable,
  maskingSummary,
  planMasking,
} from './masked-data.js';

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Foreign keys between a selected table and one outside the scope, in the destination. */
export async function crossScopeForeignKeys(c: pg.ClientBase, scope: readonly TableCount[]): Promise<string[]> {
  const names = scope.map((t) => `${t.schema}.${t.name}`);
  const r = await c.query<{ conname: string; src: string; dst: string }>(
    `select con.conname, format('%s.%s', ns.nspname, cl.relname) as src, format('%s.%s', nf.nspname, cf.relname) as dst
       from pg_constraint con
       join pg_class cl on cl.oid = con.conrelid join pg_namespace ns on ns.oid = cl.relnamespace
       join pg_class cf on cf.oid = con.confrelid join pg_namespace nf on nf.oid = cf.relnamespace
      where con.contype = 'f'`,
  );
  return r.rows
    .filter((f) => names.includes(f.src) !== names.includes(f.dst))
    .map((f) =>
      names.includes(f.src)
        ? `${f.src} references ${f.dst} (outside the scope) through ${f.conname}`
        : `${f.src} (outside the scope) references ${f.dst} through ${f.conname}`,
    );
}

export async function restoreTables(o: {
  url: Secret;
  dbname: string;
  /** The archive's table of contents (its table data is streamed from `reader`, not fetched). */
  dir: string;
  /** A scratch directory of the worker's. */
  work: string;
  reader: BackupReader;
  database: DatabaseConfig;
  scope: readonly TableCount[];
  /** Mask personal data on its way in (every destination tier but production). */
  mask: boolean;
  tracker: RunTracker;
  signal: AbortSignal;
}): Promise<void> {
  const list = await pgRestoreList(o.dir, o.signal);
  const ids = new Set(o.scope.map((t) => t.file?.replace(/\.dat(\.gz)?$/, '')).filter(Boolean));
  const selected = list.split('\n').filter((l) => {
    const m = /^(\d+); \d+ \d+ TABLE DATA /.exec(l);
    return m && ids.has(m[1]!);
  });
  const listFile = join(o.dir, 'lifeboat-scope.list');
  await writeFile(listFile, `${selected.join('\n')}\n`);

  // the plan, checked to fit the destination's columns, before the transaction begins
  let masked: MaskedTable[] = [];
  if (o.mask) {
    const targets = await archiveCopyStatements(o.dir, join(o.work, 'shadow'), o.scope, o.signal);
    const unique = await archiveUniqueColumns(o.dir);
    masked = await withClient(o.url, o.dbname, (c) =>
      planMasking(c, o.database, o.reader.manifest.tables, targets, unique, {
        scope: o.scope,
        ancestry: o.reader.manifest.inheritance ?? [],
      }),
    );
    if (masked.length) o.tracker.log(maskingSummary(masked));
  }

  const header = [
    '\\set ON_ERROR_STOP on',
    'begin;',
    'set local session_replication_role = replica;',
    ...o.scope.map((t) => `delete from only ${pg.escapeIdentifier(t.schema)}.${pg.escapeIdentifier(t.name)};`),
    '',
  ].join('\n');
  const nonce = randomBytes(12).toString('hex');
  // (after the data: the samples are taken as the rows stream)
  const footer = (checks: readonly LeakCheck[]) => [
    '',
    "select pg_catalog.set_config('search_path', 'public', false);",
    ...o.scope.map(
      (t) =>
        `do $$ declare n bigint; begin select count(*) into n from only ${pg.escapeIdentifier(t.schema)}.${pg.escapeIdentifier(t.name)}; if n <> ${t.rows} then raise exception 'row count of %.% is %, the backup has ${t.rows}', ${lit(t.schema)}, ${lit(t.name)}, n; end if; end $$;`,
    ),
    ...checks.flatMap((c, k) => [
      `\\echo ${nonce} check ${k}`,
      `copy (select md5(convert_to(t.${pg.escapeIdentifier(c.column)}::text, 'UTF8')) from only ${pg.escapeIdentifier(c.table.schema)}.${pg.escapeIdentifier(c.table.name)} as t where t.${pg.escapeIdentifier(c.column)} is not null) to stdout;`,
      `\\echo ${nonce} end`,
    ]),
    `\\echo ${nonce} done`,
    '',
  ];

  // a failure of the feed (a corrupt file, a masking error) stops pg_restore; psql then gets no COMMIT
  const stop = new AbortController();
  const signal = AbortSignal.any([o.signal, stop.signal]);
  setMaxListeners(0, signal);
  const feed = await feedArchive({
    dir: o.dir,
    reader: o.reader,
    tables: o.scope
      .filter((t): t is typeof t & { file: string } => Boolean(t.file))
      .map((table) => ({ table, mask: masked.find((m) => m.table === table) })),
    tracker: o.tracker,
    signal,
    abort: (reason) => stop.abort(reason),
  });

  const env = libpqEnv(o.url, o.dbname);
  const psql = spawn(pgBin('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'], {
    env,
    signal: o.signal,
    killSignal: 'SIGKILL',
  });
  const restore = spawn(
    pgBin('pg_restore'),
    ['--data-only', '--no-owner', '--no-acl', '-L', listFile, '-f', '-', o.dir],
    { signal, killSignal: 'SIGKILL' },
  );
  let psqlErr = '';
  let restoreErr = '';
  psql.stderr.on('data', (d: Buffer) => (psqlErr += d.toString()));
  restore.stderr.on('data', (d: Buffer) => (restoreErr += d.toString()));
  psql.on('error', () => {});
  restore.on('error', () => {});
  let checks: LeakCheck[] = [];
  const verdict = readLeakCheck(psql.stdout, nonce, () => checks);
  const input = new PassThrough();
  input.pipe(psql.stdin);
  psql.stdin.on('error', () => {});
  input.write(header);
  restore.stdout.pipe(input, { end: false });
  let restoreEnded = false;
  let psqlEndedFirst = false;
  const restoreDone = new Promise<number | null>((r) =>
    restore.on('close', (code) => {
      restoreEnded = true;
      r(code);
    }),
  );
  const psqlDone = new Promise<number | null>((r) =>
    psql.on('close', (code) => {
      // psql stopped (an error) while pg_restore still writes: stop it, nothing will commit
      if (!restoreEnded) {
        psqlEndedFirst = true;
        stop.abort(new Error('psql ended'));
      }
      r(code);
    }),
  );
  const rc = await restoreDone;
  let feedError: unknown;
  await feed.finish(rc !== 0).catch((err: unknown) => (feedError = err));
  let leak: LifeboatError | undefined;
  if (rc === 0 && feedError === undefined && !psqlEndedFirst) {
    checks = leakChecks(masked);
    input.write(footer(checks).join('\n'));
    const found = await verdict;
    if (found.complete) leak = leakFound(found.hits, checks, o.tracker);
    // COMMIT only once every check passed; otherwise psql ends the transaction with a rollback
    if (found.complete && leak === undefined) input.end('commit;\n');
    else input.end();
  } else input.end();
  const pc = await psqlDone;
  if (o.signal.aborted) throw o.signal.reason ?? new Error('cancelled');
  if (!psqlEndedFirst) {
    if (feedError !== undefined) throw feedError;
    if (leak) throw leak;
    if (rc !== 0)
      throw new LifeboatError('engine_failed', `pg_restore failed: ${tail(restoreErr, 2)}`, {
        hint: 'the destination was not changed',
      });
  }
  if (pc !== 0 || psqlEndedFirst) {
    throw new LifeboatError(
      'engine_failed',
      `restoring the selected tables failed and was rolled back: ${redact(tail(psqlErr, 2), [o.url])}`,
      {
        hint: 'the destination was not changed',
      },
    );
  }
  o.tracker.p.tablesDone = o.scope.length;
  o.tracker.p.rowsDone = o.tracker.p.rowsTotal;
  o.tracker.log(`replaced the rows of ${o.scope.map((t) => `${t.schema}.${t.name}`).join(', ')} in one transaction`);
}

/** A masked column whose restored values must not include any sampled original. */
interface LeakCheck {
  table: TableCount;
  column: string;
  label: string;
  transform: MaskedTable['rules'][number]['rule']['transform'];
  /** md5 of each sampled original's UTF-8 text. */
  digests: ReadonlySet<string>;
  sampled: number;
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

function leakChecks(masked: readonly MaskedTable[]): LeakCheck[] {
  return leakCheckedColumns(masked).map(({ samples, m, r }) => ({
    table: m.table,
    column: r.column.name,
    label: columnLabel(r.column),
    transform: r.rule.transform,
    digests: new Set(samples.map(md5)),
    sampled: samples.length,
  }));
}

/**
 * Reads psql's output: between `<nonce> check k` and `<nonce> end`, one digest per restored
 * value of check k. Resolves at `<nonce> done`, or incomplete when psql stops before it.
 */
function readLeakCheck(
  out: NodeJS.ReadableStream,
  nonce: string,
  checksNow: () => readonly LeakCheck[],
): Promise<{ complete: boolean; hits: Array<Set<string>> }> {
  const hits: Array<Set<string>> = [];
  return new Promise((resolve) => {
    const lines = createInterface({ input: out, crlfDelay: Infinity });
    let current: number | undefined;
    let complete = false;
    lines.on('line', (line) => {
      if (line.startsWith(nonce)) {
        const [, what, k] = line.split(' ');
        current = what === 'check' ? Number(k) : undefined;
        if (current !== undefined) hits[current] = new Set();
        if (what === 'done') {
          complete = true;
          resolve({ complete, hits });
        }
        return;
      }
      if (current !== undefined && checksNow()[current]?.digests.has(line)) hits[current]!.add(line);
    });
    lines.on('close', () => resolve({ complete, hits }));
  });
}

/** The leak check's finding: the first column with an original value left, or none (each logged). */
function leakFound(
  hits: ReadonlyArray<ReadonlySet<string>>,
  checks: readonly LeakCheck[],
  tracker: RunTracker,
): LifeboatError | undefined {
  for (const [k, c] of checks.entries()) {
    const n = hits[k]?.size ?? 0;
    if (n > 0) return leakError(c.label, c.transform, n, c.sampled, 'the restored rows were rolled back');
    tracker.log(`leak check ${c.label}: 0 of ${c.sampled} sampled originals found`);
  }
  return undefined;
}
