// Running child processes (pg_dump, pg_restore, initdb, pg_ctl …) with an AbortSignal, an
// optional OS identity (PostgreSQL refuses to run as root) and captured, bounded output.
import { type SpawnOptions, spawn } from 'node:child_process';

export interface RunAs {
  uid: number;
  gid: number;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  runAs?: RunAs | undefined;
  input?: string;
  /** Called for each line the process writes to stderr (for run logs and progress). */
  onStderrLine?: (line: string) => void;
  /** Called for each line the process writes to stdout (pgBackRest logs its progress there). */
  onStdoutLine?: (line: string) => void;
  /** Keep at most this many bytes of stdout/stderr (the tail). Default 1 MiB. */
  maxOutput?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion. Resolves with its exit status; never throws for a non-zero exit. */
export function run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const max = opts.maxOutput ?? 1 << 20;
  return new Promise((resolve, reject) => {
    // Each command leads a process group of its own, so that an abort kills what it started too
    // (pg_restore -j's workers, a shell's children) and nothing keeps writing after a cancel.
    const spawnOpts: SpawnOptions = {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    };
    if (opts.runAs) {
      spawnOpts.uid = opts.runAs.uid;
      spawnOpts.gid = opts.runAs.gid;
    }
    if (opts.signal?.aborted) {
      resolve({ code: null, signal: 'SIGKILL', stdout: '', stderr: 'aborted before start' });
      return;
    }
    const child = spawn(command, args, spawnOpts);
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    opts.signal?.addEventListener('abort', kill, { once: true });
    let stdout = '';
    let stderr = '';
    let pending = '';
    let pendingOut = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout = (stdout + d).slice(-max);
      if (opts.onStdoutLine) {
        pendingOut += d;
        const lines = pendingOut.split('\n');
        pendingOut = lines.pop() ?? '';
        for (const l of lines) if (l) opts.onStdoutLine(l);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-max);
      if (opts.onStderrLine) {
        pending += d;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const l of lines) if (l) opts.onStderrLine(l);
      }
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    child.on('error', (err) => {
      opts.signal?.removeEventListener('abort', kill);
      reject(err);
    });
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', kill);
      if (pending && opts.onStderrLine) opts.onStderrLine(pending);
      if (pendingOut && opts.onStdoutLine) opts.onStdoutLine(pendingOut);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The last non-empty lines of a process's output, for error messages. */
export function tail(text: string, lines = 5): string {
  return text.trim().split('\n').filter(Boolean).slice(-lines).join('\n');
}
