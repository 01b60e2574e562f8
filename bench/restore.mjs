#!/usr/bin/env node
// bench/restore: a Lifeboat restore (queued → completed: fetch and verify the archive, pg_restore
// into staging, verify row counts, swap) next to stock `pg_restore -j2` into a fresh database
// from the same archive, in the same run (issue 5; target ratio <= 1.10, goal <= 1.05).
//
//   npm run build && node bench/restore.mjs [--scale 50] [--runs 3]
import console from 'node:console';
import process from 'node:process';
import {
  cleanup,
  cleanupOnSignals,
  fmtRatio,
  fmtSeconds,
  formatTable,
  median,
  parseNumberArgs,
  stampedLog,
  tempDir,
} from './lib.mjs';
import { setupRestoreBench } from './restore-lib.mjs';

const say = stampedLog();
const DATABASES = [
  { key: 'pgbench', entry: 'Pgbench' },
  { key: 'realistic', entry: 'Realistic' },
].filter((d) => !process.env.BENCH_ONLY || d.key === process.env.BENCH_ONLY);

async function main({ scale, runs }) {
  const root = tempDir('lifeboat-bench-restore-');
  say(`scale ${scale}, ${runs} run(s); working in ${root}`);
  const b = await setupRestoreBench(root, scale, DATABASES, say);
  const lines = [];
  for (const d of DATABASES) {
    const dir = await b.fetch(d.entry);
    const stock = [];
    const lifeboat = [];
    for (let i = 0; i < runs; i++) {
      // alternate the order so that drift hits both alike
      const order = i % 2 ? ['lifeboat', 'stock'] : ['stock', 'lifeboat'];
      for (const which of order) {
        const r = which === 'stock' ? await b.stockRestore(dir) : await b.lifeboatRestore(d.entry);
        (which === 'stock' ? stock : lifeboat).push(r.seconds);
        say(`${d.key} ${which}: ${fmtSeconds(r.seconds)}`);
        if (which === 'lifeboat' && process.env.BENCH_LOG) console.log(await r.log());
        await r.drop();
      }
    }
    const ratio = median(lifeboat) / median(stock);
    console.log(`\n${d.key}:`);
    console.log(
      formatTable(
        ['variant', 'median', 'ratio'],
        [
          ['pg_restore -j2 (stock)', fmtSeconds(median(stock)), '1.00'],
          ['lifeboat restore', fmtSeconds(median(lifeboat)), fmtRatio(ratio)],
        ],
      ),
    );
    lines.push(`RATIO restore/pg_restore ${d.key}: ${fmtRatio(ratio)} (target <= 1.10)`);
  }
  console.log(`\n${lines.join('\n')}`);
}

cleanupOnSignals();
main(
  parseNumberArgs(
    { scale: 50, runs: 3 },
    process.argv.slice(2),
    'usage: node bench/restore.mjs [--scale N] [--runs N]\n',
  ),
)
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(cleanup);
