// Where a `dr execute` is, for the reaper of incidents whose worker was lost (src/dr/reap.ts):
// the step it is in, and the directory of the new PostgreSQL instance it is making on its
// machine (recorded before the directory is created, with that machine's hostname). The
// directory is cleared once the instance is the incident's outcome (recovered, or kept for
// inspection by a failure the worker saw) or once a reaper on that machine removed it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('incidents')
    .addColumn('step', 'text')
    .addColumn('scratch_dir', 'text')
    .addColumn('scratch_host', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('incidents')
    .dropColumn('step')
    .dropColumn('scratch_dir')
    .dropColumn('scratch_host')
    .execute();
}
