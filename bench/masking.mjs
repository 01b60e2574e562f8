#!/usr/bin/env node
// bench/masking: on the realistic database, a masked Lifeboat restore (one `token` rule on the
// largest table's text column, notes.body) next to an unmasked Lifeboat restore (target ratio
// <= 1.3, goal <= 1.2) and next to "unmasked restore + UPDATE notes SET body = md5(body)" (the
// post-restore way; target: masked restore at least 2x faster), in the same run. For context it
// also times the VACUUM FULL that the post-restore way needs before the originals, still on disk
// in dead row versions after the UPDATE, are really gone.
//
//   npm run build && node bench/masking.mjs [--scale 50] [--runs 3]    (BENCH_LOG=1 prints each run's log)
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
const MASKING = `    masking:
      key: env:MASKING_KEY
      rules:
        - { table: public.notes, column: body, transform: token }`;
const DATABASES = [
  { key: 'realistic', entry: 'Realistic' },
  { key: 'realistic', entry: 'RealisticMasked', masking: MASKING },
];

async function main({ scale, runs }) {
  const root = tempDir('lifeboat-bench-masking-');
  say(`scale ${scale}, ${runs} run(s); working in ${root}`);
  const b = await setupRestoreBench(root, scale, DATABASES, say);
  const t = { unmasked: [], masked: [], update: [], vacuum: [] };
  for (let i = 0; i < runs; i++) {
    const order = [
      ['unmasked', 'masked', 'update'],
      ['masked', 'update', 'unmasked'],
      ['update', 'unmasked', 'masked'],
    ][i % 3];
    for (const which of order) {
      if (which === 'update') {
        const r = await b.lifeboatRestore('Realistic');
        const u = await timed(() => b.pgc.query(r.dbname, 'update notes set body = md5(body)'));
        const v = await timed(() => b.pgc.query(r.dbname, 'vacuum full notes'));
        t.update.push(r.seconds + u.seconds);
        t.vacuum.push(r.seconds + u.seconds + v.seconds);
        say(
          `restore + update (+ vacuum full): ${fmtSeconds(r.seconds)} + ${fmtSeconds(u.seconds)} (+ ${fmtSeconds(v.seconds)})`,
        );
        await r.drop();
      } else {
        const r = await b.lifeboatRestore(which === 'masked' ? 'RealisticMasked' : 'Realistic');
        t[which].push(r.seconds);
        say(`${which}: ${fmtSeconds(r.seconds)}`);
        if (process.env.BENCH_LOG) console.log(await r.log()); // the run's timestamped steps
        await r.drop();
      }
    }
  }
  const m = {
    unmasked: median(t.unmasked),
    masked: median(t.masked),
    update: median(t.update),
    vacuum: median(t.vacuum),
  };
  console.log(
    formatTable(
      ['variant', 'median', 'masked / this'],
      [
        ['lifeboat restore, unmasked', fmtSeconds(m.unmasked), fmtRatio(m.masked / m.unmasked)],
        ['lifeboat restore, token on notes.body', fmtSeconds(m.masked), '1.00'],
        ['unmasked restore + UPDATE md5(body)', fmtSeconds(m.update), fmtRatio(m.masked / m.update)],
        ['  ... + VACUUM FULL notes (originals gone)', fmtSeconds(m.vacuum), fmtRatio(m.masked / m.vacuum)],
      ],
    ),
  );
  console.log(`\nRATIO masked/unmasked realistic: ${fmtRatio(m.masked / m.unmasked)} (target <= 1.30)`);
  console.log(`SPEEDUP (restore+UPDATE)/masked realistic: ${fmtRatio(m.update / m.masked)}x (target >= 2)`);
  console.log(`(restore+UPDATE+VACUUM FULL)/masked realistic: ${fmtRatio(m.vacuum / m.masked)}x (for context)`);
}

cleanupOnSignals();
main(
  parseNumberArgs(
    { scale: 50, runs: 3 },
    process.argv.slice(2),
    'usage: node bench/masking.mjs [--scale N] [--runs N]\n',
  ),
)
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(cleanup);
