// Backups get what restore runs have had since 0004: the worker that runs them and its
// heartbeat, so that a reaper can fail a backup whose worker was lost (and remove its partial
// files) instead of leaving it `running` for ever. Workers record the instance they belong to
// (host and data directory), so that a restarted `lifeboat start` recognises what its own
// previous process left running and fails it at once.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('backups')
    .addColumn('worker_id', 'text')
    .addColumn('heartbeat_at', 'timestamptz')
    .execute();
  await db.schema.alterTable('workers').addColumn('instance', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('workers').dropColumn('instance').execute();
  await db.schema.alterTable('backups').dropColumn('heartbeat_at').dropColumn('worker_id').execute();
}
