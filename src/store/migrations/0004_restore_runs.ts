// Restore runs (the aggregate with its lifecycle, progress, log and frozen confirmation) and the
// per-destination lock that keeps two runs from ever writing one destination at once.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('restore_runs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('database', 'text', (c) => c.notNull())
    .addColumn('owner_team', 'text', (c) => c.notNull())
    .addColumn('source_server', 'text', (c) => c.notNull())
    .addColumn('destination_server', 'text', (c) => c.notNull())
    .addColumn('destination_dbname', 'text', (c) => c.notNull())
    .addColumn('destination_tier', 'text', (c) => c.notNull())
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('backup_id', 'text')
    .addColumn('point_in_time', 'timestamptz')
    .addColumn('tables', sql`text[]`)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('justification', 'text')
    .addColumn('start_at', 'timestamptz')
    .addColumn('approvals_required', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('phase', 'text')
    .addColumn('progress', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('checks', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('preview', 'jsonb')
    .addColumn('warnings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('error', 'text')
    .addColumn('error_step', 'text')
    .addColumn('log', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('worker_id', 'text')
    .addColumn('heartbeat_at', 'timestamptz')
    .addColumn('cancel_requested_at', 'timestamptz')
    .addColumn('cancel_requested_by', 'text')
    .addColumn('staging_dbname', 'text')
    .addColumn('previous_dbname', 'text')
    .addColumn('previous_expires_at', 'timestamptz')
    .addColumn('previous_dropped_at', 'timestamptz')
    .addColumn('undone_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('restore_runs_status').on('restore_runs').column('status').execute();
  await db.schema
    .createIndex('restore_runs_destination')
    .on('restore_runs')
    .columns(['destination_server', 'destination_dbname'])
    .execute();

  await db.schema
    .createTable('destination_locks')
    .addColumn('destination', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'int8', (c) => c.notNull().references('restore_runs.id'))
    .addColumn('acquired_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('destination_locks').execute();
  await db.schema.dropTable('restore_runs').execute();
}
