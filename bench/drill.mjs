#!/usr/bin/env node
// bench/drill: a Lifeboat drill (`drill run --wait`: restore the backup into a scratch database,
// row counts against the manifest, the evidence pack, drop) next to a plain Lifeboat restore
// (`restore request --execute --wait`: restore into staging, verify, swap) of the same backup into
// the same server, in the same run (issue 17; target ratio <= 1.10). Medians of --runs each, the
// order alternated; the drill's own timings (restore, checks and evidence, drop) are printed too.
//
//   npm run build:server && node bench/drill.mjs [--scale 20] [--runs 3]
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
  timed,
} from './lib.mjs';
import { setupRestoreBench } from './restore-lib.mjs';

const say = stampedLog();
const DATABASES = [
  { key: 'pgbench', entry: 'Pgbench', extra: '    drill: { target: bench }' },
  { key: 'realistic', entry: 'Realistic', extra: '    drill: { target: bench }' },
].filter((d) => !process.env.BENCH_ONLY || d.key === process.env.BENCH_ONLY);

async function drill(b, entry) {
  const t = await timed(async () => {
    const r = await b.lb.cli(['drill', 'run', entry, '--backup', b.backups[entry], '--wait', '--json'], 'alice');
    const doc = JSON.parse(r.stdout || '{}');
    if (doc.status !== 'passed') throw new Error(`drill of ${entry}: ${r.stdout} ${r.stderr}`);
    return doc;
  });
  t.endedAt = Date.now();
  const d = t.result;
  const total = (Date.parse(d.finishedAt) - Date.parse(d.startedAt)) / 1000;
  return {
    seconds: t.seconds,
    // queued → started by a worker
    pickup: (Date.parse(d.startedAt) - Date.parse(d.createdAt)) / 1000,
    restore: d.restoreMs / 1000,
    afterRestore: total - d.restoreMs / 1000,
    // the verdict → the CLI has it with its evidence (pack, proof, the API's wait, the CLI's exit)
    tail: (t.endedAt - Date.parse(d.finishedAt)) / 1000,
    id: d.id,
  };
}

async function main({ scale, runs }) {
  const root = tempDir('lifeboat-bench-drill-');
  say(`scale ${scale}, ${runs} run(s); working in ${root}`);
  const b = await setupRestoreBench(root, scale, DATABASES, say);
  const lines = [];
  for (const d of DATABASES) {
    const restores = [];
    const drills = [];
    for (let i = 0; i < runs; i++) {
      // alternate the order so that drift hits both alike
      const order = i % 2 ? ['drill', 'restore'] : ['restore', 'drill'];
      for (const which of order) {
        if (which === 'restore') {
          const r = await b.lifeboatRestore(d.entry);
          restores.push(r.seconds);
          say(`${d.key} restore: ${fmtSeconds(r.seconds)}`);
          await r.drop();
        } else {
          const r = await drill(b, d.entry);
          drills.push(r);
          say(
            `${d.key} drill: ${fmtSeconds(r.seconds)} (picked up ${fmtSeconds(r.pickup)}, its restore ${fmtSeconds(r.restore)}, checks + drop ${fmtSeconds(r.afterRestore)}, evidence + answer ${fmtSeconds(r.tail)})`,
          );
          if (process.env.BENCH_LOG)
            console.log((await b.lb.cli(['drill', 'show', String(r.id), '--log'], 'alice')).stdout);
        }
      }
    }
    const ratio = median(drills.map((x) => x.seconds)) / median(restores);
    console.log(`\n${d.key}:`);
    console.log(
      formatTable(
        ['variant', 'median', 'ratio'],
        [
          ['lifeboat restore (same backup, same server)', fmtSeconds(median(restores)), '1.00'],
          ['lifeboat drill', fmtSeconds(median(drills.map((x) => x.seconds))), fmtRatio(ratio)],
          ['  of which: queued until a worker took it', fmtSeconds(median(drills.map((x) => x.pickup))), ''],
          ['  of which: its restore', fmtSeconds(median(drills.map((x) => x.restore))), ''],
          ['  of which: checks, drop', fmtSeconds(median(drills.map((x) => x.afterRestore))), ''],
          ['  of which: evidence, the answer', fmtSeconds(median(drills.map((x) => x.tail))), ''],
        ],
      ),
    );
    lines.push(`RATIO drill/restore ${d.key}: ${fmtRatio(ratio)} (target <= 1.10)`);
  }
  console.log(`\n${lines.join('\n')}`);
}

cleanupOnSignals();
main(
  parseNumberArgs(
    { scale: 20, runs: 3 },
    process.argv.slice(2),
    'usage: node bench/drill.mjs [--scale N] [--runs N]\n',
  ),
)
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(cleanup);
