// Restore drills (src/drills): a backup restored into a scratch database on a non-production
// server, checked and dropped, with its timings, check verdicts and log. A drill is not a restore
// run: it never writes a destination, so it has its own table and its own status writer.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('drills')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('database', 'text', (c) => c.notNull())
    .addColumn('owner_team', 'text', (c) => c.notNull())
    .addColumn('backup_id', 'text', (c) => c.notNull())
    .addColumn('target_server', 'text', (c) => c.notNull())
    .addColumn('scratch_dbname', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('restore_ms', 'int8')
    .addColumn('bytes', 'int8')
    .addColumn('rows', 'int8')
    .addColumn('checks', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('error', 'text')
    .addColumn('error_step', 'text')
    .addColumn('kept_dbname', 'text')
    .addColumn('evidence', 'jsonb')
    .addColumn('log', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('worker_id', 'text')
    .addColumn('heartbeat_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('drills_database').on('drills').columns(['database', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('drills').execute();
}
