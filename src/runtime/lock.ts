// One `lifeboat start` per data directory: a pid file holding just the pid (as `kill $(cat …)`
// expects), taken over when its process is gone (a SIGKILLed start leaves one behind; the next
// start must recover, not refuse).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LifeboatError } from '../errors.js';

export function acquireDataDirLock(dataDir: string): () => Promise<void> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'lifeboat.pid');
  if (existsSync(file)) {
    const pid = pidIn(file);
    if (pid && pid !== process.pid && alive(pid)) {
      throw new LifeboatError(
        'conflict',
        `another lifeboat (pid ${pid}) is already running on the data directory ${dir}`,
        {
          hint: 'stop it first, or pass another --data-dir',
        },
      );
    }
  }
  writeFileSync(file, `${process.pid}\n`);
  return async () => {
    if (existsSync(file) && pidIn(file) === process.pid) rmSync(file);
  };
}

/** The pid a pid file names (its first line: files of older versions had a second one). */
function pidIn(file: string): number {
  return Number(readFileSync(file, 'utf8').split('\n')[0]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
