// `schema drift <database>`: the live schema against the database's reference (the SQL file of
// schema.reference, applied to a scratch database; else the snapshot accepted last), objects the
// config ignores left out. With a reference file, a drift comes with the SQL that undoes it (migra). Every check stores a drift report; a drift
// that is new (the previous report was clean, or saw another live schema) is recorded once, as the
// audit event `schema.drift`, by `recordNewDrift` — the place where the notification outbox
// message is to be written in the same transaction when notifications land (issue 15).
import type { Transaction } from 'kysely';
import { recordAudit } from '../audit/record.js';
import { recordEvent } from '../notify/events.js';
import type { Catalog, DatabaseConfig } from '../catalog/types.js';
import type { DriftResult } from '../contract/schema.js';
import { LifeboatError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { Database } from '../store/schema.js';
import { getServer } from '../catalog/lookup.js';
import { type LiveDatabase, migraSql } from '../engines/postgres/migra.js';
import { diffSchemas, type SchemaChange } from './diff.js';
import { type SchemaDocument, schemaFingerprint, withoutIgnored } from './document.js';
import { materialiseSql, readReferenceFile, withScratch } from './materialise.js';
import { acceptedSnapshot, readLive } from './snapshots.js';

export async function checkDrift(
  db: Db,
  catalog: Catalog,
  database: DatabaseConfig,
  input: { actor: string; requestId?: string },
): Promise<DriftResult> {
  const file = database.schema?.reference;
  if (file) {
    // the file applied to a scratch database (materialise.ts), kept until migra has run
    return withScratch(async (scratch) => {
      const ref = await materialiseSql(scratch, readReferenceFile(file.path, file.label), file.label);
      return recordDrift(db, catalog, database, input, {
        label: `reference file ${file.label}`,
        stored: `file ${file.label}`,
        document: ref.document,
        undo: (live) => migraSql(live, ref.live),
      });
    });
  }
  const reference = await acceptedSnapshot(db, database.name);
  if (!reference) {
    throw new LifeboatError('not_found', `${database.name} has no schema reference to check drift against`, {
      hint: `make its current schema the reference with \`lifeboat schema accept ${database.name}\`, or name a reference SQL file in schema.reference`,
    });
  }
  return recordDrift(db, catalog, database, input, {
    label: `snapshot ${reference.id} (accepted ${reference.accepted!.at})`,
    stored: `snapshot ${reference.id}`,
    document: reference.document,
  });
}

interface Reference {
  label: string;
  /** What schema_drift_reports.reference says: `snapshot <id>` or `file <path as configured>`. */
  stored: string;
  document: SchemaDocument;
  /** The SQL that turns the live database back into the reference, when the reference is live too. */
  undo?: (live: LiveDatabase) => Promise<string>;
}

async function recordDrift(
  db: Db,
  catalog: Catalog,
  database: DatabaseConfig,
  input: { actor: string; requestId?: string },
  reference: Reference,
): Promise<DriftResult> {
  const ignore = database.schema?.ignore ?? [];
  const before = withoutIgnored(reference.document, ignore);
  const live = withoutIgnored(await readLive(catalog, database), ignore);
  const changes = diffSchemas(before, live);
  const referenceInfo = { label: reference.label, fingerprint: schemaFingerprint(before) };
  const liveInfo = { label: `live:${database.name}`, fingerprint: schemaFingerprint(live) };
  const sql =
    changes.length > 0 && reference.undo
      ? await reference.undo({ url: getServer(catalog, database.server).url, dbname: database.dbname })
      : undefined;
  const report = await db.transaction().execute(async (trx) => {
    const previous = await trx
      .selectFrom('schema_drift_reports')
      .select(['drift', 'live_fingerprint', 'reference_fingerprint'])
      .where('database', '=', database.name)
      .orderBy('id', 'desc')
      .limit(1)
      .forUpdate()
      .executeTakeFirst();
    const row = await trx
      .insertInto('schema_drift_reports')
      .values({
        database: database.name,
        checked_by: input.actor,
        reference: reference.stored,
        reference_fingerprint: referenceInfo.fingerprint,
        live_fingerprint: liveInfo.fingerprint,
        drift: changes.length > 0,
        changes: JSON.stringify(changes),
      })
      .returning(['id', 'checked_at'])
      .executeTakeFirstOrThrow();
    const seen =
      previous?.drift === true &&
      previous.live_fingerprint === liveInfo.fingerprint &&
      previous.reference_fingerprint === referenceInfo.fingerprint;
    if (changes.length > 0 && !seen) {
      await recordNewDrift(trx, {
        database: database.name,
        reportId: String(row.id),
        changes,
        actor: input.actor,
        requestId: input.requestId,
      });
    }
    return row;
  });
  return {
    database: database.name,
    reportId: String(report.id),
    checkedAt: new Date(report.checked_at).toISOString(),
    reference: referenceInfo,
    live: liveInfo,
    drift: changes.length > 0,
    changes,
    ...(sql === undefined ? {} : { sql }),
  };
}

/**
 * A drift not reported before: audited as `schema.drift` with a short summary, and notified
 * through the outbox in this same transaction, so a drift is notified exactly once and never lost.
 */
export async function recordNewDrift(
  trx: Transaction<Database>,
  d: { database: string; reportId: string; changes: readonly SchemaChange[]; actor: string; requestId?: string },
): Promise<void> {
  await recordAudit(trx, {
    actor: d.actor,
    action: 'schema.drift',
    subjectType: 'database',
    subjectId: d.database,
    outcome: 'failure',
    details: {
      report: d.reportId,
      differences: d.changes.length,
      objects: d.changes.slice(0, 20).map((c) => `${c.change} ${c.kind} ${c.name}`),
    },
    requestId: d.requestId ?? null,
  });
  await recordEvent(trx, {
    type: 'schema.drift',
    data: {
      database: d.database,
      report: d.reportId,
      differences: d.changes.length,
      objects: d.changes.slice(0, 20).map((c) => `${c.change} ${c.kind} ${c.name}`),
      actor: d.actor,
    },
    subjectType: 'database',
    subjectId: d.database,
  });
}
