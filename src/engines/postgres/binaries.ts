// Where the PostgreSQL binaries are. Debian keeps the server tools (initdb, pg_ctl, postgres)
// out of PATH under /usr/lib/postgresql/<major>/bin; the newest major wins so that pg_dump is
// never older than a server it dumps. LIFEBOAT_PG_BIN overrides the search.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LifeboatError } from '../../errors.js';

let cached: string | undefined;

export function pgBinDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LIFEBOAT_PG_BIN) return env.LIFEBOAT_PG_BIN;
  if (cached) return cached;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((d) => existsSync(join(root, d, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0]) return (cached = join(root, majors[0], 'bin'));
  }
  for (const dir of (env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb'))) return (cached = dir);
  }
  throw new LifeboatError('internal', 'unable to find the PostgreSQL server binaries (initdb, pg_ctl)', {
    hint: 'install PostgreSQL (apt-get install postgresql) or set LIFEBOAT_PG_BIN to the directory holding initdb',
  });
}

export function pgBin(tool: string, env?: NodeJS.ProcessEnv): string {
  return join(pgBinDir(env), tool);
}
