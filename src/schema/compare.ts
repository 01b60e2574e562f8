// `schema diff <a> <b>`: the two sides' documents compared (objects the involved databases ignore
// left out), and with `sql` the statements that turn a into b, from migra. migra reads live
// databases only: a snapshot, backup or document side would first have to be materialised in a
// scratch database, which is not built yet, so --sql is refused for them with a hint.
import { getServer } from '../catalog/lookup.js';
import type { Catalog } from '../catalog/types.js';
import type { DiffResult } from '../contract/schema.js';
import { migraSql } from '../engines/postgres/migra.js';
import { LifeboatError } from '../errors.js';
import { diffSchemas } from './diff.js';
import { schemaFingerprint, withoutIgnored } from './document.js';
import type { ResolvedSide } from './sides.js';

export async function compareSides(
  catalog: Catalog,
  a: ResolvedSide,
  b: ResolvedSide,
  opts: { sql: boolean },
): Promise<DiffResult> {
  if (opts.sql) {
    for (const s of [a, b]) {
      if (!s.live) {
        throw new LifeboatError(
          'invalid_request',
          `unable to produce SQL for ${s.label}: --sql needs two live databases`,
          {
            hint: 'migra compares live databases only; compare with live:<database> on both sides, or drop --sql for the summary',
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
  if (opts.sql && a.database && b.database) {
    out.sql = await migraSql(
      { url: getServer(catalog, a.database.server).url, dbname: a.database.dbname },
      { url: getServer(catalog, b.database.server).url, dbname: b.database.dbname },
    );
  }
  return out;
}
