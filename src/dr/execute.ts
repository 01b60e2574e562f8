// `dr execute <incident>`: the recovery, as seed 003's runbook reads, each step named and timed
// in the incident's timeline:
//   prepare the target (a new PostgreSQL instance on this worker's machine, on a free port, as
//   the postgres OS user; or the configured standby server) → restore the chosen recovery point
//   into it (a logical backup through the restore's own step, restore-copy.ts, never masked) →
//   validate (row counts against the backup's manifest and the database's `verify` checks) →
//   cut over (the database's hooks, in order) → poll the health check and the smoke test until
//   green → recovered (the RTO clock stops at health green).
// A failure at any step marks the incident failed at that step and notifies; the new instance
// is kept, running, for inspection (its data directory and port are in the incident and the
// notification). The report is stored as evidence when the execution settles.
// The worker heartbeats the incident throughout and records the step it is in and, before it
// creates it, the new instance's directory (scratch_dir, with this host): a worker that dies
// leaves the reaper (reap.ts) what it needs to fail the incident and remove the instance.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type PgBoss from 'pg-boss';
import type { Catalog, DatabaseConfig } from '../catalog/types.js';
import type { TableCount } from '../backup/manifest.js';
import type { InstanceDoc, PlanDoc } from '../contract/dr.js';
import { ROW_COUNTS_CHECK, failedChecksMessage, runDrillChecks } from '../drills/checks.js';
import { databaseExists, withAdmin } from '../engines/postgres/admin.js';
import { clusterUrl, giveToPostgres, initCluster, startCluster } from '../engines/postgres/local-cluster.js';
import { LifeboatError, messageOf } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import { redact, Secret } from '../lib/secret.js';
import { RunTracker } from '../restore/progress.js';
import { openSource, restoreCopy } from '../restore/steps/restore-copy.js';
import type { Db } from '../store/db.js';
import { enqueueIn } from '../worker/queue.js';
import { makeScratchDir } from '../worker/scratch.js';
import { recoverServerToNewInstance, type RecoverProgress } from '../physical/recover.js';
import { runCutover } from './cutover.js';
import { storeReport } from './evidence.js';
import { incidentFacts } from './facts.js';
import { waitForGreen } from './health.js';
import { addTimeline, type TimelineEntry, transitionIncident } from './incident-state.js';
import { pointLabel, type RecoveryPoint } from './recovery-point.js';
import { buildReport, timelineDocs } from './report.js';

export const DR_QUEUE = 'dr.execute';

export type DrStep = 'prepare_target' | 'restore' | 'validate' | 'cutover' | 'health';

/** Marks the incident executing and enqueues the job, in one transaction. */
export async function requestExecution(
  db: Db,
  queue: PgBoss,
  incidentId: number,
  actor: string,
  requestId?: string | null,
): Promise<void> {
  const row = await db
    .selectFrom('incidents')
    .select(['plan', 'scratch_dir', 'scratch_host'])
    .where('id', '=', incidentId)
    .executeTakeFirst();
  const plan = row?.plan as PlanDoc | null | undefined;
  if (row && (!plan || !plan.chosen)) {
    throw new LifeboatError(
      'conflict',
      plan
        ? `incident ${incidentId}'s plan chose no recovery point: ${plan.rpoMiss ?? ''}`
        : `incident ${incidentId} has no plan`,
      { hint: `plan it (again) first: \`lifeboat dr plan ${incidentId}\`` },
    );
  }
  await transitionIncident(
    db,
    incidentId,
    {
      event: 'execute',
      actor,
      requestId: requestId ?? null,
      set: {
        worker_id: null,
        error: null,
        error_step: null,
        recovered_at: null,
        instance: null,
        step: null,
        scratch_dir: null,
        scratch_host: null,
      },
      details: { recoveryPoint: plan?.chosen ? pointLabel(plan.chosen) : null },
    },
    async (trx) => {
      // a lost execution's instance on a machine whose reaper has not removed it yet (that
      // machine may be gone too): the recovery does not wait for it, and says where it is
      if (row?.scratch_dir)
        await addTimeline(trx, incidentId, {
          kind: 'step_started',
          message: `the new instance a lost execution left in ${row.scratch_dir} on ${row.scratch_host ?? '?'} is not removed: remove it by hand there`,
          details: { step: 'cleanup', dir: row.scratch_dir, host: row.scratch_host },
        });
      await enqueueIn(trx, queue, DR_QUEUE, { incidentId }, { retryLimit: 0, expireInHours: 23 });
    },
  );
}

export interface ExecuteDeps {
  db: Db;
  catalog: Catalog;
  logger: Logger;
}

interface Target {
  instance: InstanceDoc;
  url: Secret;
}

export async function runExecution(
  deps: ExecuteDeps,
  incidentId: number,
  ctx: { signal: AbortSignal; workerId: string },
): Promise<'recovered' | 'failed' | 'skipped'> {
  // claimed by one worker only
  const claimed = await deps.db
    .updateTable('incidents')
    .set({ worker_id: ctx.workerId, heartbeat_at: new Date() })
    .where('id', '=', incidentId)
    .where('status', '=', 'executing')
    .where('worker_id', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!claimed) return 'skipped';
  const plan = claimed.plan as PlanDoc;
  const point = plan.chosen!;
  const database = deps.catalog.databases[claimed.database];
  const record = (e: TimelineEntry) => addTimeline(deps.db, incidentId, e);
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const onShutdown = () => abort.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onShutdown);
  const secrets: Secret[] = Object.values(deps.catalog.servers).map((s) => s.url);
  let step: DrStep = 'prepare_target';
  let target: Target | undefined;
  let healthGreen: Date | undefined;
  let work: string | undefined;
  // only while the incident is this worker's (a reaper may have failed it, and another worker taken it)
  const mine = () =>
    deps.db.updateTable('incidents').where('id', '=', incidentId).where('worker_id', '=', ctx.workerId);
  // the heartbeat, through every step (a long health wait or cutover hook is alive too)
  const beat = setInterval(() => {
    mine()
      .set({ heartbeat_at: new Date() })
      .execute()
      .catch((err) => deps.logger.warn({ incidentId, err: redact(messageOf(err)) }, 'incident heartbeat failed'));
  }, 1000);
  const scratch: ScratchNote = async (dir) => {
    await mine().set({ scratch_dir: dir, scratch_host: hostname() }).execute();
  };
  try {
    if (!database) throw new LifeboatError('not_found', `database ${claimed.database} is no longer in lifeboat.yaml`);
    const timed = async <T>(name: DrStep, what: string, fn: () => Promise<T>): Promise<T> => {
      step = name;
      await mine().set({ step: name }).execute();
      const started = Date.now();
      await record({ kind: 'step_started', message: `${name}: ${what}`, details: { step: name } });
      const out = await fn();
      await record({
        kind: 'step_finished',
        message: `${name} done in ${((Date.now() - started) / 1000).toFixed(1)}s`,
        details: { step: name, ms: Date.now() - started },
      });
      return out;
    };

    const noteTarget = async (t: Target) => {
      secrets.push(t.url);
      await deps.db
        .updateTable('incidents')
        .set({ instance: JSON.stringify(t.instance) })
        .where('id', '=', incidentId)
        .execute();
      await record({
        kind: 'step_finished',
        message: `target ready: ${t.instance.host}:${t.instance.port}/${t.instance.dbname}${t.instance.dataDir ? ` (data directory ${t.instance.dataDir})` : ''}`,
        details: { step: 'target', instance: t.instance },
      });
    };
    let tables: readonly TableCount[];
    if (point.kind === 'physical') {
      // pgBackRest restores the whole cluster into a new instance: the restore prepares the target
      if ((database.dr?.target ?? 'new_instance') !== 'new_instance')
        await record({
          kind: 'step_started',
          message: `a physical recovery point is recovered into a new instance, not standby server ${(database.dr!.target as { server: string }).server}`,
          details: { step: 'target' },
        });
      target = await timed(
        'restore',
        `${pointLabel(point)} replayed to ${point.target === 'time' ? point.takenAt : `the newest archived WAL (archived ${point.takenAt})`} into a new instance on this worker`,
        () => recoverPhysical(deps, point, database, incidentId, record, scratch, abort.signal),
      );
      await noteTarget(target);
      // no manifest to count against: the database's verify checks validate it
      tables = [];
    } else {
      target = await timed('prepare_target', describeTarget(database), () =>
        prepareTarget(deps, incidentId, database, scratch),
      );
      const t = target;
      await noteTarget(t);
      work = await makeScratchDir('dr', incidentId);
      tables = await timed('restore', `${pointLabel(point)} (taken ${point.takenAt})`, () =>
        restorePoint(deps, point, database, t, work!, secrets, incidentId, abort.signal),
      );
    }
    const t = target;

    await timed('validate', 'row counts against the backup and the verify checks', async () => {
      const checks = await runDrillChecks(t.url, t.instance.dbname, tables, database.verify);
      for (const c of checks)
        await record({
          kind: 'step_finished',
          message: `check "${c.name}": ${c.passed ? 'passed' : 'FAILED'} (${JSON.stringify(c.value)})`,
          details: { step: 'check', name: c.name, passed: c.passed, rowCounts: c.name === ROW_COUNTS_CHECK },
        });
      const failed = failedChecksMessage(checks);
      if (failed) throw new LifeboatError('blocked_by_check', failed, { hint: 'inspect the recovered database' });
    });

    const hooks = database.dr?.cutover ?? [];
    await timed('cutover', hooks.length ? `${hooks.length} hook(s)` : 'no cutover hooks configured', () =>
      runCutover(
        hooks,
        { incident: incidentId, database: database.name, instance: t.instance, url: t.url },
        record,
        abort.signal,
      ),
    );

    healthGreen = await timed('health', 'polling the health check and the smoke test', () =>
      waitForGreen(
        {
          ...(database.dr?.healthUrl ? { healthUrl: database.dr.healthUrl } : {}),
          ...(database.dr?.smokeUrl ? { smokeUrl: database.dr.smokeUrl } : {}),
          timeoutMs: deps.catalog.dr.healthTimeout.ms,
          intervalMs: deps.catalog.dr.healthInterval.ms,
        },
        record,
        abort.signal,
      ),
    );
  } catch (err) {
    const error = redact(messageOf(err), secrets);
    const kept = target?.instance.dataDir
      ? `${target.instance.dataDir} (PostgreSQL on ${target.instance.host}:${target.instance.port}, ${target.instance.passwordFile ? `password in ${target.instance.passwordFile}` : "the source server's roles and passwords"})`
      : target
        ? `${target.instance.dbname} on ${target.instance.server}`
        : null;
    await record({ kind: 'step_failed', message: `${step} failed: ${error}`, details: { step, error } });
    await transitionIncident(deps.db, incidentId, {
      event: 'fail',
      actor: 'worker',
      owner: ctx.workerId,
      quiet: true,
      // the instance is the failure's to keep for inspection now, no longer the reaper's to remove
      set: { error, error_step: step, heartbeat_at: new Date(), scratch_dir: null, scratch_host: null },
      details: { step, reason: error, ...(kept ? { kept } : {}) },
      timeline: {
        kind: 'failed',
        message: `recovery failed at ${step}${kept ? `; kept for inspection: ${kept}` : ''}`,
        details: { step, kept },
      },
      notify: {
        type: 'dr.failed',
        facts: () =>
          incidentFacts({ ...claimed, error, error_step: step }, { actor: 'worker', status: 'failed', kept }),
      },
    });
    await settle(deps, incidentId);
    return 'failed';
  } finally {
    clearInterval(beat);
    ctx.signal.removeEventListener('abort', onShutdown);
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  }

  // recovered: the RTO clock stops at health green
  const green = healthGreen!;
  const timeline = await deps.db
    .selectFrom('incident_timeline')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
  const report = buildReport(
    { ...claimed, status: 'recovered', recovered_at: green },
    timelineDocs(timeline),
    database,
    new Date(),
  );
  await transitionIncident(deps.db, incidentId, {
    event: 'recover',
    actor: 'worker',
    owner: ctx.workerId,
    quiet: true,
    // the new instance is the recovered database now: never the reaper's to remove
    set: { recovered_at: green, heartbeat_at: new Date(), scratch_dir: null, scratch_host: null },
    details: {
      rpoAchievedSeconds: report.rpoAchievedSeconds,
      rtoAchievedSeconds: report.rtoAchievedSeconds,
      misses: report.misses,
    },
    timeline: {
      kind: 'recovered',
      message: `service restored: RPO achieved ${report.rpoAchievedSeconds}s, RTO achieved ${report.rtoAchievedSeconds}s${report.misses.length ? `; ${report.misses.join('; ')}` : ''}`,
      details: { rpoAchievedSeconds: report.rpoAchievedSeconds, rtoAchievedSeconds: report.rtoAchievedSeconds },
    },
    notify: {
      type: 'dr.recovered',
      facts: () =>
        incidentFacts(claimed, {
          actor: 'worker',
          status: 'recovered',
          rpoAchievedSeconds: report.rpoAchievedSeconds,
          rtoAchievedSeconds: report.rtoAchievedSeconds,
          misses: report.misses,
        }),
    },
  });
  await settle(deps, incidentId);
  return 'recovered';
}

/** The report stored as evidence once the execution settled (a storage problem is logged, not fatal). */
async function settle(deps: ExecuteDeps, incidentId: number): Promise<void> {
  try {
    await storeReport(deps, incidentId, 'worker');
  } catch (err) {
    deps.logger.warn({ incidentId, reason: redact(messageOf(err)) }, 'incident report could not be stored');
  }
}

function describeTarget(database: DatabaseConfig): string {
  const t = database.dr?.target ?? 'new_instance';
  return t === 'new_instance' ? 'a new PostgreSQL instance on this worker' : `standby server ${t.server}`;
}

/** Records a directory about to be created for a new instance (before it is: see the header). */
type ScratchNote = (dir: string) => Promise<void>;

async function prepareTarget(
  deps: ExecuteDeps,
  incidentId: number,
  database: DatabaseConfig,
  scratch: ScratchNote,
): Promise<Target> {
  const t = database.dr?.target ?? 'new_instance';
  if (t !== 'new_instance') {
    const server = deps.catalog.servers[t.server];
    if (!server) throw new LifeboatError('not_found', `standby server ${t.server} is no longer in lifeboat.yaml`);
    // a standby's database is never replaced: the recovery goes into an empty place only
    const exists = await withAdmin(server.url, (c) => databaseExists(c, database.dbname));
    if (exists)
      throw new LifeboatError('conflict', `standby server ${server.name} already has a database ${database.dbname}`, {
        hint: `drop or rename it on ${server.name} if it may be replaced, then execute the incident again`,
      });
    const u = new URL(server.url.reveal());
    u.pathname = `/${encodeURIComponent(database.dbname)}`;
    return {
      instance: {
        kind: 'standby',
        server: server.name,
        host: u.hostname,
        port: Number(u.port || 5432),
        dbname: database.dbname,
        user: decodeURIComponent(u.username),
        dataDir: null,
        passwordFile: null,
      },
      url: new Secret(u.toString(), `standby ${server.name}`),
    };
  }
  const dir = join(deps.catalog.dr.instancesDir, `incident-${incidentId}-${Date.now()}`);
  const dataDir = join(dir, 'pgdata');
  await scratch(dir);
  await mkdir(dir, { recursive: true });
  // the postgres OS user enters it to reach the data directory (whatever the umask)
  await chmod(dir, 0o755);
  const password = randomBytes(18).toString('base64url');
  const passwordFile = join(dir, 'password');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  await initCluster({ dataDir, superuser: 'postgres', password, durable: true });
  giveToPostgres(dataDir);
  const port = await startCluster(dataDir);
  // (connections to other databases of it take this URL with another name: admin.ts withClient)
  const url = new Secret(
    clusterUrl({ port, superuser: 'postgres', password }, database.dbname),
    `incident ${incidentId} instance`,
  );
  return {
    instance: {
      kind: 'new_instance',
      server: null,
      host: '127.0.0.1',
      port,
      dbname: database.dbname,
      user: 'postgres',
      dataDir,
      passwordFile,
    },
    url,
  };
}

/** Restores the point into the target's database; the tables (with their row counts) to validate. */
async function restorePoint(
  deps: ExecuteDeps,
  point: RecoveryPoint,
  database: DatabaseConfig,
  t: Target,
  work: string,
  secrets: Secret[],
  incidentId: number,
  signal: AbortSignal,
) {
  switch (point.kind) {
    case 'logical': {
      const source = await openSource(deps, point.backupId, database);
      const tracker = new RunTracker(async () => {
        await deps.db.updateTable('incidents').set({ heartbeat_at: new Date() }).where('id', '=', incidentId).execute();
        return false;
      }, secrets);
      tracker.start(() => {});
      try {
        await restoreCopy({
          url: t.url,
          dbname: t.instance.dbname,
          source: source.reader,
          work,
          database,
          // production data recovered for production: never masked
          mask: false,
          tracker,
          signal,
          onCreated: () => {},
        });
        return source.reader.manifest.tables;
      } finally {
        await tracker.stop();
        await source.close();
      }
    }
    case 'physical':
      throw new LifeboatError('internal', `${pointLabel(point)} is recovered by recoverPhysical, not restored`);
    default: {
      const never: never = point;
      return never;
    }
  }
}

type PhysicalPoint = Extract<RecoveryPoint, { kind: 'physical' }>;

/**
 * A physical point: pgBackRest restores the server's stanza from the point's backup set into a
 * new instance (src/physical/recover.ts), replaying WAL to the point's time or to the newest
 * archived WAL; the progress (file restore, start, WAL replay, promotion) goes into the timeline.
 * The database inside it is the source database under its own name.
 */
async function recoverPhysical(
  deps: ExecuteDeps,
  point: PhysicalPoint,
  database: DatabaseConfig,
  incidentId: number,
  record: (e: TimelineEntry) => Promise<void>,
  scratch: ScratchNote,
  signal: AbortSignal,
): Promise<Target> {
  // pgBackRest's new instance is made inside a directory of the incident's, recorded first
  const dir = join(deps.catalog.dr.instancesDir, `incident-${incidentId}-${Date.now()}`);
  await scratch(dir);
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  // progress arrives synchronously: written in order, awaited before the step ends
  let pending: Promise<unknown> = Promise.resolve();
  const note = (message: string, details: Record<string, unknown>) => {
    pending = pending
      .then(() => record({ kind: 'progress', message, details: { step: 'restore', ...details } }))
      .catch(() => {});
  };
  let lastDecile = -1;
  let lastReplay = 0;
  const onProgress = (p: RecoverProgress) => {
    switch (p.phase) {
      case 'checking':
        note('checking the archive reaches the target', { phase: p.phase });
        return;
      case 'restoring': {
        const decile = Math.floor(p.percent / 10);
        if (decile === lastDecile) return;
        lastDecile = decile;
        note(`restoring files from ${p.label ?? 'the backup set'}: ${Math.floor(p.percent)}%`, {
          phase: p.phase,
          percent: p.percent,
          bytes: p.bytes,
          totalBytes: p.totalBytes,
        });
        return;
      }
      case 'starting':
        note(`starting the recovered instance on 127.0.0.1:${p.port}`, { phase: p.phase, port: p.port });
        return;
      case 'replaying': {
        if (Date.now() - lastReplay < 5000) return;
        lastReplay = Date.now();
        note(
          `replaying WAL: at ${p.replayedLsn ?? '?'}${p.replayedAt ? `, last commit replayed ${p.replayedAt.toISOString()}` : ''}`,
          { phase: p.phase, replayedLsn: p.replayedLsn, replayedAt: p.replayedAt?.toISOString() ?? null },
        );
        return;
      }
      case 'promoted':
        note(`promoted: recovered to ${p.recoveredTo.toISOString()}`, {
          phase: p.phase,
          recoveredTo: p.recoveredTo.toISOString(),
        });
        return;
      default: {
        const never: never = p;
        return never;
      }
    }
  };
  try {
    const inst = await recoverServerToNewInstance(deps.catalog, point.server, {
      target: point.target === 'time' ? { type: 'time', at: new Date(point.takenAt) } : { type: 'latest' },
      set: point.label,
      parentDir: dir,
      signal,
      onProgress,
    });
    const u = new URL(inst.url.reveal());
    u.pathname = `/${encodeURIComponent(database.dbname)}`;
    return {
      instance: {
        kind: 'new_instance',
        server: null,
        host: '127.0.0.1',
        port: inst.port,
        dbname: database.dbname,
        user: decodeURIComponent(u.username),
        dataDir: inst.dataDir,
        // the roles and passwords are the source server's (restored with it)
        passwordFile: null,
      },
      url: new Secret(u.toString(), `incident ${incidentId} instance`),
    };
  } finally {
    await pending;
  }
}
