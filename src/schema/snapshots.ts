// Stored schema snapshots: taking one of a live database, listing and reading them, and accepting
// the current state as the drift reference. The snapshot and its audit event are written in one
// transaction (STYLE.md §17).
import type { Selectable } from 'kysely';
import { recordAudit } from '../audit/record.js';
import { getServer } from '../catalog/lookup.js';
import type { Catalog, DatabaseConfig } from '../catalog/types.js';
import type { SnapshotDoc, SnapshotSummary } from '../contract/schema.js';
import { readLiveSchema } from '../engines/postgres/read-schema.js';
import { LifeboatError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { SchemaSnapshotTable } from '../store/schema.js';
import { type SchemaDocument, schemaFingerprint } from './document.js';

type Row = Selectable<SchemaSnapshotTable>;

export function readLive(catalog: Catalog, database: DatabaseConfig): Promise<SchemaDocument> {
  return readLiveSchema(getServer(catalog, database.server).url, database.dbname);
}

export interface SnapshotInput {
  actor: string;
  requestId?: string;
  /** Make it the drift reference (`schema accept`), with the comment given. */
  accept?: { comment: string | null };
}

export async function takeSnapshot(
  db: Db,
  catalog: Catalog,
  database: DatabaseConfig,
  input: SnapshotInput,
): Promise<SnapshotDoc> {
  const file = database.schema?.reference;
  if (input.accept && file) {
    throw new LifeboatError('invalid_request', `the drift reference of ${database.name} is the file ${file.label}`, {
      hint: 'an accepted snapshot would not be used: change the reference file, or remove schema.reference from lifeboat.yaml',
    });
  }
  const document = await readLive(catalog, database);
  const fingerprint = schemaFingerprint(document);
  const objects = Object.keys(document.objects).length;
  const row = await db.transaction().execute(async (trx) => {
    const now = new Date();
    const inserted = await trx
      .insertInto('schema_snapshots')
      .values({
        database: database.name,
        taken_by: input.actor,
        fingerprint,
        object_count: objects,
        document: JSON.stringify(document),
        accepted_at: input.accept ? now : null,
        accepted_by: input.accept ? input.actor : null,
        comment: input.accept?.comment ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: input.actor,
      action: input.accept ? 'schema.accept' : 'schema.snapshot',
      subjectType: 'database',
      subjectId: database.name,
      details: {
        snapshot: String(inserted.id),
        fingerprint,
        objects,
        ...(input.accept ? { comment: input.accept.comment } : {}),
      },
      requestId: input.requestId ?? null,
    });
    return inserted;
  });
  return { ...summaryOf(row), document };
}

export async function listSnapshots(db: Db, database: string, limit = 100): Promise<SnapshotSummary[]> {
  const rows = await db
    .selectFrom('schema_snapshots')
    .select([
      'id',
      'database',
      'taken_at',
      'taken_by',
      'fingerprint',
      'object_count',
      'accepted_at',
      'accepted_by',
      'comment',
    ])
    .where('database', '=', database)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => summaryOf(r));
}

export async function getSnapshot(db: Db, id: string): Promise<SnapshotDoc> {
  const row = await db.selectFrom('schema_snapshots').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) {
    throw new LifeboatError('not_found', `schema snapshot ${id} does not exist`, {
      hint: '`lifeboat schema list <database>` lists the snapshots of a database',
    });
  }
  return { ...summaryOf(row), document: row.document as SchemaDocument };
}

/** The drift reference: the snapshot accepted last, if any. */
export async function acceptedSnapshot(db: Db, database: string): Promise<SnapshotDoc | undefined> {
  const row = await db
    .selectFrom('schema_snapshots')
    .selectAll()
    .where('database', '=', database)
    .where('accepted_at', 'is not', null)
    .orderBy('accepted_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { ...summaryOf(row), document: row.document as SchemaDocument } : undefined;
}

function summaryOf(r: Omit<Row, 'document'>): SnapshotSummary {
  return {
    id: String(r.id),
    database: r.database,
    takenAt: new Date(r.taken_at).toISOString(),
    takenBy: r.taken_by,
    fingerprint: r.fingerprint,
    objects: r.object_count,
    accepted:
      r.accepted_at === null
        ? null
        : { at: new Date(r.accepted_at as Date).toISOString(), by: r.accepted_by ?? '?', comment: r.comment },
  };
}
