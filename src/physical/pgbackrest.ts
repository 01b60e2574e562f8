// Running pgBackRest for a server's stanza: as the cluster's OS user, with Lifeboat's
// pgbackrest.conf, the database password in PGPASSWORD (never on a command line or in a file),
// and every message that leaves here redacted of the server's and the repository's secrets.
import type { PgBackRestConfig, ServerConfig, StorageConfig } from '../catalog/types.js';
import { LifeboatError } from '../errors.js';
import { run, tail, type RunResult } from '../lib/process.js';
import { redact, type Secret } from '../lib/secret.js';
import { stanzaPaths } from './conf.js';
import { osUserRunAs } from './os-user.js';

export const PGBACKREST_BIN = process.env.LIFEBOAT_PGBACKREST ?? 'pgbackrest';

export type PhysicalServer = ServerConfig & { readonly pgbackrest: PgBackRestConfig };

export function isPhysical(server: ServerConfig): server is PhysicalServer {
  return server.pgbackrest !== undefined;
}

/** The secrets a pgBackRest message could echo: the server URL and the repository keys. */
export function secretsOf(server: ServerConfig, storage?: StorageConfig): Array<Secret | string> {
  const out: Array<Secret | string> = [server.url];
  if (storage?.type === 's3') {
    if (storage.accessKeyId) out.push(storage.accessKeyId);
    if (storage.secretAccessKey) out.push(storage.secretAccessKey);
  }
  try {
    const password = decodeURIComponent(new URL(server.url.reveal()).password);
    if (password) out.push(password);
  } catch {
    // not a URL: nothing more to hide than the whole value
  }
  return out;
}

export interface PgBackRestRun {
  server: PhysicalServer;
  storage?: StorageConfig;
  command: string;
  /** Options, before the command. */
  args?: readonly string[];
  /** The command's own parameters, after it (`archive-get <segment> <destination>`). */
  params?: readonly string[];
  signal?: AbortSignal;
  onLine?: (line: string) => void;
  /** Fail with this when the exit code is not 0 (default: "pgBackRest <command> failed"). */
  what?: string;
  hint?: string;
}

/** Runs one pgBackRest command; throws an engine_failed LifeboatError (redacted) when it fails. */
export async function pgbackrest(opts: PgBackRestRun): Promise<RunResult> {
  const r = await pgbackrestRaw(opts);
  if (r.code !== 0) {
    const why = redact(tail(`${r.stderr}\n${r.stdout}`, 6), secretsOf(opts.server, opts.storage));
    throw new LifeboatError(
      'engine_failed',
      `${opts.what ?? `pgBackRest ${opts.command} failed for server ${opts.server.name}`}: ${why || `exit ${r.code ?? r.signal}`}`,
      { hint: opts.hint ?? `read the pgBackRest log in ${stanzaPaths(opts.server.pgbackrest).log}` },
    );
  }
  return r;
}

/** Runs one pgBackRest command and returns its result whatever the exit code. */
export function pgbackrestRaw(opts: PgBackRestRun): Promise<RunResult> {
  const cfg = opts.server.pgbackrest;
  const paths = stanzaPaths(cfg);
  let password = '';
  try {
    password = decodeURIComponent(new URL(opts.server.url.reveal()).password);
  } catch {
    // pgConnection reports a URL that is not one
  }
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', TZ: 'UTC' };
  if (password) env.PGPASSWORD = password;
  return run(
    PGBACKREST_BIN,
    [`--config=${paths.conf}`, `--stanza=${cfg.stanza}`, ...(opts.args ?? []), opts.command, ...(opts.params ?? [])],
    {
      env,
      cwd: '/',
      runAs: osUserRunAs(cfg.osUser),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onLine ? { onStdoutLine: opts.onLine, onStderrLine: opts.onLine } : {}),
    },
  );
}
