// Physical backups taken by pgBackRest (src/physical): one row per backup label of a server's
// stanza, recorded from `pgbackrest info --output=json` after each backup and on every refresh.
// The database system identifier exceeds JavaScript's safe integers, so it is stored as text.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('physical_backups')
    .addColumn('server', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('stanza', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('prior', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('stopped_at', 'timestamptz', (c) => c.notNull())
    .addColumn('start_lsn', 'text')
    .addColumn('stop_lsn', 'text')
    .addColumn('wal_start', 'text')
    .addColumn('wal_stop', 'text')
    .addColumn('size', 'int8')
    .addColumn('delta', 'int8')
    .addColumn('repo_size', 'int8')
    .addColumn('repo_delta', 'int8')
    .addColumn('system_id', 'text', (c) => c.notNull())
    .addColumn('pg_version', 'text')
    .addColumn('trigger', 'text', (c) => c.notNull().defaultTo('manual'))
    .addColumn('requested_by', 'text')
    .addColumn('verify_status', 'text', (c) => c.notNull().defaultTo('unverified'))
    .addColumn('verify_error', 'text')
    .addColumn('verified_at', 'timestamptz')
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expired_at', 'timestamptz')
    .addPrimaryKeyConstraint('physical_backups_pk', ['server', 'label'])
    .execute();
  await db.schema
    .createIndex('physical_backups_server_time')
    .on('physical_backups')
    .columns(['server', 'stopped_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('physical_backups').execute();
}
