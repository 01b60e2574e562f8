// A drill's scratch database still to be dropped by the reaper (src/drills/reap.ts): set when a
// drill is failed because its worker was lost, or cancelled while it ran, and cleared once the
// scratch database is gone (by its worker, or by the reaper once no worker heartbeats for it).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('drills')
    .addColumn('drop_scratch', 'boolean', (c) => c.notNull().defaultTo(sql`false`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('drills').dropColumn('drop_scratch').execute();
}
