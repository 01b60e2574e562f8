// Step: restore the archive into a staging database beside the destination, with pg_restore
// --no-owner --no-acl -j N. Progress comes from pg_restore's verbose messages (tables loaded,
// indexes and constraints started, against the archive's own count of them) and the manifest's
// row counts. Nothing here touches the destination.
import type { Manifest } from '../../backup/manifest.js';
import { pgBin } from '../../engines/postgres/binaries.js';
import { pgRestoreList, postDataItems } from '../../engines/postgres/dump.js';
import { libpqEnv } from '../../engines/postgres/libpq.js';
import { LifeboatError } from '../../errors.js';
import { run, tail } from '../../lib/process.js';
import { redact, type Secret } from '../../lib/secret.js';
import type { RunTracker } from '../progress.js';

export interface PgRestoreOptions {
  url: Secret;
  dbname: string;
  dir: string;
  jobs: number;
  manifest: Manifest;
  tracker: RunTracker;
  signal: AbortSignal;
  /** Extra pg_restore arguments (sections, list file). */
  extra?: string[];
}

export async function pgRestore(o: PgRestoreOptions): Promise<void> {
  const rowsOf = new Map(o.manifest.tables.map((t) => [`${t.schema}.${t.name}`, t.rows]));
  // what is left after the last row: the indexes and constraints this pg_restore will build
  const sections = (o.extra ?? []).filter((a) => a.startsWith('--section='));
  if (sections.length === 0 || sections.includes('--section=post-data')) {
    o.tracker.p.itemsTotal = postDataItems(await pgRestoreList(o.dir, o.signal));
  }
  const args = [
    '--no-owner',
    '--no-acl',
    '--exit-on-error',
    '-v',
    '-j',
    String(o.jobs),
    '-d',
    o.dbname,
    ...(o.extra ?? []),
    o.dir,
  ];
  const r = await run(pgBin('pg_restore'), args, {
    env: libpqEnv(o.url, o.dbname),
    signal: o.signal,
    onStderrLine: (line) => {
      // "pg_restore: finished item 3367 TABLE DATA orders" / "processing data for table "public.orders""
      const m = /processing data for table "(.+)"/.exec(line);
      if (m) {
        o.tracker.p.tablesDone++;
        o.tracker.p.rowsDone += rowsOf.get(m[1]!) ?? 0;
      }
      // "pg_restore: creating INDEX "public.orders_customer_idx"", "… creating FK CONSTRAINT …"
      const item = /^pg_restore: creating (INDEX|INDEX ATTACH|CONSTRAINT|FK CONSTRAINT) /.exec(line);
      if (item) o.tracker.postDataItem(item[1]!.startsWith('INDEX') ? 'indexes' : 'constraints');
      if (
        !/^pg_restore: (creating|processing item|launching item|finished item|entering main|entering restore|connecting|executing)/.test(
          line,
        )
      ) {
        o.tracker.log(`pg_restore: ${line.replace(/^pg_restore: /, '')}`);
      }
    },
  });
  if (o.signal.aborted) throw o.signal.reason ?? new Error('cancelled');
  if (r.code !== 0) {
    const errors =
      r.stderr
        .split('\n')
        .filter((l) => /error|fatal/i.test(l))
        .join('\n') || r.stderr;
    const why = tail(errors, 3)
      .replace(/pg_restore: (error|warning): /g, '')
      .replace(/\s+/g, ' ')
      .trim();
    throw new LifeboatError('engine_failed', `pg_restore failed: ${redact(why, [o.url])}`, {
      hint: "the run log has pg_restore's messages",
    });
  }
}
