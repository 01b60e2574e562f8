// A PostgreSQL cluster that Lifeboat runs itself from the binaries on the machine: the embedded
// control-plane store, the demo workspace's servers, and the test harness's throwaway clusters.
// PostgreSQL refuses to run as root, so when we are root every file and process belongs to the
// `postgres` OS user. Clusters listen on 127.0.0.1 only, with no Unix socket (socket paths are
// limited to 107 bytes, data directories are not).
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LifeboatError } from '../../errors.js';
import { type RunAs, run, tail } from '../../lib/process.js';
import { pgBin } from './binaries.js';

export interface LocalCluster {
  dataDir: string;
  port: number;
  superuser: string;
  password: string;
}

export interface InitOptions {
  dataDir: string;
  superuser: string;
  password: string;
  /** Durable by default; throwaway test clusters turn fsync off. */
  durable?: boolean;
}

let postgresIdentity: RunAs | undefined | null = null;

/** The identity PostgreSQL processes run as: the `postgres` user when we are root, else ourselves. */
export function postgresRunAs(): RunAs | undefined {
  if (postgresIdentity !== null) return postgresIdentity;
  if (process.getuid?.() !== 0) return (postgresIdentity = undefined);
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return (postgresIdentity = { uid, gid });
  } catch {
    throw new LifeboatError('internal', 'running as root, but there is no `postgres` OS user to run PostgreSQL as', {
      hint: 'PostgreSQL refuses to run as root: install the postgresql package (it creates the user) or run lifeboat as a normal user',
    });
  }
}

/** Makes a path owned by the PostgreSQL identity (no-op when not root). */
export function giveToPostgres(path: string): void {
  const who = postgresRunAs();
  if (who) chownSync(path, who.uid, who.gid);
}

/** A free TCP port on 127.0.0.1 (another server may take it before we do: callers retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function assertParentsEnterable(dir: string): void {
  const who = postgresRunAs();
  if (!who) return;
  // Every parent must be enterable by the postgres user, or initdb fails with "Permission denied".
  let d = dirname(dir);
  while (d !== dirname(d)) {
    try {
      execFileSync('runuser', ['-u', 'postgres', '--', 'test', '-x', d], { stdio: 'ignore' });
    } catch {
      throw new LifeboatError(
        'internal',
        `unable to create a PostgreSQL cluster in ${dir}: ${d} is not enterable by the postgres user`,
        {
          hint: `choose a data directory under a path the postgres user can enter (e.g. chmod o+x ${d})`,
        },
      );
    }
    d = dirname(d);
  }
}

/** Creates a new cluster in `dataDir` (which must not exist or be empty). */
export async function initCluster(opts: InitOptions): Promise<void> {
  const who = postgresRunAs();
  // parents keep the default mode (the postgres user must enter them); the data directory is 0700
  mkdirSync(dirname(opts.dataDir), { recursive: true });
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(opts.dataDir, 0o700);
  giveToPostgres(opts.dataDir);
  if (who) assertParentsEnterable(opts.dataDir);
  const pwFile = join(tmpdir(), `lifeboat-pw-${process.pid}-${Date.now()}`);
  writeFileSync(pwFile, `${opts.password}\n`, { mode: 0o600 });
  giveToPostgres(pwFile);
  try {
    const args = [
      '-D',
      opts.dataDir,
      '-U',
      opts.superuser,
      `--pwfile=${pwFile}`,
      '--auth=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ];
    if (opts.durable === false) args.push('--no-sync');
    const r = await run(pgBin('initdb'), args, { runAs: who, cwd: '/' });
    if (r.code !== 0) {
      throw new LifeboatError(
        'internal',
        `unable to initialise a PostgreSQL cluster in ${opts.dataDir}: ${tail(r.stderr)}`,
        {
          hint: 'check that the directory is empty and writable, and that the disk has space',
        },
      );
    }
  } finally {
    rmSync(pwFile, { force: true });
  }
  const settings = [
    "listen_addresses = '127.0.0.1'",
    "unix_socket_directories = ''",
    'max_connections = 200',
    'shared_buffers = 128MB',
    "log_destination = 'stderr'",
    'logging_collector = off',
    "timezone = 'UTC'",
  ];
  if (opts.durable === false) settings.push('fsync = off', 'synchronous_commit = off', 'full_page_writes = off');
  const conf = join(opts.dataDir, 'postgresql.conf');
  writeFileSync(conf, `${readFileSync(conf, 'utf8')}\n# lifeboat\n${settings.join('\n')}\n`);
}

/** The running postmaster of a data directory, from postmaster.pid, if its process is alive. */
export function runningPostmaster(dataDir: string): { pid: number; port: number } | undefined {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  return { pid, port };
}

/**
 * Starts the cluster on a free port (or `port`), waiting until it accepts connections. A stale
 * postmaster.pid left by a killed server is handled by PostgreSQL itself (it checks the pid).
 */
export async function startCluster(dataDir: string, port?: number): Promise<number> {
  const who = postgresRunAs();
  let lastError = '';
  const logFile = join(dataDir, 'server.log');
  for (let attempt = 0; attempt < 5; attempt++) {
    const p = port ?? (await freePort());
    const logBefore = safeRead(logFile).length;
    const r = await run(pgBin('pg_ctl'), ['start', '-D', dataDir, '-w', '-t', '60', '-l', logFile, '-o', `-p ${p}`], {
      runAs: who,
      cwd: '/',
    });
    if (r.code === 0) return p;
    lastError = tail(`${r.stderr}\n${safeRead(logFile).slice(logBefore)}`, 4);
    if (port !== undefined || !/could not bind|Address already in use/i.test(lastError)) break;
  }
  throw new LifeboatError('internal', `unable to start PostgreSQL in ${dataDir}: ${lastError}`, {
    hint: `read ${join(dataDir, 'server.log')}; if another server uses this data directory, stop it first`,
  });
}

export async function stopCluster(dataDir: string, mode: 'smart' | 'fast' | 'immediate' = 'fast'): Promise<void> {
  if (!runningPostmaster(dataDir)) return;
  const r = await run(pgBin('pg_ctl'), ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '60'], {
    runAs: postgresRunAs(),
    cwd: '/',
  });
  if (r.code !== 0 && runningPostmaster(dataDir)) {
    throw new LifeboatError('internal', `unable to stop PostgreSQL in ${dataDir}: ${tail(r.stderr)}`);
  }
}

export function clusterUrl(c: Pick<LocalCluster, 'port' | 'superuser' | 'password'>, database = 'postgres'): string {
  return `postgres://${encodeURIComponent(c.superuser)}:${encodeURIComponent(c.password)}@127.0.0.1:${c.port}/${encodeURIComponent(database)}`;
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
