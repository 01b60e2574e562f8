// Executing a drill, as the runbook reads (seed 002, "monthly restore drills against staging"):
//   start → restore the backup into a scratch database on the target, through the same step as
//   a restore (restore-copy.ts: masked when the target's tier requires it) → run the checks (row
//   counts against the manifest, the database's `verify`, the drill's own) → write the evidence
//   pack → record the verdict (with the pack's hashes, in the audit event) → write proof.json →
//   drop the scratch database (kept on failure with drill.keep_on_failure)
// A drill never touches the database it drills, nor any restore destination: the scratch
// database is its own (drillName), on a server that is never production (target-rule.ts).
import { setMaxListeners } from 'node:events';
import { rm } from 'node:fs/promises';
import { sql } from 'kysely';
import { buffer } from 'node:stream/consumers';
import { backupPrefix, MANIFEST_FILE } from '../backup/manifest.js';
import type { Catalog } from '../catalog/types.js';
import { dropDatabase, withAdmin } from '../engines/postgres/admin.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import { redact } from '../lib/secret.js';
import { type ProgressSink, RunTracker } from '../restore/progress.js';
import { type OpenedBackup, openSource, restoreCopy } from '../restore/steps/restore-copy.js';
import type { Db } from '../store/db.js';
import { makeScratchDir } from '../worker/scratch.js';
import { type CheckResult, failedChecksMessage, runDrillChecks } from './checks.js';
import { transitionDrill } from './drill-state.js';
import { evidencePrefix, hashesOf, PROOF_FILE, type Proof, writeFiles } from './evidence.js';
import { drillTarget } from './target-rule.js';

export interface DrillDeps {
  db: Db;
  catalog: Catalog;
  logger: Logger;
}

export type DrillOutcome = 'passed' | 'failed' | 'cancelled' | 'skipped';

/** The drill's row: heartbeat and log; says whether the drill is no longer running (cancelled, or reaped). */
function drillSink(db: Db, drillId: number): ProgressSink {
  return async (lines) => {
    const r = await db
      .updateTable('drills')
      .set({
        heartbeat_at: new Date(),
        log: lines.length ? sql`log || ${lines.map((l) => `${l}\n`).join('')}` : sql`log`,
      })
      .where('id', '=', drillId)
      .returning('status')
      .executeTakeFirst();
    return r?.status !== 'running';
  };
}

export async function runDrill(
  deps: DrillDeps,
  drillId: number,
  ctx: { signal: AbortSignal; workerId: string },
): Promise<DrillOutcome> {
  const drill = await deps.db.selectFrom('drills').selectAll().where('id', '=', drillId).executeTakeFirst();
  if (drill?.status !== 'queued') return 'skipped';
  const database = deps.catalog.databases[drill.database];
  const backupRow = await deps.db
    .selectFrom('backups')
    .select('storage')
    .where('id', '=', drill.backup_id)
    .executeTakeFirst();

  // step: start (the target is asked again: the catalog may have changed since the request)
  let server;
  try {
    if (!database) throw new Error(`database ${drill.database} is no longer in lifeboat.yaml`);
    server = drillTarget(deps.catalog, database.name, drill.target_server);
  } catch (err) {
    await transitionDrill(deps.db, drillId, {
      event: 'fail',
      actor: 'worker',
      onlyFrom: ['queued'],
      set: { finished_at: new Date(), error: messageOf(err), error_step: 'start' },
      details: { step: 'start', reason: messageOf(err) },
    });
    return 'failed';
  }
  const started = await transitionDrill(deps.db, drillId, {
    event: 'start',
    actor: 'worker',
    onlyFrom: ['queued'],
    set: { started_at: new Date(), worker_id: ctx.workerId, heartbeat_at: new Date() },
    details: { worker: ctx.workerId },
  });
  if (!started) return 'skipped';

  const secrets = [server.url, ...Object.values(deps.catalog.servers).map((s) => s.url)];
  const tracker = new RunTracker(drillSink(deps.db, drillId), secrets);
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  // cancelled (`lifeboat drill cancel`) or failed by a reaper that took this worker for lost
  let stopped = false;
  const stoppedAbort = new Promise<never>((_resolve, reject) => {
    abort.signal.addEventListener('abort', () => reject(new Error('the drill was stopped')), { once: true });
  });
  stoppedAbort.catch(() => {});
  tracker.start(() => {
    stopped = true;
    abort.abort(new Error('the drill was cancelled'));
  });
  const onShutdown = () => abort.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onShutdown);
  const scratch = drill.scratch_dbname;
  const keepOnFailure = database.drill?.keepOnFailure ?? false;
  const startedAt = new Date();
  let created = false;
  let work: string | undefined;
  let source: OpenedBackup | undefined;
  let restoreMs: number | null = null;
  let checks: CheckResult[] = [];
  let error: string | undefined;
  let errorStep: string | undefined;
  try {
    work = await makeScratchDir('drill', drillId);
    tracker.log(`drill of ${database.name} backup ${drill.backup_id} into ${server.name}/${scratch}`);

    // step: restore into the scratch database, through the restore's own step
    tracker.phaseStart('fetch');
    source = await openSource(deps, drill.backup_id, database);
    const manifest = source.reader.manifest;
    await restoreCopy({
      url: server.url,
      dbname: scratch,
      source: source.reader,
      work,
      database,
      // personal data is masked on its way to every tier but production (never a drill's)
      mask: database.masking.rules.length > 0,
      tracker,
      signal: abort.signal,
      onCreated: () => {
        created = true;
      },
    });
    restoreMs = Date.now() - startedAt.getTime();

    // step: checks, every one recorded with its value and verdict
    tracker.phaseStart('verify');
    // (a stop does not wait for a long check: dropping the scratch database ends its session)
    // (the scratch database is written by pg_restore alone: a drill runs no post-restore step)
    const running = runDrillChecks(
      server.url,
      scratch,
      manifest.tables,
      [...database.verify, ...(database.drill?.checks ?? [])],
      { onlyRestored: true },
    );
    running.catch(() => {});
    checks = await Promise.race([running, stoppedAbort]);
    for (const c of checks)
      tracker.log(`check "${c.name}": ${c.passed ? 'passed' : 'FAILED'} (${JSON.stringify(c.value)})`);
    error = failedChecksMessage(checks);
    if (error) errorStep = 'verify';
  } catch (err) {
    errorStep = tracker.phase;
    error = redact(messageOf(err), secrets);
    tracker.log(`failed in ${errorStep}: ${error}`);
  }

  if (stopped) {
    // step: drop the scratch database whatever keep_on_failure says, and nothing else
    tracker.log('the drill is no longer running (cancelled, or failed by a reaper): stopping');
    if (created) {
      await withAdmin(server.url, (c) => dropDatabase(c, scratch)).then(
        async () => {
          tracker.log(`dropped the scratch database ${scratch}`);
          await deps.db.updateTable('drills').set({ drop_scratch: false }).where('id', '=', drillId).execute();
        },
        // (left marked: the reaper drops it)
        (e) => tracker.log(`could not drop ${scratch}: ${redact(messageOf(e), secrets)}`),
      );
    } else {
      await deps.db.updateTable('drills').set({ drop_scratch: false }).where('id', '=', drillId).execute();
    }
    await tracker.stop();
    await source?.close();
    ctx.signal.removeEventListener('abort', onShutdown);
    if (work !== undefined) await rm(work, { recursive: true, force: true });
    return 'cancelled';
  }

  // step: drop the scratch database (kept on failure when configured)
  let kept: string | null = null;
  if (created) {
    if (error && keepOnFailure) {
      kept = scratch;
      tracker.log(`keeping the scratch database ${scratch} on ${server.name} (drill.keep_on_failure)`);
    } else {
      await withAdmin(server.url, (c) => dropDatabase(c, scratch)).then(
        () => tracker.log(`dropped the scratch database ${scratch}`),
        (e) => tracker.log(`could not drop ${scratch}: ${messageOf(e)}`),
      );
    }
  }
  const finishedAt = new Date();
  const passed = error === undefined;
  tracker.log(passed ? 'drill passed' : `drill failed: ${error}`);
  await tracker.stop();

  // step: the evidence pack, its hashes recorded with the verdict in one audit event
  const result = {
    drill: drillId,
    database: database.name,
    backup: drill.backup_id,
    target: server.name,
    scratchDatabase: scratch,
    keptDatabase: kept,
    verdict: passed ? 'passed' : 'failed',
    error: error ?? null,
    errorStep: errorStep ?? null,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    restoreMs,
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    bytes: source?.reader.manifest.totals.bytes ?? null,
    rows: source?.reader.manifest.totals.rows ?? null,
    checks,
  };
  let pack: { prefix: string; files: Record<string, string> } | undefined;
  let packError: string | undefined;
  try {
    if (!source) throw new Error('the backup could not be opened');
    const row = await deps.db.selectFrom('drills').select('log').where('id', '=', drillId).executeTakeFirstOrThrow();
    const files: Record<string, Buffer> = {
      [MANIFEST_FILE]: await buffer(
        await source.storage.read(`${backupPrefix(database.name, drill.backup_id)}${MANIFEST_FILE}`),
      ),
      'result.json': Buffer.from(`${JSON.stringify(result, null, 2)}\n`),
      'run.log': Buffer.from(redact(row.log, secrets)),
    };
    const prefix = evidencePrefix(drillId);
    await writeFiles(source.storage, prefix, files);
    pack = { prefix, files: hashesOf(files) };
  } catch (err) {
    packError = redact(messageOf(err), secrets);
    deps.logger.warn({ drillId, reason: packError }, 'drill evidence could not be written');
  }

  // step: the verdict (the one writer of a drill's status), then proof.json naming its audit event
  const set = {
    finished_at: finishedAt,
    restore_ms: restoreMs,
    bytes: result.bytes,
    rows: result.rows,
    checks: JSON.stringify(checks),
    error: error ?? null,
    error_step: errorStep ?? null,
    kept_dbname: kept,
  };
  const verdict = await transitionDrill(deps.db, drillId, {
    event: passed ? 'pass' : 'fail',
    actor: 'worker',
    owner: ctx.workerId,
    onlyFrom: ['running'],
    set,
    details: {
      database: database.name,
      backup: drill.backup_id,
      target: server.name,
      ...(error ? { step: errorStep, reason: error } : {}),
      ...(kept ? { kept } : {}),
      evidence: pack ?? { error: packError },
    },
  });
  try {
    if (verdict && pack && source) {
      const proof: Proof = {
        format: 'lifeboat-drill-evidence/1',
        drill: drillId,
        files: pack.files,
        audit: verdict.audit,
      };
      await writeFiles(source.storage, pack.prefix, {
        [PROOF_FILE]: Buffer.from(`${JSON.stringify(proof, null, 2)}\n`),
      });
      await deps.db
        .updateTable('drills')
        .set({ evidence: JSON.stringify({ storage: backupRow?.storage ?? null, ...pack, audit: verdict.audit }) })
        .where('id', '=', drillId)
        .execute();
    }
  } catch (err) {
    deps.logger.warn({ drillId, reason: messageOf(err) }, 'drill proof could not be written');
  } finally {
    await source?.close();
    ctx.signal.removeEventListener('abort', onShutdown);
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  }
  return passed ? 'passed' : 'failed';
}
