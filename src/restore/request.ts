// Requesting a restore: resolve what the user asked for (database, destination, backup, scope),
// walk the run through draft → scoped → checked → previewed, and — with `execute` and the typed
// confirmation — submit it. Everything a request writes (run, job, audit) is one transaction.
import type PgBoss from 'pg-boss';
import type { Principal } from '../access/principal.js';
import { recordAudit } from '../audit/record.js';
import { Manifest } from '../backup/manifest.js';
import { RESTORABLE_BACKUP_STATUSES } from '../backup/status.js';
import { getDatabase, getServer } from '../catalog/lookup.js';
import type { Catalog, DatabaseConfig } from '../catalog/types.js';
import type { CheckDoc, PreviewDoc, RunRequest } from '../contract/runs.js';
import { LifeboatError } from '../errors.js';
import type { Db } from '../store/db.js';
import { enqueueIn } from '../worker/queue.js';
import { assertDestinationAllowed, cataloguedDatabases } from './destination-rule.js';
import { assertConfirmation, confirmationFor, parseDestination } from './identifier.js';
import { nextStatus, type RunStatus } from './lifecycle.js';
import { RESTORE_QUEUE } from './run-restore.js';
import { maskedInScope, resolveScope } from './scope.js';
import { parseQualifiedName } from '../masking/leak-check.js';

export interface RequestDeps {
  db: Db;
  queue: PgBoss;
  catalog: Catalog;
}

/** Approvals a run needs: the database's setting, and never fewer than two into production. */
export function approvalsRequired(database: DatabaseConfig, destinationTier: string): number {
  return destinationTier === 'production' ? Math.max(2, database.approvals) : database.approvals;
}

async function chooseBackup(
  db: Db,
  database: string,
  req: RunRequest,
): Promise<{ id: string; status: string; manifest: Manifest }> {
  let q = db
    .selectFrom('backups')
    .select(['id', 'status', 'manifest', 'finished_at', 'verify_error'])
    .where('database', '=', database)
    .where('deleted_at', 'is', null);
  if (req.backupId) q = q.where('id', '=', req.backupId);
  else {
    q = q.where('status', 'in', RESTORABLE_BACKUP_STATUSES).orderBy('finished_at', 'desc').limit(1);
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
  // (an unverifiable backup — its last verification could not read the storage — may be chosen
  // by its id: a restore checks every file as it streams; it is never picked by default)
  if (row.status !== 'verified' && row.status !== 'completed' && row.status !== 'unverifiable') {
    throw new LifeboatError(
      'blocked_by_check',
      `backup ${row.id} is ${row.status} and cannot be restored${row.verify_error ? ` (${row.verify_error})` : ''}`,
      { hint: 'choose a verified backup (`lifeboat backup list`)' },
    );
  }
  return { id: row.id, status: row.status, manifest: Manifest.parse(row.manifest) };
}

function sameTable(ref: string, t: { schema: string; name: string }): boolean {
  const q = parseQualifiedName(ref);
  return q.name === t.name && (q.schema ?? 'public') === t.schema;
}

/** A non-production restore is refused while a column declared sensitive has no masking rule. */
export function assertMaskingCoverage(database: DatabaseConfig): void {
  const uncovered = database.masking.sensitive.filter(
    (s) => !database.masking.rules.some((r) => r.column === s.column && sameTable(r.table, { ...qualified(s.table) })),
  );
  if (uncovered.length) {
    throw new LifeboatError(
      'blocked_by_check',
      `${database.name} has sensitive columns without a masking rule: ${uncovered.map((u) => `${u.table}.${u.column}`).join(', ')}`,
      {
        hint: `add masking rules for them in databases.${database.name}.masking.rules`,
      },
    );
  }
}

function qualified(ref: string): { schema: string; name: string } {
  const q = parseQualifiedName(ref);
  return { schema: q.schema ?? 'public', name: q.name };
}

export async function requestRestore(
  deps: RequestDeps,
  who: Principal,
  req: RunRequest,
  requestId: string | null,
): Promise<number> {
  const database = getDatabase(deps.catalog, req.database);
  const dest = parseDestination(req.to, database.dbname);
  const server = getServer(deps.catalog, dest.server);
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
    catalogued: cataloguedDatabases(deps.catalog),
  });
  if (server.tier !== 'production') assertMaskingCoverage(database);
  const backup = await chooseBackup(deps.db, database.name, req);
  const scope = req.tables?.length ? resolveScope(req.tables, backup.manifest.tables) : undefined;
  if (scope && server.tier !== 'production') {
    const masked = maskedInScope(database.masking.rules, scope, backup.manifest);
    if (masked === undefined) {
      throw new LifeboatError(
        'blocked_by_check',
        `a table-scoped restore cannot mask yet, and backup ${backup.id} was taken before Lifeboat recorded which tables are partitions or inheritance children, so it cannot tell whether a masking rule on a parent covers ${scope.map((t) => `${t.schema}.${t.name}`).join(', ')}`,
        {
          hint: `take a new backup (\`lifeboat backup run ${database.name}\`), or restore the whole database (masked)`,
        },
      );
    }
    if (masked.length) {
      throw new LifeboatError(
        'blocked_by_check',
        `a table-scoped restore cannot mask yet, and ${masked.map((t) => `${t.schema}.${t.name}`).join(', ')} has masking rules`,
        {
          hint: 'restore the whole database (masked), or leave the masked tables out of --tables',
        },
      );
    }
  }
  const identifier = confirmationFor({
    server: server.name,
    dbname: dest.dbname,
    tier: server.tier,
    database: database.name,
  });
  if (req.execute) assertConfirmation(identifier, req.confirm, `${server.name}/${dest.dbname}`);
  const approvals = approvalsRequired(database, server.tier);
  const startAt = req.startAt ? new Date(req.startAt) : null;
  const tables = scope?.map((t) => `${t.schema}.${t.name}`) ?? null;
  // personal data is masked on its way to every destination but production (a rollback)
  const masked = server.tier !== 'production' && database.masking.rules.length > 0;
  const preview: PreviewDoc = {
    backupId: backup.id,
    backupTakenAt: backup.manifest.finishedAt,
    tables: (scope ?? backup.manifest.tables).map((t) => ({
      table: `${t.schema}.${t.name}`,
      rowsInBackup: t.rows,
      masking: masked
        ? database.masking.rules.filter((r) => sameTable(r.table, t)).map((r) => `${r.column}: ${r.transform}`)
        : [],
    })),
    masking: {
      applied: masked,
      note: masked
        ? `${database.masking.rules.length} masking rule(s) applied in the stream; every column declared sensitive has one`
        : server.tier === 'production'
          ? 'not masked: a production destination gets the data as it was (a rollback)'
          : `not masked: ${database.name} has no masking rules`,
    },
  };
  // the checks this request passed (a failed one refused it above), kept on the run
  const checks: CheckDoc[] = [
    {
      code: 'destination_allowed',
      severity: 'safe',
      message: `${server.name} (${server.tier}) is an allowed destination of ${database.name}`,
    },
    backup.status === 'verified'
      ? { code: 'backup_verified', severity: 'safe', message: `backup ${backup.id} is verified` }
      : {
          code: 'backup_verified',
          severity: 'warning',
          message: `backup ${backup.id} is ${backup.status}, not verified yet: its checksums are checked as it is restored`,
        },
    { code: 'masking', severity: 'safe', message: preview.masking!.note },
  ];

  return deps.db.transaction().execute(async (trx) => {
    let status: RunStatus = 'draft';
    for (const e of ['scope', 'check', 'preview'] as const) status = nextStatus(status, e);
    if (req.execute) {
      status = nextStatus(status, 'submit', { approvalsMissing: approvals });
      if (status === 'approved')
        status = nextStatus(status, startAt && startAt.getTime() > Date.now() ? 'schedule' : 'enqueue');
    }
    const row = await trx
      .insertInto('restore_runs')
      .values({
        database: database.name,
        owner_team: database.owner,
        source_server: database.server,
        destination_server: server.name,
        destination_dbname: dest.dbname,
        destination_tier: server.tier,
        identifier,
        backup_id: backup.id,
        point_in_time: req.at ? new Date(req.at) : null,
        tables,
        status,
        requested_by: who.user,
        justification: req.justification ?? null,
        start_at: startAt,
        approvals_required: approvals,
        confirmed_at: req.execute ? new Date() : null,
        queued_at: status === 'queued' ? new Date() : null,
        preview: JSON.stringify(preview),
        checks: JSON.stringify(checks),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(row.id);
    if (status === 'queued' || status === 'scheduled') {
      await enqueueIn(
        trx,
        deps.queue,
        RESTORE_QUEUE,
        { runId: id },
        // the run's own heartbeat and reaper decide whether it is alive; pg-boss must not expire it (its maximum is under 24 h)
        { retryLimit: 0, expireInHours: 23, ...(status === 'scheduled' ? { startAfter: startAt! } : {}) },
      );
    }
    await recordAudit(trx, {
      actor: who.user,
      action: req.execute ? 'restore.submit' : 'restore.dry_run',
      subjectType: 'run',
      subjectId: String(id),
      details: {
        database: database.name,
        destination: `${server.name}/${dest.dbname}`,
        identifier,
        backupId: backup.id,
        tables,
        status,
      },
      requestId,
    });
    return id;
  });
}
