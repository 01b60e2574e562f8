// Step (table scope): replace the rows of the selected tables in the destination in ONE
// transaction — delete, COPY from the archive (pg_restore's own COPY statements, selected with
// a TOC list file), check each table's count against the manifest — then commit. A failure at
// any point rolls back: the destination keeps its rows. Foreign-key triggers are off inside the
// transaction (session_replication_role = replica), so references that cross the scope are
// reported as warnings before it runs.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import type { TableCount } from '../../backup/manifest.js';
import { pgRestoreList } from '../../engines/postgres/dump.js';
import { pgBin } from '../../engines/postgres/binaries.js';
import { libpqEnv } from '../../engines/postgres/libpq.js';
import { LifeboatError } from '../../errors.js';
import { tail } from '../../lib/process.js';
import { redact, type Secret } from '../../lib/secret.js';
import type { RunTracker } from '../progress.js';

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
  dir: string;
  scope: readonly TableCount[];
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

  const header = [
    '\\set ON_ERROR_STOP on',
    'begin;',
    'set local session_replication_role = replica;',
    ...o.scope.map((t) => `delete from only ${pg.escapeIdentifier(t.schema)}.${pg.escapeIdentifier(t.name)};`),
    '',
  ].join('\n');
  const footer = [
    '',
    "select pg_catalog.set_config('search_path', 'public', false);",
    ...o.scope.map(
      (t) =>
        `do $$ declare n bigint; begin select count(*) into n from only ${pg.escapeIdentifier(t.schema)}.${pg.escapeIdentifier(t.name)}; if n <> ${t.rows} then raise exception 'row count of %.% is %, the backup has ${t.rows}', ${lit(t.schema)}, ${lit(t.name)}, n; end if; end $$;`,
    ),
    'commit;',
    '',
  ].join('\n');

  const env = libpqEnv(o.url, o.dbname);
  const psql = spawn(pgBin('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'], {
    env,
    signal: o.signal,
    killSignal: 'SIGKILL',
  });
  const restore = spawn(
    pgBin('pg_restore'),
    ['--data-only', '--no-owner', '--no-acl', '-L', listFile, '-f', '-', o.dir],
    { signal: o.signal, killSignal: 'SIGKILL' },
  );
  let psqlErr = '';
  let restoreErr = '';
  psql.stderr.on('data', (d: Buffer) => (psqlErr += d.toString()));
  restore.stderr.on('data', (d: Buffer) => (restoreErr += d.toString()));
  psql.on('error', () => {});
  restore.on('error', () => {});
  const input = new PassThrough();
  input.pipe(psql.stdin);
  psql.stdin.on('error', () => {});
  input.write(header);
  restore.stdout.pipe(input, { end: false });
  const restoreDone = new Promise<number | null>((r) => restore.on('close', (code) => r(code)));
  const psqlDone = new Promise<number | null>((r) => psql.on('close', (code) => r(code)));
  const rc = await restoreDone;
  if (rc === 0) input.end(footer);
  else input.end(); // no COMMIT: psql ends the transaction with a rollback
  const pc = await psqlDone;
  if (o.signal.aborted) throw o.signal.reason ?? new Error('cancelled');
  if (rc !== 0)
    throw new LifeboatError('engine_failed', `pg_restore failed: ${tail(restoreErr, 2)}`, {
      hint: 'the destination was not changed',
    });
  if (pc !== 0) {
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
