// `schema drift <database>`: the live schema against the database's reference (the snapshot
// accepted last), objects the config ignores left out. Every check stores a drift report; a drift
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
import { diffSchemas, type SchemaChange } from './diff.js';
import { schemaFingerprint, withoutIgnored } from './document.js';
import { acceptedSnapshot, readLive } from './snapshots.js';

export async function checkDrift(
  db: Db,
  catalog: Catalog,
  database: DatabaseConfig,
  input: { actor: string; requestId?: string },
): Promise<DriftResult> {
  const reference = await acceptedSnapshot(db, database.name);
  if (!reference) {
    throw new LifeboatError('not_found', `${database.name} has no schema reference to check drift against`, {
      hint: `make its current schema the reference with \`lifeboat schema accept ${database.name}\``,
    });
  }
  const ignore = database.schema?.ignore ?? [];
  const before = withoutIgnored(reference.document, ignore);
  const live = withoutIgnored(await readLive(catalog, database), ignore);
  const changes = diffSchemas(before, live);
  const referenceInfo = {
    label: `snapshot ${reference.id} (accepted ${reference.accepted!.at})`,
    fingerprint: schemaFingerprint(before),
  };
  const liveInfo = { label: `live:${database.name}`, fingerprint: schemaFingerprint(live) };
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
        reference: `snapshot ${reference.id}`,
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
