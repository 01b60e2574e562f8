// The restore wizard, server-side and persisted (PRODUCT.md capability 4, seed 004): a run is
// created as a draft and moves through the steps with API calls, each step's result stored on
// the run —
//   draft (database, destination) → source (backup id or point in time) → scope (all, or tables)
//   → checks → preview → submit (confirm)
// Choosing the source or the scope again resets everything downstream: checks, preview,
// confirmation and approvals (voided, never deleted). Only the requester moves their run, and
// only while no worker has it. Each step is one transaction through the one writer of a run's
// status (run-state.ts); the slow parts (checks and preview talk to the servers) run before it.
import type { Selectable, Transaction } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Principal } from '../access/principal.js';
import { recordAudit } from '../audit/record.js';
import { Manifest } from '../backup/manifest.js';
import { PITR_TRIGGER, RESTORABLE_BACKUP_STATUSES } from '../backup/status.js';
import { getDatabase, getServer } from '../catalog/lookup.js';
import type { Catalog, DatabaseConfig, ServerConfig } from '../catalog/types.js';
import type { CheckDoc, PreviewDoc } from '../contract/runs.js';
import { LifeboatError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { Database, RestoreRunTable } from '../store/schema.js';
import { assessChecks, assessPreview } from './assess/index.js';
import { loadRun } from './control.js';
import { assertDestinationAllowed, cataloguedDatabases } from './destination-rule.js';
import { confirmationFor, parseDestination } from './identifier.js';
import { EDITABLE_STATUSES, type RunEvent, type RunStatus } from './lifecycle.js';
import { assertAsAtPossible, assertInRecoveryWindow, findBackupAsAt, physicalServerOf } from './pitr-source.js';
import { currentPlanHash } from './plan.js';
import { transitionRun } from './run-state.js';
import { resolveScope } from './scope.js';

export interface WizardDeps {
  db: Db;
  queue?: PgBoss;
  catalog: Catalog;
}

type RunRow = Selectable<RestoreRunTable>;

/** Approvals a run needs: the database's setting, and never fewer than two into production. */
export function approvalsRequired(database: DatabaseConfig, destinationTier: string): number {
  return destinationTier === 'production' ? Math.max(2, database.approvals) : database.approvals;
}

export interface DraftRequest {
  database: string;
  /** `<server>` or `<server>/<dbname>`. */
  to: string;
  startAt?: string | undefined;
  justification?: string | undefined;
}

/** The destination of a request, judged against the catalog in force (an error when not allowed). */
export function resolveDestination(
  catalog: Catalog,
  database: DatabaseConfig,
  to: string,
): { server: ServerConfig; dbname: string } {
  const dest = parseDestination(to, database.dbname);
  const server = getServer(catalog, dest.server);
  if (!database.destinations.includes(server.name)) {
    throw new LifeboatError('destination_not_allowed', `${database.name} may not be restored to ${server.name}`, {
      hint: `allowed destinations: ${database.destinations.join(', ') || '(none)'}; add it to databases.${database.name}.destinations`,
    });
  }
  assertDestinationAllowed({
    database: database.name,
    server: server.name,
    dbname: dest.dbname,
    tier: server.tier,
    catalogued: cataloguedDatabases(catalog),
  });
  return { server, dbname: dest.dbname };
}

/**
 * Step 0: a draft run (database and destination chosen). The destination's tier and the
 * identifier to type back are frozen on the run here and kept for audit; so is the number of
 * approvals it needs. A dry run that is never submitted expires (policy.dry_run_expires_after).
 */
export async function createDraft(
  deps: WizardDeps,
  who: Principal,
  req: DraftRequest,
  requestId: string | null,
  trx?: Transaction<Database>,
): Promise<number> {
  const database = getDatabase(deps.catalog, req.database);
  const { server, dbname } = resolveDestination(deps.catalog, database, req.to);
  const write = async (t: Transaction<Database>) => {
    const row = await t
      .insertInto('restore_runs')
      .values({
        database: database.name,
        owner_team: database.owner,
        source_server: database.server,
        destination_server: server.name,
        destination_dbname: dbname,
        destination_tier: server.tier,
        identifier: confirmationFor({ server: server.name, dbname, tier: server.tier, database: database.name }),
        status: 'draft',
        requested_by: who.user,
        justification: req.justification ?? null,
        start_at: req.startAt ? new Date(req.startAt) : null,
        approvals_required: approvalsRequired(database, server.tier),
        expires_at: new Date(Date.now() + deps.catalog.policy.dryRunExpiresAfter.ms),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(row.id);
    await recordAudit(t, {
      actor: who.user,
      action: 'restore.request',
      subjectType: 'run',
      subjectId: String(id),
      details: {
        database: database.name,
        destination: `${server.name}/${dbname}`,
        tier: server.tier,
        identifier: confirmationFor({ server: server.name, dbname, tier: server.tier, database: database.name }),
        startAt: req.startAt ?? null,
      },
      requestId,
    });
    return id;
  };
  return trx ? write(trx) : deps.db.transaction().execute(write);
}

/** What every edit resets: the steps downstream of the source or the scope. */
const RESET_DOWNSTREAM = {
  checks: '[]',
  preview: null,
  plan_hash: null,
  confirmed_at: null,
  acknowledged_at: null,
  submitted_at: null,
  approved_at: null,
} as const;

/** Locks the run and checks that `who` may move it with `event` (the requester, while no worker has it). */
async function lockEditable(trx: Transaction<Database>, who: Principal, runId: number, step: string): Promise<RunRow> {
  const run = await trx.selectFrom('restore_runs').selectAll().where('id', '=', runId).forUpdate().executeTakeFirst();
  if (!run)
    throw new LifeboatError('not_found', `no restore run ${runId}`, { hint: 'list runs with `lifeboat restore list`' });
  assertRequester(run, who);
  if (!EDITABLE_STATUSES.has(run.status as RunStatus)) {
    throw new LifeboatError(
      'invalid_transition',
      `run ${runId} is ${run.status.replace('_', ' ')}: its ${step} can no longer change`,
      {
        hint: 'a run a worker has, or one that has ended, is not edited; request a new one',
        details: { from: run.status, event: step },
      },
    );
  }
  return run;
}

/** Throws the refusal lockEditable gives (the run can no longer change). */
async function lockEditableNow(deps: WizardDeps, who: Principal, runId: number): Promise<void> {
  await deps.db.transaction().execute((t) => lockEditable(t, who, runId, 'source'));
}

/** Voids the run's standing approvals (an edit changes what they approved). */
async function voidApprovals(trx: Transaction<Database>, runId: number, reason: string): Promise<number> {
  const r = await trx
    .updateTable('restore_approvals')
    .set({ voided_at: new Date(), void_reason: reason })
    .where('run_id', '=', runId)
    .where('voided_at', 'is', null)
    .where('decision', '=', 'approve')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export interface SourceRequest {
  backupId?: string | undefined;
  /**
   * On a database whose server has physical backups: the database as it was at this time, from
   * the backup of it prepared beforehand (POST /api/v1/backups/as-at, pitr-source.ts). Otherwise
   * the newest restorable backup taken at or before it.
   */
  at?: string | undefined;
}

/** What a source names, once resolved to a backup: the physical point in time it came from, if any. */
export interface ResolvedSource {
  /** Resolved already (resolveSource): taken as it is. */
  resolved: true;
  backupId: string;
  at?: string | undefined;
  physical?: { server: string; stanza: string; at: string };
}

/**
 * Resolves a source to a backup. A backup of the database as it was at T (trigger pitr), named by
 * id, brings its point in time with it. A point in time on a database with physical backups is
 * the backup of the state then, prepared beforehand by a worker (POST /api/v1/backups/as-at):
 * one that is completed or verified is taken; otherwise the request is refused (409) with the
 * way to prepare it — never a recovery inside the request.
 */
export async function resolveSource(
  deps: WizardDeps,
  _who: Principal,
  database: DatabaseConfig,
  req: SourceRequest,
  _requestId: string | null,
): Promise<ResolvedSource> {
  const server = physicalServerOf(deps.catalog, database);
  const physicalOf = (at: Date) =>
    server ? { server: server.name, stanza: server.pgbackrest.stanza, at: at.toISOString() } : undefined;
  if (req.backupId) {
    const row = await deps.db
      .selectFrom('backups')
      .select(['id', 'trigger', 'point_in_time'])
      .where('id', '=', req.backupId)
      .where('database', '=', database.name)
      .executeTakeFirst();
    if (row?.trigger === PITR_TRIGGER && row.point_in_time) {
      const physical = physicalOf(row.point_in_time);
      return {
        resolved: true,
        backupId: row.id,
        at: row.point_in_time.toISOString(),
        ...(physical ? { physical } : {}),
      };
    }
  }
  if (req.at && !req.backupId && server) {
    const at = new Date(req.at);
    assertAsAtPossible(deps.catalog, database, at);
    const ready = await findBackupAsAt(deps.db, database.name, at, RESTORABLE_BACKUP_STATUSES);
    if (ready) return { resolved: true, backupId: ready.id, at: req.at, physical: physicalOf(at)! };
    const preparing = await findBackupAsAt(deps.db, database.name, at, ['queued', 'running']);
    if (preparing) {
      throw new LifeboatError(
        'conflict',
        `the backup of ${database.name} as it was at ${at.toISOString()} is still being prepared (backup ${preparing.id}, ${preparing.status})`,
        {
          hint: `follow it with \`lifeboat backup show ${preparing.id} --wait\`, then request the restore with --backup ${preparing.id}`,
          details: { backupId: preparing.id },
        },
      );
    }
    // a T outside the recovery window is refused as such, before anything else is said
    await assertInRecoveryWindow(deps.catalog, server, at);
    throw new LifeboatError(
      'conflict',
      `the state of ${database.name} at ${at.toISOString()} has not been prepared: it is recovered and backed up by a worker first`,
      {
        hint: `prepare it with POST /api/v1/backups/as-at {"database": "${database.name}", "at": "${at.toISOString()}"} and request the restore with the backup id it answers (\`lifeboat restore request ${database.name} --at ${at.toISOString()}\` does both, showing progress)`,
      },
    );
  }
  const backup = await chooseBackup(deps.db, database.name, req);
  return { resolved: true, backupId: backup.id, at: req.at };
}

/** The backup a source names: by id (whatever its status: the checks judge it), or the newest restorable one. */
export async function chooseBackup(
  db: Db | Transaction<Database>,
  database: string,
  req: SourceRequest,
): Promise<{ id: string; status: string; verifyError: string | null; manifest: Manifest }> {
  let q = db
    .selectFrom('backups')
    .select(['id', 'status', 'manifest', 'finished_at', 'verify_error'])
    .where('database', '=', database)
    .where('deleted_at', 'is', null);
  if (req.backupId) q = q.where('id', '=', req.backupId);
  else {
    q = q
      .where('status', 'in', RESTORABLE_BACKUP_STATUSES)
      .where('trigger', '<>', PITR_TRIGGER)
      .orderBy('finished_at', 'desc')
      .limit(1);
    if (req.at) q = q.where('finished_at', '<=', new Date(req.at));
  }
  const row = await q.executeTakeFirst();
  if (!row) {
    throw new LifeboatError(
      'not_found',
      req.backupId
        ? `no backup ${req.backupId} of ${database}`
        : `no restorable backup of ${database}${req.at ? ` taken at or before ${req.at}` : ''}`,
      {
        hint: `take one with \`lifeboat backup run ${database}\`, or list them with \`lifeboat backup list ${database}\``,
      },
    );
  }
  if (!row.manifest) {
    throw new LifeboatError(
      'blocked_by_check',
      `backup ${row.id} is ${row.status} and has no manifest to restore from`,
      {
        hint: `choose a completed backup (\`lifeboat backup list ${database}\`)`,
      },
    );
  }
  return { id: row.id, status: row.status, verifyError: row.verify_error, manifest: Manifest.parse(row.manifest) };
}

async function edit(
  deps: WizardDeps,
  who: Principal,
  runId: number,
  step: 'source' | 'scope',
  apply: (
    run: RunRow,
    t: Transaction<Database>,
  ) => Promise<{ set: Record<string, unknown>; details: Record<string, unknown> }>,
  requestId: string | null,
  trx?: Transaction<Database>,
): Promise<void> {
  const work = async (t: Transaction<Database>) => {
    const run = await lockEditable(t, who, runId, step);
    const { set, details } = await apply(run, t);
    const voided = await voidApprovals(t, runId, `the ${step} changed`);
    await transitionRun(t, runId, {
      event: step satisfies RunEvent,
      actor: who.user,
      set: { ...RESET_DOWNSTREAM, ...set },
      details: { ...details, ...(voided ? { approvalsVoided: voided } : {}) },
      requestId,
    });
  };
  await (trx ? work(trx) : deps.db.transaction().execute(work));
}

/**
 * Step 1: the source. Resets the scope and everything after it. A point in time on a database
 * with physical backups is resolved first (resolveSource), outside the run's transaction; a
 * source already resolved (`resolved`) is taken as it is.
 */
export async function chooseSource(
  deps: WizardDeps,
  who: Principal,
  runId: number,
  req: SourceRequest | ResolvedSource,
  requestId: string | null,
  trx?: Transaction<Database>,
): Promise<void> {
  let source: SourceRequest | ResolvedSource = req;
  if (!('resolved' in req) && (req.at || req.backupId)) {
    // refused before the source is looked at: someone else's run, or one that can no longer change
    const before = await loadRun(deps.db, runId);
    assertRequester(before, who);
    if (!EDITABLE_STATUSES.has(before.status as RunStatus)) await lockEditableNow(deps, who, runId);
    // (a backup as at T named by id brings its point in time)
    source = await resolveSource(deps, who, getDatabase(deps.catalog, before.database), req, requestId);
  }
  const physical = 'physical' in source ? source.physical : undefined;
  await edit(
    deps,
    who,
    runId,
    'source',
    async (run, t) => {
      const backup = await chooseBackup(t, run.database, source);
      return {
        set: { backup_id: backup.id, point_in_time: source.at ? new Date(source.at) : null, tables: null },
        details: {
          backupId: backup.id,
          backupStatus: backup.status,
          at: source.at ?? null,
          ...(physical ? { source: 'physical', physical } : {}),
        },
      };
    },
    requestId,
    trx,
  );
}

/** Step 2: the scope: the whole database (null) or these tables of the backup. Resets what follows. */
export async function chooseScope(
  deps: WizardDeps,
  who: Principal,
  runId: number,
  tables: readonly string[] | null,
  requestId: string | null,
  trx?: Transaction<Database>,
): Promise<void> {
  await edit(
    deps,
    who,
    runId,
    'scope',
    async (run, t) => {
      if (!run.backup_id) {
        throw new LifeboatError('invalid_transition', `run ${runId} has no source yet: choose the backup first`, {
          hint: `PUT /api/v1/runs/${runId}/source with a backupId or a point in time`,
          details: { from: run.status, event: 'scope' },
        });
      }
      const backup = await chooseBackup(t, run.database, { backupId: run.backup_id });
      const scope = tables?.length ? resolveScope(tables, backup.manifest.tables) : null;
      const names = scope?.map((t) => `${t.schema}.${t.name}`) ?? null;
      return { set: { tables: names }, details: { tables: names ?? 'all' } };
    },
    requestId,
    trx,
  );
}

/** What the checks and the preview are worked out from: the run as it stands, against the catalog in force. */
async function assessInput(deps: WizardDeps, run: RunRow) {
  const database = getDatabase(deps.catalog, run.database);
  const server = getServer(deps.catalog, run.destination_server);
  const backupRow = await deps.db
    .selectFrom('backups')
    .select(['id', 'status', 'manifest', 'finished_at', 'verify_error'])
    .where('id', '=', run.backup_id!)
    .executeTakeFirst();
  if (!backupRow?.manifest) {
    throw new LifeboatError('not_found', `backup ${run.backup_id} of run ${run.id} is gone`, {
      hint: `choose another source: PUT /api/v1/runs/${run.id}/source`,
    });
  }
  const manifest = Manifest.parse(backupRow.manifest);
  return {
    db: deps.db,
    catalog: deps.catalog,
    database,
    destination: { server, dbname: run.destination_dbname },
    backup: {
      id: backupRow.id,
      status: backupRow.status,
      finishedAt: backupRow.finished_at ?? new Date(manifest.finishedAt),
      verifyError: backupRow.verify_error,
      manifest,
    },
    tables: run.tables ? resolveScope(run.tables, manifest.tables) : null,
    runId: run.id,
  };
}

/** Only the requester moves their run through the wizard. */
function assertRequester(run: RunRow, who: Principal): void {
  if (run.requested_by !== who.user) {
    throw new LifeboatError(
      'forbidden',
      `run ${run.id} was requested by ${run.requested_by}; only they can change it`,
      {
        hint: 'request your own restore with `lifeboat restore request`',
      },
    );
  }
}

function assertOwnStep(run: RunRow, who: Principal, step: string, from: readonly RunStatus[]): void {
  assertRequester(run, who);
  if (!from.includes(run.status as RunStatus)) {
    throw new LifeboatError(
      'invalid_transition',
      `run ${run.id} is ${run.status.replace('_', ' ')}: its ${step} can be worked out only once it is ${from.join(' or ')}`,
      {
        hint:
          run.status === 'draft'
            ? `choose its scope first (all tables, or some)`
            : `see \`lifeboat restore show ${run.id}\``,
        details: { from: run.status, event: step },
      },
    );
  }
}

/**
 * Step 3: the safety checks, each blocking, warning or safe, kept on the run. They talk to the
 * destination server (sessions, versions, extensions, row counts), so they are worked out
 * first; the transition then commits them only if the run did not move meanwhile.
 */
export async function runChecks(
  deps: WizardDeps,
  who: Principal,
  runId: number,
  requestId: string | null,
): Promise<CheckDoc[]> {
  const before = await loadRun(deps.db, runId);
  assertOwnStep(before, who, 'checks', ['scoped', 'checked', 'previewed']);
  const checks = await assessChecks(await assessInput(deps, before));
  await commitStep(
    deps,
    who,
    before,
    'check',
    { checks: JSON.stringify(checks), preview: null, plan_hash: null },
    {
      blocking: checks.filter((c) => c.severity === 'blocking').map((c) => c.code),
      warnings: checks.filter((c) => c.severity === 'warning').map((c) => c.code),
    },
    requestId,
  );
  return checks;
}

/** Step 4: the preview, kept on the run, and the plan an approval will be bound to (its hash). */
export async function buildPreview(
  deps: WizardDeps,
  who: Principal,
  runId: number,
  requestId: string | null,
): Promise<PreviewDoc> {
  const before = await loadRun(deps.db, runId);
  assertOwnStep(before, who, 'preview', ['checked', 'previewed']);
  const preview = await assessPreview(await assessInput(deps, before));
  const planHash = await currentPlanHash(deps.catalog, before);
  await commitStep(
    deps,
    who,
    before,
    'preview',
    { preview: JSON.stringify(preview), plan_hash: planHash },
    { planHash },
    requestId,
  );
  return preview;
}

/**
 * Commits a step's result, unless the run changed while it was being worked out (another
 * step, an edit, a cancel): then the result describes a run that no longer exists, and the
 * caller is told to look again.
 */
async function commitStep(
  deps: WizardDeps,
  who: Principal,
  before: RunRow,
  event: 'check' | 'preview',
  set: Record<string, unknown>,
  details: Record<string, unknown>,
  requestId: string | null,
): Promise<void> {
  const done = await transitionRun(deps.db, Number(before.id), {
    event,
    actor: who.user,
    set,
    details,
    requestId,
    when: (row) => row.updated_at.getTime() === before.updated_at.getTime(),
    onlyFrom: [before.status as RunStatus],
  });
  if (!done) {
    throw new LifeboatError(
      'conflict',
      `run ${before.id} changed while its ${event === 'check' ? 'checks were' : 'preview was'} worked out`,
      {
        hint: `see \`lifeboat restore show ${before.id}\` and take the step again`,
      },
    );
  }
}
