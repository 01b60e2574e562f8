// `schema diff <a> <b>`: the two sides' documents compared (objects the involved databases ignore
// left out), and with `sql` the statements that turn a into b, from migra. migra reads live
// databases only: a backup or a SQL script is materialised in a scratch database first (sides.ts);
// a snapshot document holds no SQL to build a database from, so --sql is refused for it with a hint.
import type { DiffResult } from '../contract/schema.js';
import { migraSql } from '../engines/postgres/migra.js';
import { LifeboatError } from '../errors.js';
import { diffSchemas } from './diff.js';
import { schemaFingerprint, withoutIgnored } from './document.js';
import type { ResolvedSide } from './sides.js';

export async function compareSides(a: ResolvedSide, b: ResolvedSide, opts: { sql: boolean }): Promise<DiffResult> {
  if (opts.sql) {
    for (const s of [a, b]) {
      if (!s.live) {
        throw new LifeboatError(
          'invalid_request',
          `unable to produce SQL for ${s.label}: a snapshot holds no SQL to build a database from`,
          {
            hint: 'migra compares databases: for --sql give each side as a live database, a backup or a reference .sql file (or drop --sql for the summary)',
          },
        );
      }
    }
  }
  const ignore = [...new Set([...(a.database?.schema?.ignore ?? []), ...(b.database?.schema?.ignore ?? [])])];
  const da = withoutIgnored(a.document, ignore);
  const db = withoutIgnored(b.document, ignore);
  const changes = diffSchemas(da, db);
  const out: DiffResult = {
    a: { label: a.label, fingerprint: schemaFingerprint(da) },
    b: { label: b.label, fingerprint: schemaFingerprint(db) },
    equal: changes.length === 0,
    changes,
  };
  if (opts.sql && a.live && b.live) out.sql = await migraSql(a.live, b.live);
  return out;
}
