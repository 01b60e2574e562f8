// `lifeboat drill run|cancel|list|show|evidence`, all through the API. `drill evidence` downloads a
// drill's evidence pack and verifies it here, on the client: every file against proof.json, and
// proof.json against the hashes and the audit event the catalog recorded.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { DrillDetail, DrillDoc, DrillEvidence } from '../../contract/drills.js';
import { packProblems } from '../../drills/evidence.js';
import { drillSettled, TERMINAL_DRILL_STATUSES } from '../../drills/lifecycle.js';
import { formatDuration } from '../../lib/duration.js';
import { apiClient } from '../client.js';
import { type CliContext, cliContext, emit } from '../context.js';
import { EXIT } from '../exit.js';

function line(d: DrillDoc): string {
  const took = d.startedAt && d.finishedAt ? formatDuration(Date.parse(d.finishedAt) - Date.parse(d.startedAt)) : '';
  const restore = d.restoreMs !== null ? ` (restore ${formatDuration(d.restoreMs)})` : '';
  return (
    `drill ${d.id}  ${d.database.padEnd(14)} ${d.status.padEnd(7)} backup ${d.backupId} on ${d.target}  ${took}${restore}` +
    (d.error ? `\n  ${d.error}` : '') +
    (d.keptDatabase ? `\n  kept the scratch database ${d.keptDatabase} on ${d.target}` : '')
  );
}

function detail(d: DrillDetail): string {
  const checks = d.checks.map((c) => `  ${c.passed ? 'pass' : 'FAIL'}  ${c.name}: ${JSON.stringify(c.value)}`);
  return [line(d), ...checks, ...(d.log ? ['--- log ---', d.log] : [])].join('\n');
}

async function waitForDrill(ctx: CliContext, id: number): Promise<DrillDetail> {
  const api = apiClient(ctx);
  for (;;) {
    const d = await api.request<DrillDetail>('GET', `/api/v1/drills/${id}?wait=10`);
    if (drillSettled({ status: d.status, hasEvidence: d.evidence !== null, errorStep: d.errorStep })) return d;
    // (a pack that could not be written is not waited for past a minute)
    if (TERMINAL_DRILL_STATUSES.has(d.status) && d.finishedAt && Date.now() - Date.parse(d.finishedAt) > 60_000)
      return d;
    await new Promise((r) => setTimeout(r, 25)); // never a tight loop
  }
}

export function registerDrillCommands(program: Command): void {
  const drill = program.command('drill').description('restore drills: prove backups restore, and keep the evidence');
  drill
    .command('run <database>')
    .description(
      'restore a backup (default: the newest verified) into a scratch database on a non-production server, check it, drop it; with --wait, exit 1 if it fails',
    )
    .option('--backup <id>', 'the backup to drill')
    .option('--target <server>', 'the non-production server (default: drill.target in lifeboat.yaml)')
    .option('--wait', 'wait for the verdict')
    .action(async (database: string, o: { backup?: string; target?: string; wait?: boolean }, cmd: Command) => {
      const ctx = cliContext(cmd);
      let d = await apiClient(ctx).request<DrillDetail>('POST', '/api/v1/drills', {
        database,
        ...(o.backup ? { backupId: o.backup } : {}),
        ...(o.target ? { target: o.target } : {}),
      });
      if (o.wait) d = await waitForDrill(ctx, d.id);
      emit(ctx, d, () =>
        o.wait ? detail(d) : `drill ${d.id} of ${d.database} queued (backup ${d.backupId} on ${d.target})`,
      );
      if (o.wait && d.status !== 'passed') process.exitCode = EXIT.failed;
    });
  drill
    .command('cancel <id>')
    .description('cancel a queued or running drill (a running one stops and its scratch database is dropped)')
    .action(async (id: string, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const d = await apiClient(ctx).request<DrillDetail>('POST', `/api/v1/drills/${encodeURIComponent(id)}/cancel`);
      emit(ctx, d, () => `drill ${d.id} of ${d.database} cancelled`);
    });
  drill
    .command('list [database]')
    .description('drills, newest first')
    .action(async (database: string | undefined, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const q = database ? `?database=${encodeURIComponent(database)}` : '';
      const r = await apiClient(ctx).request<{ drills: DrillDoc[] }>('GET', `/api/v1/drills${q}`);
      emit(ctx, r, () => r.drills.map(line).join('\n') || 'no drills');
    });
  drill
    .command('show <id>')
    .description('one drill: timings and each check with its value and verdict')
    .option('--log', 'include the run log')
    .action(async (id: string, o: { log?: boolean }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const d = await apiClient(ctx).request<DrillDetail>(
        'GET',
        `/api/v1/drills/${encodeURIComponent(id)}${o.log ? '?log=true' : ''}`,
      );
      emit(ctx, d, () => detail(d));
    });
  drill
    .command('evidence <id> <dir>')
    .description("download a drill's evidence pack into <dir> and verify it (exit 1 if it does not verify)")
    .action(async (id: string, dir: string, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const e = await apiClient(ctx).request<DrillEvidence>('GET', `/api/v1/drills/${encodeURIComponent(id)}/evidence`);
      const out = resolve(dir);
      await mkdir(out, { recursive: true });
      const files = Object.fromEntries(
        Object.entries(e.files).map(([name, b64]) => [name, Buffer.from(b64, 'base64')]),
      );
      for (const [name, body] of Object.entries(files)) await writeFile(join(out, name), body);
      const problems = packProblems(files, e.recorded);
      if (e.recorded.auditHashInTrail !== e.recorded.audit.hash)
        problems.push(
          `audit event ${e.recorded.audit.seq} in the audit trail does not have the hash recorded for the drill`,
        );
      const doc = {
        drill: e.drill,
        dir: out,
        files: Object.keys(files).sort(),
        verified: problems.length === 0,
        problems,
      };
      emit(ctx, doc, () =>
        problems.length
          ? `evidence of drill ${e.drill} does NOT verify:\n${problems.map((p) => `  ${p}`).join('\n')}`
          : `evidence of drill ${e.drill} verified (${doc.files.length} files in ${out}, recorded by audit event ${e.recorded.audit.seq})`,
      );
      if (problems.length) process.exitCode = EXIT.failed;
    });
}
