// Which lifeboat.yaml a command uses: --config / LIFEBOAT_CONFIG, else ./lifeboat.yaml, else the
// demo workspace's (created by `lifeboat start` in the data directory).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LifeboatError } from '../errors.js';

export function demoConfigFile(dataDir: string): string {
  return join(resolve(dataDir), 'demo', 'lifeboat.yaml');
}

export function findConfigFile(explicit: string | undefined, dataDir: string): string | undefined {
  if (explicit) return explicit;
  const local = resolve('lifeboat.yaml');
  if (existsSync(local)) return local;
  const demo = demoConfigFile(dataDir);
  return existsSync(demo) ? demo : undefined;
}

export function requireConfigFile(explicit: string | undefined, dataDir: string): string {
  const f = findConfigFile(explicit, dataDir);
  if (!f) {
    throw new LifeboatError('config_invalid', 'no lifeboat.yaml found', {
      hint: 'pass --config <file>, set LIFEBOAT_CONFIG, or run `lifeboat start` once to create the demo workspace',
    });
  }
  return f;
}
