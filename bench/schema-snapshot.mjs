#!/usr/bin/env node
// bench/schema-snapshot: how long Lifeboat takes to read the schema snapshot of a database with
// many tables (target: under 5 s for 10,000 tables), next to `pg_dump --schema-only` of the same
// database in the same run (the ratio printed: snapshot / pg_dump). Each table has a primary key,
// a few typed columns with a default, a not-null and a check constraint, and every tenth one an
// index, so the per-kind queries (columns, constraints, indexes) all have real work.
//
//   npm run build:server && node bench/schema-snapshot.mjs [--tables 10000] [--runs 3]
import console from 'node:console';
import process from 'node:process';
import { pgBin } from '../dist/engines/postgres/binaries.js';
import { readLiveSchema } from '../dist/engines/postgres/read-schema.js';
import { Secret } from '../dist/lib/secret.js';
import {
  cleanup,
  cleanupOnSignals,
  fmtRatio,
  fmtSeconds,
  formatTable,
  median,
  parseNumberArgs,
  runCommand,
  settle,
  stampedLog,
  startPostgres,
  tempDir,
  timed,
} from './lib.mjs';

const say = stampedLog();
const TARGET_SECONDS = 5;

async function createTables(pgc, database, tables) {
  await pgc.query('postgres', `create database ${database}`);
  // one DO block per 1,000 tables: fewer round trips, and no transaction holding 10,000 locks
  for (let from = 0; from < tables; from += 1000) {
    const to = Math.min(from + 1000, tables);
    await pgc.query(
      database,
      `do $$ begin
         for i in ${from}..${to - 1} loop
           execute format('create table t_%s (id bigint primary key, name text not null default ''x'',
                            amount numeric(12,2) check (amount >= 0), created_at timestamptz default now(),
                            note varchar(200))', i);
           if i % 10 = 0 then execute format('create index t_%s_name_idx on t_%s (name)', i, i); end if;
         end loop;
       end $$`,
    );
  }
}

async function main({ tables, runs }) {
  const root = tempDir('lifeboat-bench-schema-');
  say(`${tables} tables, ${runs} run(s); working in ${root}`);
  const pgc = await startPostgres(root);
  const database = 'many_tables';
  const made = await timed(() => createTables(pgc, database, tables));
  say(`created ${tables} tables in ${fmtSeconds(made.seconds)} s`);
  await pgc.query(database, 'vacuum analyze');
  const url = new Secret(pgc.url(database));
  const snap = [];
  const dump = [];
  let objects = 0;
  for (let i = 0; i < runs; i++) {
    // alternate the order so neither always runs on a warmer cache
    for (const which of i % 2 === 0 ? ['snapshot', 'dump'] : ['dump', 'snapshot']) {
      await settle();
      if (which === 'snapshot') {
        const r = await timed(() => readLiveSchema(url, database));
        objects = Object.keys(r.result.objects).length;
        snap.push(r.seconds);
        say(`snapshot: ${fmtSeconds(r.seconds)} s (${objects} objects)`);
      } else {
        const r = await runCommand(pgBin('pg_dump'), ['--schema-only', '-f', '/dev/null', database], { env: pgc.env });
        dump.push(r.seconds);
        say(`pg_dump --schema-only: ${fmtSeconds(r.seconds)} s`);
      }
    }
  }
  const s = median(snap);
  const d = median(dump);
  console.log(
    `\n${formatTable(
      ['median of ' + runs, 'seconds', 'ratio to pg_dump'],
      [
        [`schema snapshot (${objects} objects)`, fmtSeconds(s), fmtRatio(s / d)],
        ['pg_dump --schema-only', fmtSeconds(d), '1.00'],
      ],
    )}`,
  );
  console.log(
    `\ntarget: snapshot under ${TARGET_SECONDS} s for 10,000 tables — ${s < TARGET_SECONDS ? 'met' : 'NOT met'} (${fmtSeconds(s)} s)`,
  );
  if (s >= TARGET_SECONDS && tables >= 10000) process.exitCode = 1;
}

cleanupOnSignals();
const args = parseNumberArgs(
  { tables: 10000, runs: 3 },
  undefined,
  'usage: node bench/schema-snapshot.mjs [--tables 10000] [--runs 3]\n',
);
main(args)
  .catch((err) => {
    console.error(err?.stack ?? err);
    process.exitCode = 1;
  })
  .finally(cleanup);
