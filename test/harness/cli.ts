// Runs the real `lifeboat` binary (the built CLI), as a user would.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/lib/process.js';

export const BIN = fileURLToPath(new URL('../../bin/lifeboat.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LIFEBOAT_LOG_LEVEL: 'warn', NO_COLOR: '1' };
  for (const k of ['LIFEBOAT_CONFIG', 'LIFEBOAT_URL', 'LIFEBOAT_TOKEN', 'LIFEBOAT_DATABASE_URL', 'LIFEBOAT_DATA_DIR'])
    delete env[k];
  return { ...env, ...extra };
}

export async function lifeboat(
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string; input?: string } = {},
): Promise<CliResult> {
  const r = await run(process.execPath, [BIN, ...args], {
    env: cleanEnv(opts.env),
    cwd: opts.cwd,
    input: opts.input,
  });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

export interface Daemon {
  child: ChildProcess;
  output(): string;
  /** Resolves when the process prints a line matching `re` (or rejects at the deadline / on exit). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  exited(): Promise<number | null>;
}

/** Stops (SIGTERM) the daemons still running and waits for each to exit. */
export async function stopDaemons(daemons: Iterable<Daemon>): Promise<void> {
  for (const d of daemons) {
    if (d.child.exitCode === null && d.child.signalCode === null) {
      d.child.kill('SIGTERM');
      await d.exited();
    }
  }
}

/** Starts a long-running `lifeboat` command (start, server, worker). */
export function spawnLifeboat(
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Daemon {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cleanEnv(opts.env),
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited: () => exit,
    waitFor(re, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(re);
          if (m) {
            cleanup();
            resolve(m[0]);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${re} in output:\n${out}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        exit.then(() => {
          if (listeners.has(check)) {
            cleanup();
            reject(new Error(`process exited before ${re}; output:\n${out}`));
          }
        });
        check();
      });
    },
  };
}
