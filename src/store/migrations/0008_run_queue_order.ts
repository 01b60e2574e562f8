// Restore runs queue in order per team (src/restore/admission.ts): a run records when it joined
// the queue (became `queued`), so that with a team's `max_concurrent_restores` reached the
// earliest queued run starts first, whichever job happens to fire first. A run that leaves the
// queue and comes back (a plan voided under it, approved again) joins at the end.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('restore_runs').addColumn('queued_at', 'timestamptz').execute();
  // a team's running and queued runs, read under the team's admission lock at every start
  await sql`create index restore_runs_team_active on restore_runs (owner_team, status)
            where status in ('queued', 'running')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index restore_runs_team_active`.execute(db);
  await db.schema.alterTable('restore_runs').dropColumn('queued_at').execute();
}
