// Disaster-recovery incidents (src/dr): a database declared lost, by hand or by an Alertmanager
// alert, with its plan (the chosen recovery point, the skipped ones and why), where it was
// recovered, and the timeline of everything that happened to it (the report is made of it).
// An alert opens at most one open incident per fingerprint: repeat notifications find it.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('incidents')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('database', 'text', (c) => c.notNull())
    .addColumn('owner_team', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('declared_by', 'text', (c) => c.notNull())
    .addColumn('declared_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // the RTO clock's start and the failure time the RPO is measured from: the alert's startsAt,
    // or the declaration
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('alert_fingerprint', 'text')
    .addColumn('alert_name', 'text')
    .addColumn('alert_labels', 'jsonb')
    .addColumn('plan', 'jsonb')
    .addColumn('planned_at', 'timestamptz')
    .addColumn('instance', 'jsonb')
    .addColumn('recovered_at', 'timestamptz')
    .addColumn('error', 'text')
    .addColumn('error_step', 'text')
    .addColumn('evidence', 'jsonb')
    .addColumn('worker_id', 'text')
    .addColumn('heartbeat_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('incidents_database').on('incidents').columns(['database', 'declared_at']).execute();
  await sql`create unique index incidents_open_alert on incidents (alert_fingerprint)
    where alert_fingerprint is not null and status not in ('recovered', 'closed')`.execute(db);
  await db.schema
    .createTable('incident_timeline')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('incident_id', 'int8', (c) => c.notNull().references('incidents.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema
    .createIndex('incident_timeline_incident')
    .on('incident_timeline')
    .columns(['incident_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('incident_timeline').execute();
  await db.schema.dropTable('incidents').execute();
}
