// Recovery SLO breaches (src/slo/): one row per breach of one database's objective, open while
// `closed_at` is null. At most one open row per (database, slo): the partial unique index is what
// makes "a breach notifies once" hold even if two evaluators race past their locks. The open
// breaches are `select database, slo from slo_breaches where closed_at is null`.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('slo_breaches')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('database', 'text', (c) => c.notNull())
    .addColumn('slo', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema
    .createIndex('slo_breaches_open')
    .on('slo_breaches')
    .columns(['database', 'slo'])
    .unique()
    .where(sql.ref('closed_at'), 'is', null)
    .execute();
  await db.schema.createIndex('slo_breaches_database').on('slo_breaches').columns(['database', 'opened_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('slo_breaches').execute();
}
