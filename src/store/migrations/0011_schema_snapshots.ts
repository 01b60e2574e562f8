// Schema snapshots and drift reports (src/schema/). A snapshot is a database's schema document
// with its fingerprint; the accepted one (the newest with accepted_at) is the database's drift
// reference. A drift report is stored each time drift is checked, drift or not.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('schema_snapshots')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('database', 'text', (c) => c.notNull())
    .addColumn('taken_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('taken_by', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('object_count', 'int4', (c) => c.notNull())
    .addColumn('document', 'jsonb', (c) => c.notNull())
    // made the drift reference by `schema accept`
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('accepted_by', 'text')
    .addColumn('comment', 'text')
    .execute();
  await db.schema.createIndex('schema_snapshots_database').on('schema_snapshots').columns(['database', 'id']).execute();
  await db.schema
    .createTable('schema_drift_reports')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('database', 'text', (c) => c.notNull())
    .addColumn('checked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('checked_by', 'text', (c) => c.notNull())
    // what live was compared with: `snapshot <id>`
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('reference_fingerprint', 'text', (c) => c.notNull())
    .addColumn('live_fingerprint', 'text', (c) => c.notNull())
    .addColumn('drift', 'boolean', (c) => c.notNull())
    .addColumn('changes', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('schema_drift_reports_database')
    .on('schema_drift_reports')
    .columns(['database', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('schema_drift_reports').execute();
  await db.schema.dropTable('schema_snapshots').execute();
}
