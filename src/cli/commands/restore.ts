// `lifeboat restore request|show|submit|approve|reject|status|list|cancel|undo`.
import type { Command } from 'commander';
import type { BackupDetail } from '../../contract/backups.js';
import type { RunDoc } from '../../contract/runs.js';
import { LifeboatError } from '../../errors.js';
import { DRY_RUN_STATUSES, TERMINAL_STATUSES as TERMINAL_RUN_STATUSES } from '../../restore/lifecycle.js';
import { formatBytes } from '../../lib/bytes.js';
import { formatDuration } from '../../lib/duration.js';
import { undoneName } from '../../restore/names.js';
import { parseList } from '../parse.js';
import { apiClient } from '../client.js';
import { type CliContext, cliContext, emit } from '../context.js';
import { EXIT } from '../exit.js';
import { approvalLines, checksAndPreview, checksTable, progressLine } from '../run-view.js';
import { followBackup } from '../backup-view.js';

/** Where the run writes, named as it is on the server; a production run's typed confirmation beside it. */
function destinationOf(r: RunDoc): string {
  const d = r.destination;
  return d.identifier === d.target
    ? `${d.target} (${d.tier})`
    : `${d.target} (${d.tier}; confirmed as "${d.identifier}")`;
}

/** The run's kept copy on the destination server, with its size; null once dropped. */
function keptCopy(r: RunDoc): string | null {
  const p = r.previous;
  if (!p || p.dropped) return null;
  return `${r.destination.server}/${p.dbname} (${formatBytes(p.sizeBytes)}) ${p.expiresAt ? `until ${p.expiresAt}` : 'until a DBA drops it (a restore into production always keeps it)'}`;
}

/** A run's status as people read it: when a scheduled run starts. */
function statusOf(r: RunDoc): string {
  return r.status === 'scheduled' && r.startAt ? `scheduled for ${r.startAt}` : r.status;
}

/** What a queued run waits for (its team's limit, an earlier run, its destination), when a worker said. */
function waitingOf(r: RunDoc): string | null {
  return r.status === 'queued' && typeof r.progress.waiting === 'string' ? `waiting: ${r.progress.waiting}` : null;
}

/** The run in a few lines; with `details`, its checks and preview too (before what to do next). */
function summary(r: RunDoc, details = false, nextStep = true): string {
  const took = r.durationMs !== null ? ` in ${formatDuration(r.durationMs)}` : '';
  const lines = [
    `run ${r.id}: ${statusOf(r)}${took}  ${r.database} → ${destinationOf(r)}`,
    `  backup ${r.source.backupId ?? '-'}${r.tables ? `, tables ${r.tables.join(', ')}` : ''}, requested by ${r.requestedBy}`,
  ];
  const waiting = waitingOf(r);
  if (waiting) lines.push(`  ${waiting}`);
  if (r.error) lines.push(`  failed in ${r.errorStep}: ${r.error}`);
  for (const w of r.warnings) lines.push(`  warning: ${w.message}`);
  const kept = keptCopy(r);
  if (kept && r.undoneAt) lines.push(`  undone at ${r.undoneAt}: the restored copy is kept as ${kept}`);
  else if (kept) {
    lines.push(`  previous copy kept as ${kept}`);
    lines.push(
      `  \`lifeboat restore undo ${r.id}\` puts it back and moves the current ${r.destination.dbname} aside as ${undoneName(r.destination.dbname, r.id)}`,
    );
  }
  if (details) lines.push(checksAndPreview(r));
  lines.push(...approvalLines(r));
  if (r.status === 'previewed' && nextStep)
    lines.push(
      `  dry run: to execute this very run, \`lifeboat restore submit ${r.id} --confirm "${r.destination.identifier}"\` (or repeat the request with --execute --confirm)`,
    );
  return lines.join('\n');
}

/**
 * Follows a run to its end on the server's progress stream (the server sends the run whenever
 * it changes), printing a bar on a terminal or a line per phase otherwise. A stream that ends
 * early (the server restarting) is opened again.
 */
async function watch(ctx: CliContext, id: number): Promise<RunDoc> {
  const api = apiClient(ctx);
  let lastPhase = '';
  let last: RunDoc | undefined;
  let done = false;
  const onRun = (r: RunDoc): boolean => {
    last = r;
    const waiting = waitingOf(r);
    const phase = `${r.status}:${r.phase ?? ''}:${waiting ?? ''}`;
    if (!ctx.json) {
      if (ctx.stdoutIsTTY) process.stdout.write(`\r\x1b[2K${progressLine(r)}`);
      else if (phase !== lastPhase)
        process.stdout.write(
          `${new Date().toISOString()} run ${r.id} ${r.status}${r.phase ? ` (${r.phase})` : ''} ${r.progress.percent ?? 0}%${r.status === 'running' ? `  ${typeof r.progress.etaSeconds === 'number' ? `ETA ${formatDuration(r.progress.etaSeconds * 1000)}` : 'ETA unknown'}` : ''}${waiting ? `  ${waiting}` : ''}\n`,
        );
    }
    lastPhase = phase;
    if (TERMINAL_RUN_STATUSES.has(r.status)) {
      if (!ctx.json && ctx.stdoutIsTTY) process.stdout.write('\n');
      return true;
    }
    if (DRY_RUN_STATUSES.has(r.status)) {
      // a dry run does not move by itself: waiting on it would wait forever
      if (!ctx.json && ctx.stdoutIsTTY) process.stdout.write('\n');
      process.stderr.write(
        `run ${r.id} is a dry run (${r.status}): nothing happens until it is submitted\nHINT: submit it with \`lifeboat restore submit ${r.id} --confirm "${r.destination.identifier}" --wait\`\n`,
      );
      return true;
    }
    return false;
  };
  while (!done) {
    await api.events(`/api/v1/runs/${id}/events`, (_event, data) => (done = onRun(JSON.parse(data) as RunDoc)));
    if (!done) await new Promise((res) => setTimeout(res, 200));
  }
  return last!;
}

/**
 * Prints what a submission acknowledges: the run with its checks and preview. With --json the
 * document printed at the end carries them (`checks`, `preview`), and stdout stays one document.
 */
function showBeforeSubmit(ctx: CliContext, r: RunDoc): void {
  if (!ctx.json) process.stdout.write(`${summary(r, true, false)}\n`);
}

/**
 * `--at T` on a database whose server has physical backups: asks the API to prepare the database
 * as it was at T (a worker recovers and backs it up) and follows it on stderr until it is
 * verified; resolves with the backup's id. Undefined when the database has no physical backups
 * (then T picks the newest logical backup taken at or before it, as the run request does).
 * Ctrl-C leaves the backup being prepared and says how to go on with it.
 */
async function prepareAsAt(
  ctx: CliContext,
  database: string,
  at: string,
  requestAgain: (id: string) => string,
): Promise<string | undefined> {
  let b: BackupDetail;
  try {
    b = await apiClient(ctx).request<BackupDetail>('POST', '/api/v1/backups/as-at', { database, at });
  } catch (err) {
    const details = err instanceof LifeboatError ? (err.details as { physical?: unknown } | undefined) : undefined;
    if (details?.physical === false) return undefined;
    throw err;
  }
  if (b.status === 'verified') return b.id;
  process.stderr.write(
    `${new Date().toISOString()} preparing ${b.database} as it was at ${b.at ?? at} on a worker: backup ${b.id}\n`,
  );
  const interrupted = () => {
    process.stderr.write(
      `\ninterrupted: backup ${b.id} goes on being prepared on a worker\nHINT: follow it with \`lifeboat backup show ${b.id} --wait\`, then request the restore from it: \`${requestAgain(b.id)}\`; or stop it: \`lifeboat backup cancel ${b.id}\`\n`,
    );
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    b = await followBackup(ctx, b.id);
  } finally {
    process.off('SIGINT', interrupted);
  }
  if (b.status === 'cancelled') {
    throw new LifeboatError(
      'conflict',
      `unable to prepare ${b.database} as it was at ${b.at ?? at}: backup ${b.id} was ${b.error ?? 'cancelled'}`,
      { hint: 'request it again to prepare it anew' },
    );
  }
  if (b.status !== 'verified') {
    throw new LifeboatError(
      b.status === 'corrupt' ? 'backup_corrupt' : 'engine_failed',
      `unable to prepare ${b.database} as it was at ${b.at ?? at}: backup ${b.id} is ${b.status}${b.error ? `: ${b.error}` : b.verifyError ? `: ${b.verifyError}` : ''}`,
      { hint: `read its log: \`lifeboat backup show ${b.id} --log\`` },
    );
  }
  return b.id;
}

/** The command line of a request, with `--backup <id>` instead of `--at` (what to run after Ctrl-C). */
function requestWithBackup(database: string, o: Record<string, string | boolean | undefined>, id: string): string {
  const q = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`);
  const parts = ['lifeboat restore request', q(database), '--to', q(String(o.to)), '--backup', id];
  for (const [flag, key] of [
    ['--tables', 'tables'],
    ['--start-at', 'startAt'],
    ['--justification', 'justification'],
    ['--confirm', 'confirm'],
  ] as const) {
    if (typeof o[key] === 'string') parts.push(flag, q(o[key]));
  }
  if (o.execute) parts.push('--execute');
  if (o.wait) parts.push('--wait');
  return parts.join(' ');
}

function exitFor(r: RunDoc): void {
  if (['failed', 'cancelled', 'rejected', 'expired'].includes(r.status)) process.exitCode = EXIT.failed;
}

export function registerRestoreCommands(program: Command): void {
  const restore = program.command('restore').description('request, follow, cancel and undo restores');
  restore
    .command('request <database>')
    .description('a dry run up to the preview; with --execute --confirm <identifier>, submitted')
    .requiredOption('--to <server[/dbname]>', 'destination server and database name')
    .option('--backup <id>', 'restore this backup (default: the newest verified one)')
    .option(
      '--at <time>',
      'as it was at this ISO time (a server with pgbackrest: recovered to it and backed up on a worker first, progress on stderr); otherwise the newest backup taken at or before it',
    )
    .option('--tables <a,b>', 'restore only these tables (rows replaced in one transaction)')
    .option('--start-at <time>', 'start at this ISO time')
    .option('--justification <text>', 'why (shown to approvers, kept in the audit trail)')
    .option('--execute', 'submit the run (otherwise a dry run)')
    .option('--confirm <identifier>', 'the destination identifier typed back exactly')
    .option('--wait', 'with --execute: follow the run to its end')
    .action(async (database: string, o: Record<string, string | boolean | undefined>, cmd: Command) => {
      const ctx = cliContext(cmd);
      // a point in time on a server with physical backups: its backup is prepared first
      const prepared =
        typeof o.at === 'string' && o.backup === undefined
          ? await prepareAsAt(ctx, database, o.at, (id) => requestWithBackup(database, o, id))
          : undefined;
      const body = {
        database,
        to: o.to,
        backupId: prepared ?? o.backup,
        at: prepared ? undefined : o.at,
        tables: o.tables ? parseList(o.tables as string) : undefined,
        startAt: o.startAt,
        justification: o.justification,
        // always a dry run first: --execute then submits that very run, once its checks and
        // preview have been printed (they are what the acknowledgement sent with it is about)
        execute: false,
      };
      const client = apiClient(ctx);
      let r = await client.request<RunDoc>('POST', '/api/v1/runs', body);
      if (!o.execute) {
        emit(ctx, r, () => summary(r, true));
        // a dry run that could not be executed: the thing checked failed
        if (r.checks.some((c) => c.severity === 'blocking')) process.exitCode = EXIT.failed;
        return;
      }
      showBeforeSubmit(ctx, r);
      r = await client.request<RunDoc>('POST', `/api/v1/runs/${r.id}/submit`, {
        confirm: o.confirm,
        acknowledge: true,
      });
      if (o.wait) r = await watch(ctx, r.id);
      emit(ctx, r, () => summary(r));
      if (o.wait) exitFor(r);
    });
  restore
    .command('checks <run>')
    .description("the run's safety checks: blocking, warning, safe, each with its code and hint")
    .action(async (id: string, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<{ checks: RunDoc['checks'] }>(
        'GET',
        `/api/v1/runs/${encodeURIComponent(id)}/checks`,
      );
      emit(ctx, r, () => checksTable(r.checks));
      if (r.checks.some((c) => c.severity === 'blocking')) process.exitCode = EXIT.failed;
    });
  restore
    .command('show <run>')
    .description('a run with its checks, preview and outcome')
    .option('--log', 'include the run log')
    .action(async (id: string, o: { log?: boolean }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<RunDoc>(
        'GET',
        `/api/v1/runs/${encodeURIComponent(id)}${o.log ? '?log=true' : ''}`,
      );
      emit(ctx, r, () => `${summary(r, true)}${o.log ? `\n--- log ---\n${r.log ?? ''}` : ''}`);
    });
  restore
    .command('submit <run>')
    .description(
      'submit a previewed dry run: prints its checks and preview, then sends --confirm <identifier> with the acknowledgement that they were reviewed',
    )
    .requiredOption('--confirm <identifier>', 'the destination identifier typed back exactly')
    .option('--wait', 'follow the run to its end')
    .action(async (id: string, o: { confirm: string; wait?: boolean }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const client = apiClient(ctx);
      const path = `/api/v1/runs/${encodeURIComponent(id)}`;
      const before = await client.request<RunDoc>('GET', path);
      showBeforeSubmit(ctx, before);
      let r = await client.request<RunDoc>('POST', `${path}/submit`, { confirm: o.confirm, acknowledge: true });
      if (o.wait) r = await watch(ctx, r.id);
      emit(ctx, r, () => summary(r));
      if (o.wait) exitFor(r);
    });
  restore
    .command('approve <run>')
    .description(
      'approve a run waiting for approvals: prints its plan, checks, preview and approvals, then approves that very plan (refused if it changed meanwhile)',
    )
    .option('--comment <text>', 'kept with the approval and in the audit trail')
    .action(async (id: string, o: { comment?: string }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const client = apiClient(ctx);
      const path = `/api/v1/runs/${encodeURIComponent(id)}`;
      const before = await client.request<RunDoc>('GET', path);
      // what is approved is shown first (on stderr with --json, whose stdout is one document)
      const shown = `${summary(before, true, false)}\nplan ${before.planHash ?? '(not hashed yet: the server hashes it now)'}\n`;
      if (ctx.json) process.stderr.write(shown);
      else process.stdout.write(shown);
      const r = await client.request<RunDoc>('POST', `${path}/approve`, {
        comment: o.comment,
        planHash: before.planHash ?? undefined,
      });
      emit(
        ctx,
        r,
        () =>
          `run ${r.id} approved by you: ${r.status.replace('_', ' ')} (${r.approvalsReceived} of ${r.approvalsRequired} approvals)`,
      );
    });
  restore
    .command('reject <run>')
    .description('reject a run waiting for approvals, saying why: the run ends')
    .requiredOption('--comment <text>', 'why (shown to the requester, kept in the audit trail)')
    .action(async (id: string, o: { comment: string }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<RunDoc>('POST', `/api/v1/runs/${encodeURIComponent(id)}/reject`, {
        comment: o.comment,
      });
      emit(ctx, r, () => `run ${r.id} rejected`);
    });
  restore
    .command('status <run>')
    .description("the run's status; --watch follows it to the end (a progress bar on a terminal)")
    .option('--watch', 'wait for the run to end')
    .action(async (id: string, o: { watch?: boolean }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = o.watch
        ? await watch(ctx, Number(id))
        : await apiClient(ctx).request<RunDoc>('GET', `/api/v1/runs/${encodeURIComponent(id)}`);
      emit(ctx, r, () => summary(r));
      if (o.watch) exitFor(r);
    });
  restore
    .command('list')
    .description('restore runs, newest first')
    .option('--database <name>')
    .option('--status <status>')
    .option('--awaiting-me', 'only runs waiting for an approval you may give (your inbox)')
    .action(async (o: { database?: string; status?: string; awaitingMe?: boolean }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const query = { database: o.database, status: o.status, awaitingMe: o.awaitingMe ? 'true' : undefined };
      const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v) as [string, string][]).toString();
      const r = await apiClient(ctx).request<{ runs: RunDoc[] }>('GET', `/api/v1/runs${qs ? `?${qs}` : ''}`);
      emit(
        ctx,
        r,
        () =>
          r.runs
            .map((x) => {
              const waiting =
                x.status === 'pending_approval' ? `  approvals ${x.approvalsReceived} of ${x.approvalsRequired}` : '';
              const line = `${String(x.id).padStart(5)}  ${x.status.padEnd(16)} ${x.database} → ${x.destination.target}  ${x.requestedBy}  ${x.createdAt}${waiting}`;
              const kept = keptCopy(x);
              const more = [
                x.status === 'scheduled' ? statusOf(x) : null,
                waitingOf(x),
                kept ? `kept copy ${kept}` : null,
              ];
              return [line, ...more.filter((m) => m !== null).map((m) => `       ${m}`)].join('\n');
            })
            .join('\n') || (o.awaitingMe ? 'no runs awaiting your approval' : 'no runs'),
      );
    });
  restore
    .command('cancel <run>')
    .description('cancel a run; a running one stops and cleans up, the destination untouched')
    .action(async (id: string, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<RunDoc>('POST', `/api/v1/runs/${encodeURIComponent(id)}/cancel`, {});
      emit(ctx, r, () =>
        r.status === 'cancelled' ? `run ${r.id} cancelled` : `run ${r.id}: cancel requested; it stops within seconds`,
      );
    });
  restore
    .command('undo <run>')
    .description(
      'put the destination back as it was before the run (its kept copy); the database there now is moved aside as <dbname>__lb_undone_<run>',
    )
    .action(async (id: string, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<RunDoc>('POST', `/api/v1/runs/${encodeURIComponent(id)}/undo`, {});
      emit(
        ctx,
        r,
        () =>
          `run ${r.id} undone: ${r.destination.target} is back as it was before run ${r.id}; the database that was in place (the run's restored copy) is moved aside as ${r.previous?.dbname}`,
      );
    });
}
