// The OS user a cluster belongs to (servers.<name>.pgbackrest.os_user). pgBackRest, initdb and
// pg_ctl run as it, never as root: PostgreSQL refuses root, and a pgBackRest repository written
// by root could not be read by the archive_command the server runs as its own user.
import { execFileSync } from 'node:child_process';
import { chownSync } from 'node:fs';
import { LifeboatError } from '../errors.js';
import type { RunAs } from '../lib/process.js';

const known = new Map<string, RunAs | undefined>();

/** The identity to run as: `user` when we are root, else ourselves (a normal user cannot switch). */
export function osUserRunAs(user: string): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (known.has(user)) return known.get(user);
  if (user === 'root') {
    throw new LifeboatError('invalid_request', 'pgBackRest and PostgreSQL never run as root', {
      hint: 'set pgbackrest.os_user to the OS user that owns the cluster (usually postgres)',
    });
  }
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    const who = { uid, gid };
    known.set(user, who);
    return who;
  } catch {
    throw new LifeboatError('invalid_request', `there is no OS user "${user}" on this machine`, {
      hint: 'set pgbackrest.os_user to the OS user that owns the cluster (usually postgres)',
    });
  }
}

/** Makes a path the OS user's (no-op when we are not root). */
export function giveTo(who: RunAs | undefined, path: string): void {
  if (who) chownSync(path, who.uid, who.gid);
}
