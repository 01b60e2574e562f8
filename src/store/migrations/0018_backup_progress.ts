// A backup's progress while it runs, and the point in time of a backup of a database as it was
// at T (trigger `pitr`, src/restore/pitr-source.ts). `progress` is written by the worker at each
// phase change and whole percent (restoring files, replaying WAL, dumping, verifying) and read by
// `GET /api/v1/backups/:id`; `point_in_time` is the T the backup holds, recorded when it is
// requested, before the worker recovers anything (a later request for the same T reuses it).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('backups')
    .addColumn('point_in_time', 'timestamptz')
    .addColumn('progress', 'jsonb')
    .execute();
  await db.schema
    .createIndex('backups_point_in_time')
    .on('backups')
    .columns(['database', 'point_in_time'])
    .where('point_in_time', 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('backups_point_in_time').execute();
  await db.schema.alterTable('backups').dropColumn('point_in_time').dropColumn('progress').execute();
}
