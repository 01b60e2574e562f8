// Self-service restores (the wizard, approvals, expiry): what a run records of each step, and
// the approvals given to it. An approval is bound to the plan it approved (its hash): a run
// whose plan changes no longer counts it. Approvals are never deleted, only voided (with why).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('restore_runs')
    // the hash of the plan (backup, point in time, scope, destination, masking, post-restore
    // scripts) fixed by the preview; approvals name it
    .addColumn('plan_hash', 'text')
    // "I reviewed the impact", given with the typed identifier when the run was submitted
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('submitted_at', 'timestamptz')
    // the last approval that made the run approved
    .addColumn('approved_at', 'timestamptz')
    // a dry run not submitted by then, or a submitted run not approved by then, expires
    .addColumn('expires_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('restore_approvals')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('run_id', 'int8', (c) => c.notNull().references('restore_runs.id'))
    .addColumn('approver', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('approve', 'reject')`))
    .addColumn('comment', 'text')
    .addColumn('plan_hash', 'text', (c) => c.notNull())
    // a dba-admin approving in place of the owning team (policy.dba_admin_can_approve)
    .addColumn('override', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('voided_at', 'timestamptz')
    .addColumn('void_reason', 'text')
    .execute();
  await db.schema.createIndex('restore_approvals_run').on('restore_approvals').column('run_id').execute();
  // one standing approval per approver and run
  await sql`create unique index restore_approvals_one_per_approver on restore_approvals (run_id, approver)
            where decision = 'approve' and voided_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('restore_approvals').execute();
  await db.schema
    .alterTable('restore_runs')
    .dropColumn('plan_hash')
    .dropColumn('acknowledged_at')
    .dropColumn('submitted_at')
    .dropColumn('approved_at')
    .dropColumn('expires_at')
    .execute();
}
