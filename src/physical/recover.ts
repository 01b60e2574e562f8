// Point-in-time recovery of a server's stanza into a new instance on this machine: a new data
// directory, a free port on 127.0.0.1, archiving off (the copy must never push WAL into the
// stanza), started with pg_ctl as the cluster's OS user and awaited until it has promoted.
//
// A target the archive cannot reach is refused BEFORE anything is restored: later than the
// newest archived WAL (pgBackRest would otherwise restore silently "to latest", and PostgreSQL 15
// refuses to start when a target is not reached), or earlier than the oldest backup's end.
// Progress covers the file restore (bytes, from pgBackRest's per-file log) and WAL replay
// (the replayed LSN and the time of the last replayed commit, against the target).
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Catalog, StorageConfig } from '../catalog/types.js';
import { getRepo, getServerOf } from './lookup.js';
import { pgBin } from '../engines/postgres/binaries.js';
import { freePort, runningPostmaster } from '../engines/postgres/local-cluster.js';
import { LifeboatError } from '../errors.js';
import { run, tail } from '../lib/process.js';
import { redact, Secret } from '../lib/secret.js';
import { archiveStatus } from './backup.js';
import { readStanzaInfo } from './backup.js';
import { writePgBackRestConf } from './conf.js';
import type { PhysicalBackupInfo, StanzaInfo } from './info.js';
import { giveTo, osUserRunAs } from './os-user.js';
import { pgbackrest, type PhysicalServer, secretsOf } from './pgbackrest.js';
import { makeScratchDir } from '../worker/scratch.js';
import { lastTransactionInArchive } from './wal-reach.js';

export type RecoveryTarget = { type: 'time'; at: Date } | { type: 'latest' };

export type RecoverProgress =
  | { phase: 'checking' }
  | { phase: 'restoring'; label: string | null; bytes: number; totalBytes: number | null; percent: number }
  | { phase: 'starting'; port: number }
  | {
      phase: 'replaying';
      replayedLsn: string | null;
      replayedAt: Date | null;
      target: RecoveryTarget;
      /** Where replay started: the end of the physical backup restored (null: unknown). */
      from: Date | null;
    }
  | { phase: 'promoted'; recoveredTo: Date };

export interface RecoverOptions {
  server: PhysicalServer;
  storage: StorageConfig;
  target: RecoveryTarget;
  /** The backup set to replay from (default: the newest one that ended before the target). */
  set?: string;
  /** Where the new instance's directory is made (default: the temp directory). */
  parentDir?: string;
  /**
   * A job's scratch instance, removed when the job ends: its directory is named after this
   * process (src/worker/scratch.ts), so that a worker starting after this one was killed stops
   * the instance and removes it. (An instance that outlives the job, as disaster recovery's, is not.)
   */
  scratch?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: RecoverProgress) => void;
}

export interface RecoveredInstance {
  dataDir: string;
  port: number;
  /** The server's URL pointed at the new instance (same roles and passwords: they were restored). */
  url: Secret;
  /** The state the instance holds: the target time, or (latest) the last replayed commit. */
  recoveredTo: Date;
  /** The backup set pgBackRest restored from (the newest before the target). */
  backupLabel: string | null;
  stop(): Promise<void>;
  /** Stops it and deletes its directory. */
  remove(): Promise<void>;
}

/** Where the archive lets a recovery go: [oldest backup end, newest archived WAL time]. */
export interface RecoveryWindow {
  earliest: Date | null;
  /** When the newest WAL segment was archived. */
  latest: Date | null;
  lastSegment: string | null;
  /**
   * The end of the last transaction in the archived WAL (wal-reach.ts), when it was read: a time
   * target after it is never reached, however late the segment was archived.
   */
  lastTransaction: Date | null;
}

/**
 * Is the target inside the window? Pure: returns the refusal (message and hint) or undefined.
 * A time target must be at or after the oldest usable backup's end and at or before the time the
 * newest WAL segment was archived.
 */
export function refuseTarget(
  target: RecoveryTarget,
  window: RecoveryWindow,
): { message: string; hint: string } | undefined {
  if (window.earliest === null) {
    return {
      message: 'the stanza has no backup to recover from',
      hint: 'take a full backup first: lifeboat backup physical run <server> --type full',
    };
  }
  if (target.type === 'latest') return undefined;
  const at = target.at;
  if (at < window.earliest) {
    return {
      message: `${at.toISOString()} is before the end of the oldest backup (recoverable from ${window.earliest.toISOString()})`,
      hint: `choose a time at or after ${window.earliest.toISOString()}; older states were expired by retention_full`,
    };
  }
  if (window.lastTransaction !== null && at > window.lastTransaction) {
    const t = window.lastTransaction.toISOString();
    return {
      message: `${at.toISOString()} is later than the archived WAL reaches: its last transaction ended at ${t}${window.lastSegment ? ` (newest segment ${window.lastSegment}${window.latest ? `, archived at ${window.latest.toISOString()}` : ''})` : ''}; PostgreSQL cannot recover to a time after it`,
      hint: `choose a time at or before ${t}, or recover to the latest archived state; a later time becomes reachable once WAL with a later transaction is archived`,
    };
  }
  if (window.latest === null || at > window.latest) {
    const last = window.latest
      ? `the newest archived WAL${window.lastSegment ? ` (${window.lastSegment})` : ''} was archived at ${window.latest.toISOString()}`
      : 'no archived WAL time is known';
    return {
      message: `${at.toISOString()} is later than the archived WAL reaches: ${last}`,
      hint: `choose a time at or before ${window.latest?.toISOString() ?? 'the newest archived WAL'}, or recover to the latest archived state; check archiving with \`lifeboat backup physical status\``,
    };
  }
  return undefined;
}

/**
 * The earliest target a backup set can be replayed to. pgBackRest keeps a set's stop time in whole
 * seconds and restores a time target from a set that stopped strictly before it, second against
 * second: a target inside the second the set stopped is refused by pgBackRest ("unable to find
 * backup set with stop time less than …"), so the window opens a second after the stop.
 */
export function usableFrom(b: Pick<PhysicalBackupInfo, 'stoppedAt'>): Date {
  return new Date(b.stoppedAt.getTime() + 1000);
}

export function recoveryWindow(
  info: StanzaInfo,
  lastArchivedAt: Date | null,
  lastTransaction: Date | null = null,
): RecoveryWindow {
  const usable = info.backups.filter((b) => !b.error && b.systemId === (info.systemId ?? b.systemId));
  const earliest = usable.reduce<Date | null>((m, b) => (m === null || usableFrom(b) < m ? usableFrom(b) : m), null);
  return { earliest, latest: lastArchivedAt, lastSegment: info.archive.max, lastTransaction };
}

/** The window a time target must fall in: the oldest set's end, how far the archived WAL reaches. */
export async function readRecoveryWindow(
  server: PhysicalServer,
  storage: StorageConfig,
  info: StanzaInfo,
  signal?: AbortSignal,
): Promise<RecoveryWindow> {
  const [status, lastTransaction] = await Promise.all([
    archiveStatus(server, storage, info),
    lastTransactionInArchive(server, storage, info, signal),
  ]);
  return recoveryWindow(info, status.lastArchivedAt, lastTransaction);
}

/** A target time as PostgreSQL reads it. */
export function targetText(at: Date): string {
  return at.toISOString().replace('T', ' ').replace('Z', '+00');
}

/** The backup pgBackRest picks for a target: the newest one that ended at or before it. */
export function backupFor(
  backups: readonly PhysicalBackupInfo[],
  target: RecoveryTarget,
): PhysicalBackupInfo | undefined {
  const ok = backups.filter((b) => !b.error);
  if (target.type === 'latest') return ok.at(-1);
  return ok.filter((b) => usableFrom(b) <= target.at).at(-1);
}

export async function recoverToNewInstance(opts: RecoverOptions): Promise<RecoveredInstance> {
  const { server, storage, target, signal } = opts;
  const progress = opts.onProgress ?? (() => {});
  const who = osUserRunAs(server.pgbackrest.osUser);
  progress({ phase: 'checking' });
  writePgBackRestConf(server, storage);
  const info = await readStanzaInfo(server, storage, signal);
  // how far the archive reaches matters for a time target only: "latest" replays whatever is there,
  // and asking the server (down, in a disaster) could cost a connection timeout
  const window =
    target.type === 'time' ? await readRecoveryWindow(server, storage, info, signal) : recoveryWindow(info, null);
  const refusal = refuseTarget(target, window);
  if (refusal) {
    throw new LifeboatError('invalid_request', `unable to recover server ${server.name}: ${refusal.message}`, {
      hint: refusal.hint,
    });
  }
  const backup = opts.set ? info.backups.find((b) => b.label === opts.set) : backupFor(info.backups, target);
  if (opts.set && (!backup || (target.type === 'time' && usableFrom(backup) > target.at))) {
    throw new LifeboatError(
      'invalid_request',
      `unable to recover server ${server.name}: backup set ${opts.set} ${backup ? 'ended after the target' : 'is not in the stanza'}`,
      { hint: 'list the backup sets with `lifeboat backup physical list`' },
    );
  }

  const parent = opts.scratch
    ? await makeScratchDir('pitr', server.name, opts.parentDir ?? tmpdir())
    : mkdtempSync(join(opts.parentDir ?? tmpdir(), `lifeboat-pitr-${server.name}-`));
  chmodSync(parent, 0o755);
  const dataDir = join(parent, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  giveTo(who, dataDir);
  let port = 0;
  const secrets = secretsOf(server, storage);
  const stop = async () => {
    if (!runningPostmaster(dataDir)) return;
    await run(pgBin('pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'], { runAs: who, cwd: '/' });
  };
  const remove = async () => {
    await stop();
    rmSync(parent, { recursive: true, force: true });
  };
  try {
    const args = [`--pg1-path=${dataDir}`, '--archive-mode=off', '--log-level-console=detail'];
    if (opts.set) args.push(`--set=${opts.set}`);
    if (target.type === 'time') {
      args.push('--type=time', `--target=${targetText(target.at)}`, '--target-action=promote');
    }
    const totalBytes = backup?.size ?? null;
    let last = -1;
    await pgbackrest({
      server,
      storage,
      command: 'restore',
      args,
      ...(signal ? { signal } : {}),
      what: `unable to restore server ${server.name} into ${dataDir}`,
      onLine: (line) => {
        const m = /restore file .*\(([^,()]+), (\d+(?:\.\d+)?)%\)/.exec(line);
        if (!m) return;
        const percent = Number(m[2]);
        if (Math.floor(percent) === last) return;
        last = Math.floor(percent);
        progress({
          phase: 'restoring',
          label: backup?.label ?? null,
          percent,
          totalBytes,
          bytes: totalBytes === null ? 0 : Math.round((totalBytes * percent) / 100),
        });
      },
    });
    if (signal?.aborted) throw new LifeboatError('conflict', 'the recovery was cancelled');

    // A Debian-style cluster keeps its configuration outside the data directory.
    const conf = join(dataDir, 'postgresql.conf');
    if (!existsSync(conf)) {
      writeFileSync(conf, '# written by Lifeboat for a recovered instance\n');
      giveTo(who, conf);
    }
    const hba = join(dataDir, 'pg_hba.conf');
    if (!existsSync(hba)) {
      writeFileSync(hba, 'local all all peer\nhost all all 127.0.0.1/32 scram-sha-256\n');
      giveTo(who, hba);
    }
    port = await startRecovered(dataDir, who, progress);
    const url = new Secret(pointAt(server.url.reveal(), port), `recovered:${server.name}`);
    const recoveredTo = await awaitPromotion(url, dataDir, target, backup?.stoppedAt ?? null, progress, signal);
    if (target.type === 'time') progress({ phase: 'promoted', recoveredTo: target.at });
    else progress({ phase: 'promoted', recoveredTo });
    return {
      dataDir,
      port,
      url,
      recoveredTo: target.type === 'time' ? target.at : recoveredTo,
      backupLabel: backup?.label ?? null,
      stop,
      remove,
    };
  } catch (err) {
    await remove().catch(() => {});
    if (err instanceof LifeboatError) throw err;
    throw new LifeboatError(
      'engine_failed',
      `unable to recover server ${server.name}: ${redact(String(err), secrets)}`,
    );
  }
}

/** The source URL's user, password and database, at 127.0.0.1:port. */
function pointAt(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  u.search = '';
  return u.toString();
}

async function startRecovered(
  dataDir: string,
  who: ReturnType<typeof osUserRunAs>,
  progress: (p: RecoverProgress) => void,
): Promise<number> {
  const logFile = join(dataDir, 'server.log');
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    // after pgBackRest's recovery settings, so these win
    appendFileSync(
      join(dataDir, 'postgresql.auto.conf'),
      `# lifeboat: a recovered copy on its own port, never archiving\nport = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\narchive_mode = off\nhot_standby = on\nlogging_collector = off\n`,
    );
    progress({ phase: 'starting', port });
    // -w returns once it accepts connections: at consistency (hot standby), before replay ends
    const r = await run(
      pgBin('pg_ctl'),
      ['start', '-D', dataDir, '-w', '-t', '3600', '-l', logFile, '-o', `-p ${port}`],
      {
        runAs: who,
        cwd: '/',
      },
    );
    if (r.code === 0) return port;
    lastError = tail(`${r.stderr}\n${safeRead(logFile)}`, 4);
    if (!/could not bind|Address already in use/i.test(lastError)) break;
  }
  throw new LifeboatError('engine_failed', `the recovered instance in ${dataDir} did not start: ${lastError}`, {
    hint: /recovery ended before configured recovery target was reached/.test(lastError)
      ? 'the archived WAL holds no commit after the target time yet; choose an earlier time or wait for the next WAL segment to be archived'
      : `read ${logFile}`,
  });
}

/** Polls the instance until it has left recovery; returns the time of the last replayed commit. */
async function awaitPromotion(
  url: Secret,
  dataDir: string,
  target: RecoveryTarget,
  from: Date | null,
  progress: (p: RecoverProgress) => void,
  signal?: AbortSignal,
): Promise<Date> {
  let replayedAt: Date | null = null;
  for (;;) {
    if (signal?.aborted) throw new LifeboatError('conflict', 'the recovery was cancelled');
    const client = new pg.Client({ connectionString: url.reveal(), connectionTimeoutMillis: 5000 });
    client.on('error', () => {});
    try {
      await client.connect();
      const row = (
        await client.query<{ recovering: boolean; lsn: string | null; at: Date | null }>(
          'select pg_is_in_recovery() as recovering, pg_last_wal_replay_lsn()::text as lsn, pg_last_xact_replay_timestamp() as at',
        )
      ).rows[0]!;
      replayedAt = row.at ?? replayedAt;
      if (!row.recovering) return replayedAt ?? new Date();
      progress({ phase: 'replaying', replayedLsn: row.lsn, replayedAt, target, from });
    } catch (err) {
      if (!runningPostmaster(dataDir)) {
        const why = tail(safeRead(join(dataDir, 'server.log')), 4);
        throw new LifeboatError(
          'engine_failed',
          `the recovered instance in ${dataDir} stopped during WAL replay: ${why}`,
          {
            hint: /recovery ended before configured recovery target was reached/.test(why)
              ? 'the archived WAL holds no commit after the target time yet; choose an earlier time or wait for the next WAL segment to be archived'
              : `read ${join(dataDir, 'server.log')}`,
          },
        );
      }
      if (!/starting up|shutting down|recovery|ECONNREFUSED|timeout/i.test(String(err))) throw err;
    } finally {
      await client.end().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** recoverToNewInstance for a server named in the catalog (its repository looked up there). */
export function recoverServerToNewInstance(
  catalog: Catalog,
  serverName: string,
  opts: Omit<RecoverOptions, 'server' | 'storage'>,
): Promise<RecoveredInstance> {
  const server = getServerOf(catalog, serverName);
  return recoverToNewInstance({ ...opts, server, storage: getRepo(catalog, server) });
}
