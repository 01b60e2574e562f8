// The change feed (src/store/changes.ts): every insert or update of a backup or a restore run
// notifies `lifeboat_changes` with the row's key (`backup:<id>`, `run:<id>`), delivered when the
// transaction commits, so that waiters wake at once instead of polling the row.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function lifeboat_notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('lifeboat_changes', tg_argv[0] || ':' || new.id);
      return null;
    end
    $$`.execute(db);
  await sql`create trigger backups_changed after insert or update on backups
    for each row execute function lifeboat_notify_change('backup')`.execute(db);
  await sql`create trigger restore_runs_changed after insert or update on restore_runs
    for each row execute function lifeboat_notify_change('run')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger restore_runs_changed on restore_runs`.execute(db);
  await sql`drop trigger backups_changed on backups`.execute(db);
  await sql`drop function lifeboat_notify_change()`.execute(db);
}
