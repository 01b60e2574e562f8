// `lifeboat backup run|list|show|verify|prune|fetch`, and `backup physical setup|run|list|status`
// (pgBackRest stanzas of servers with physical backups), all through the API. `backup fetch` writes
// a plain pg_dump directory that stock pg_restore reads; the server reads the storage and the
// keys, and authorises and audits the fetch (src/http/routes/backup-fetch.ts).
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { BackupDetail, BackupDoc, PruneResult } from '../../contract/backups.js';
import type {
  ArchiveStatusDoc,
  PhysicalBackupDoc,
  PhysicalRunQueued,
  PhysicalSetupResult,
} from '../../contract/physical.js';
import { PHYSICAL_BACKUP_TYPES } from '../../catalog/types.js';
import { LifeboatError } from '../../errors.js';
import { TERMINAL_BACKUP_STATUSES } from '../../backup/status.js';
import { formatBytes } from '../../lib/bytes.js';
import { formatDuration } from '../../lib/duration.js';
import { apiClient } from '../client.js';
import { type CliContext, cliContext, emit } from '../context.js';
import { EXIT } from '../exit.js';
import { writeFetchedFiles } from '../fetch-files.js';
import { followBackup, progressText } from '../backup-view.js';

const size = formatBytes;

function line(b: BackupDoc): string {
  const took = b.startedAt && b.finishedAt ? formatDuration(Date.parse(b.finishedAt) - Date.parse(b.startedAt)) : '';
  return `${b.id}  ${b.database.padEnd(14)} ${b.status.padEnd(9)} ${size(b.bytes).padStart(10)} ${String(b.rows ?? '-').padStart(10)} rows  ${took}${b.error ? `  ${b.error}` : ''}${b.verifyError ? `  ${b.verifyError}` : ''}`;
}

async function waitForBackup(ctx: CliContext, id: string, signal?: AbortSignal): Promise<BackupDetail> {
  const api = apiClient(ctx);
  for (;;) {
    // the server answers once the backup has finished, or after 10 s with its current status
    const b = await api.request<BackupDetail>('GET', `/api/v1/backups/${encodeURIComponent(id)}?wait=10`);
    if (TERMINAL_BACKUP_STATUSES.has(b.status)) return b;
    if (!ctx.json && ctx.stdoutIsTTY) process.stderr.write(`\r${b.id} ${b.status}…`);
    if (signal?.aborted) return b;
    await new Promise((r) => setTimeout(r, 25)); // never a tight loop, even against a server that does not wait
  }
}

function physicalLine(b: PhysicalBackupDoc): string {
  const verdict = b.verifyStatus === 'failed' ? `failed: ${b.verifyError ?? ''}` : b.verifyStatus;
  return `${b.label.padEnd(26)} ${b.server.padEnd(14)} ${b.type.padEnd(4)} ${b.stoppedAt}  ${size(b.size).padStart(10)}  wal ${b.walStart ?? '-'}…${b.walStop ?? '-'}  system ${b.systemId}  ${verdict}`;
}

function registerPhysicalCommands(backup: Command): void {
  const physical = backup
    .command('physical')
    .description('physical backups through pgBackRest (servers with a pgbackrest: section)');
  physical
    .command('setup <server>')
    .description(
      "write the stanza's pgbackrest.conf, create the stanza, check WAL archiving, and print the settings the server needs (exit 1 if archiving does not reach the repository yet)",
    )
    .action(async (server: string, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<PhysicalSetupResult>(
        'POST',
        `/api/v1/physical/${encodeURIComponent(server)}/setup`,
        {},
      );
      emit(ctx, r, () => {
        const settings = Object.entries(r.settings)
          .map(([k, v]) => `  ${k} = '${v.replace(/'/g, "''")}'`)
          .join('\n');
        const head = `stanza ${r.stanza} of ${r.server}: ${r.conf}\nthe server needs (postgresql.conf, then restart for archive_mode/wal_level):\n${settings}`;
        return r.archiving
          ? `${head}\nWAL archiving reaches the repository (pgbackrest check passed)`
          : `${head}\nWAL archiving does NOT reach the repository yet: ${r.checkError ?? ''}\nset the settings above, restart the server and run this again`;
      });
      if (!r.archiving) process.exitCode = EXIT.failed;
    });
  physical
    .command('run <server>')
    .description('take a physical backup now (on a worker)')
    .option('--type <type>', `${PHYSICAL_BACKUP_TYPES.join(', ')}`, 'incr')
    .action(async (server: string, o: { type: string }, cmd: Command) => {
      const ctx = cliContext(cmd);
      if (!(PHYSICAL_BACKUP_TYPES as readonly string[]).includes(o.type)) {
        throw new LifeboatError('invalid_request', `--type ${o.type} is not a pgBackRest backup type`, {
          hint: `use one of ${PHYSICAL_BACKUP_TYPES.join(', ')}`,
        });
      }
      const r = await apiClient(ctx).request<PhysicalRunQueued>(
        'POST',
        `/api/v1/physical/${encodeURIComponent(server)}/backups`,
        { type: o.type },
      );
      emit(
        ctx,
        r,
        () => `${r.type} backup of ${r.server} queued; see it with \`lifeboat backup physical list ${r.server}\``,
      );
    });
  physical
    .command('list [server]')
    .description('recorded physical backups, newest first')
    .action(async (server: string | undefined, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const q = server ? `?server=${encodeURIComponent(server)}` : '';
      const r = await apiClient(ctx).request<{ backups: PhysicalBackupDoc[] }>('GET', `/api/v1/physical/backups${q}`);
      emit(ctx, r, () => r.backups.map(physicalLine).join('\n') || 'no physical backups');
    });
  physical
    .command('status <server>')
    .description('WAL archiving: the newest archived segment and when (the RPO a recovery could achieve right now)')
    .action(async (server: string, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const s = await apiClient(ctx).request<ArchiveStatusDoc>(
        'GET',
        `/api/v1/physical/${encodeURIComponent(server)}/status`,
      );
      emit(ctx, s, () =>
        [
          `stanza ${s.stanza} of ${s.server}: ${s.stanzaStatus}, ${s.backups} backup${s.backups === 1 ? '' : 's'}`,
          `last archived WAL: ${s.lastArchivedSegment ?? 'none'}${s.lastArchivedAt ? ` at ${s.lastArchivedAt}` : ''}`,
          `achievable RPO now: ${s.rpoMs === null ? 'unknown' : formatDuration(s.rpoMs)}`,
          s.serverReachable
            ? `archiver failures: ${s.failedCount ?? 0}${s.lastFailedWal ? ` (last ${s.lastFailedWal} at ${s.lastFailedAt ?? '?'})` : ''}`
            : 'the server did not answer: status from the repository only',
        ].join('\n'),
      );
    });
}

export function registerBackupCommands(program: Command): void {
  const backup = program.command('backup').description('take, list, verify, cancel, prune and fetch backups');
  registerPhysicalCommands(backup);
  backup
    .command('run <database>')
    .description('take a backup now; with --wait, until it is verified (exit 1 if it fails)')
    .option('--wait', 'wait for the backup to finish and be verified')
    .action(async (database: string, o: { wait?: boolean }, cmd: Command) => {
      const ctx = cliContext(cmd);
      let b = await apiClient(ctx).request<BackupDetail>('POST', '/api/v1/backups', { database });
      if (o.wait) b = await waitForBackup(ctx, b.id);
      emit(ctx, b, () => (o.wait ? line(b) : `backup ${b.id} of ${b.database} queued`));
      if (o.wait && b.status !== 'verified') process.exitCode = EXIT.failed;
    });
  backup
    .command('list [database]')
    .description('backups, newest first')
    .action(async (database: string | undefined, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const q = database ? `?database=${encodeURIComponent(database)}` : '';
      const r = await apiClient(ctx).request<{ backups: BackupDoc[] }>('GET', `/api/v1/backups${q}`);
      emit(ctx, r, () => r.backups.map(line).join('\n') || 'no backups');
    });
  backup
    .command('show <id>')
    .description('one backup with its manifest (while it runs, where it is)')
    .option('--log', 'include the run log')
    .option('--wait', 'follow it until it ends, its progress on stderr (exit 1 unless verified)')
    .action(async (id: string, o: { log?: boolean; wait?: boolean }, cmd: Command) => {
      const ctx = cliContext(cmd);
      if (o.wait) await followBackup(ctx, id);
      const b = await apiClient(ctx).request<BackupDetail>(
        'GET',
        `/api/v1/backups/${encodeURIComponent(id)}${o.log ? '?log=true' : ''}`,
      );
      emit(ctx, b, () => {
        const m = b.manifest as { tables?: Array<{ schema: string; name: string; rows: number }> } | null;
        const tables = (m?.tables ?? []).map((t) => `  ${t.schema}.${t.name}: ${t.rows} rows`).join('\n');
        const asAt = b.at ? `  the database as it was at ${b.at}\n` : '';
        const now = b.progress ? `  ${progressText(b.progress)}\n` : '';
        return `${line(b)}\n${asAt}${now}${tables}${o.log && b.log ? `\n--- log ---\n${b.log}` : ''}`;
      });
      if (o.wait && b.status !== 'verified') process.exitCode = EXIT.failed;
    });
  backup
    .command('verify <id>')
    .description(
      're-read every file, check sizes and SHA-256, decrypt, list the archive (exit 1 if corrupt or unverifiable)',
    )
    .action(async (id: string, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const b = await apiClient(ctx).request<BackupDetail>(
        'POST',
        `/api/v1/backups/${encodeURIComponent(id)}/verify`,
        {},
      );
      emit(ctx, b, () =>
        b.status === 'verified'
          ? `backup ${b.id} verified`
          : b.status === 'unverifiable'
            ? `backup ${b.id} could not be verified (the storage could not be read): ${b.verifyError}\nit is unverifiable, not corrupt; Lifeboat verifies it again later`
            : `backup ${b.id} is CORRUPT: ${b.verifyError}`,
      );
      if (b.status !== 'verified') process.exitCode = EXIT.failed;
    });
  backup
    .command('cancel <id>')
    .description(
      'stop a queued or running backup (or a database being prepared as it was at a time); its worker removes what it wrote',
    )
    .action(async (id: string, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const b = await apiClient(ctx).request<BackupDetail>(
        'POST',
        `/api/v1/backups/${encodeURIComponent(id)}/cancel`,
        {},
      );
      emit(ctx, b, () => `backup ${b.id} of ${b.database} cancelled; its worker stops and removes what it wrote`);
    });
  backup
    .command('prune')
    .description('apply retention policies; never deletes the newest verified backup or one in use')
    .option('--dry-run', 'show what would be deleted')
    .option('--database <name>', 'only this database')
    .action(async (o: { dryRun?: boolean; database?: string }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<PruneResult>('POST', '/api/v1/backups/prune', {
        dryRun: o.dryRun === true,
        database: o.database,
      });
      emit(
        ctx,
        r,
        () =>
          r.databases
            .map(
              (d) =>
                `${d.database}: keep ${d.keep.length}, ${r.dryRun ? 'would delete' : 'deleted'} ${d.remove.length}` +
                d.remove.map((x) => `\n  ${x.id}  ${x.why}`).join(''),
            )
            .join('\n') || 'no database has a backup policy',
      );
    });
  backup
    .command('fetch <id> <dir>')
    .description(
      'download a backup into a plain pg_dump directory: decrypted and verified by the server, authorised (dba-admin, recovery-operator) and audited',
    )
    .action(async (id: string, dir: string, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const target = resolve(dir);
      // the server authorises and audits the fetch before it sends anything: a refusal writes nothing
      const body = await apiClient(ctx).stream('POST', `/api/v1/backups/${encodeURIComponent(id)}/fetch`, {
        host: hostname(),
        dir: target,
      });
      const fetched = await writeFetchedFiles(body, target);
      const bytes = fetched.files.reduce((a, f) => a + f.bytes, 0);
      emit(
        ctx,
        { id: fetched.id, status: 'fetched', dir: target, files: fetched.files.length, bytes },
        () =>
          `fetched backup ${fetched.id} into ${target} (${fetched.files.length} files, ${size(bytes)}); restore it with:\n  pg_restore --no-owner --no-acl -j 2 -d <target-database> ${target}`,
      );
    });
}
