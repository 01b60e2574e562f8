// Shared setup of bench/restore.mjs and bench/masking.mjs: a throwaway cluster with the bench
// databases, a running Lifeboat whose catalog has one entry per database (plus masked variants),
// one verified backup per entry, and helpers to time a Lifeboat restore and a stock pg_restore.
import { mkdirSync, rmSync } from 'node:fs';
import process from 'node:process';
import { join } from 'node:path';
import { pgBin } from '../dist/engines/postgres/binaries.js';
import {
  createPgbenchDatabase,
  createRealisticDatabase,
  runCommand,
  startLifeboat,
  startPostgres,
  timed,
} from './lib.mjs';

export const KEY = 'bench-masking-key-0123456789abcdef';

/**
 * databases: [{ key, entry, masking?, extra? }] — `masking` is the YAML of a masking: section (6-space rules),
 * `extra` more keys of the entry (4-space indented).
 */
export async function setupRestoreBench(root, scale, databases, say) {
  const pgc = await startPostgres(root);
  say(`PostgreSQL on 127.0.0.1:${pgc.port}`);
  const sources = [...new Set(databases.map((d) => d.key))];
  for (const key of sources) {
    const t = await timed(() =>
      key === 'pgbench' ? createPgbenchDatabase(pgc, key, scale) : createRealisticDatabase(pgc, key, scale),
    );
    say(`created ${key} in ${t.seconds.toFixed(1)} s`);
  }
  const entries = databases.map((d) =>
    [
      `  ${d.entry}:`,
      '    server: bench',
      `    name: ${d.key}`,
      '    owner: bench-team',
      '    approvals: 0',
      '    destinations: [bench]',
      '    keep_previous: 1m',
      '    backup: { storage: local }',
      ...(d.masking ? [d.masking] : []),
      ...(d.extra ? [d.extra] : []),
    ].join('\n'),
  );
  const config = `version: 1
teams:
  bench-team: { members: [alice], approvers: [alice] }
users:
  alice: { email: alice@example.com, roles: [db-owner] }
servers:
  bench: { engine: postgres, tier: development, url: env:BENCH_PG_URL }
storage:
  local: { type: filesystem, path: ./backups }
databases:
${entries.join('\n')}
`;
  const lbDir = join(root, 'lifeboat');
  mkdirSync(lbDir, { recursive: true });
  const lb = await startLifeboat(lbDir, config, { BENCH_PG_URL: pgc.url('postgres'), MASKING_KEY: KEY });
  const backups = {};
  for (const d of databases) {
    const r = await lb.cli(['backup', 'run', d.entry, '--wait', '--json'], 'alice');
    const doc = JSON.parse(r.stdout);
    if (doc.status !== 'verified') throw new Error(`backup of ${d.entry}: ${r.stdout} ${r.stderr}`);
    backups[d.entry] = doc.id;
    say(`backup of ${d.entry}: ${doc.id}`);
  }
  let n = 0;
  return {
    pgc,
    lb,
    backups,
    /** A Lifeboat restore, submitted and followed to completion (queued → completed, incl. verify and swap). */
    async lifeboatRestore(entry) {
      const dbname = `lb_${entry.toLowerCase()}_${++n}`;
      const t = await timed(async () => {
        const r = await lb.cli(
          [
            'restore',
            'request',
            entry,
            '--to',
            `bench/${dbname}`,
            '--execute',
            '--confirm',
            `bench/${dbname}`,
            '--wait',
            '--json',
          ],
          'alice',
        );
        const doc = JSON.parse(r.stdout || '{}');
        if (doc.status !== 'completed') throw new Error(`restore of ${entry}: ${r.stdout} ${r.stderr}`);
        return doc.id;
      });
      return {
        seconds: t.seconds,
        dbname,
        /** The run's log: a timestamped line per step (BENCH_LOG=1 prints it). */
        log: async () => (await lb.cli(['restore', 'show', String(t.result), '--log'], 'alice')).stdout,
        drop: () => pgc.query('postgres', `drop database if exists ${dbname} with (force)`),
      };
    },
    /** Stock pg_restore -j2 into a fresh database from the same archive (fetched once, untimed). */
    async fetch(entry) {
      const dir = join(root, `fetched-${entry}`);
      rmSync(dir, { recursive: true, force: true });
      const r = await lb.cli(['backup', 'fetch', backups[entry], dir, '--data-dir', lb.dataDir], 'alice');
      if (r.code !== 0) throw new Error(`fetch: ${r.stderr}`);
      return dir;
    },
    async stockRestore(dir) {
      const dbname = `stock_${++n}`;
      await pgc.query('postgres', `create database ${dbname}`);
      const t = await timed(() =>
        runCommand(pgBin('pg_restore'), ['--no-owner', '--no-acl', '-j', '2', '-d', dbname, dir], {
          env: { ...process.env, ...pgc.env },
        }),
      );
      return {
        seconds: t.seconds,
        dbname,
        drop: () => pgc.query('postgres', `drop database if exists ${dbname} with (force)`),
      };
    },
  };
}
