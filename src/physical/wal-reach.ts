// How far a point-in-time recovery can go: not the time the newest WAL segment was archived, but
// the end of the last transaction in the archived WAL. PostgreSQL stops a time-targeted recovery
// at the first commit (or abort) after the target; when the archived WAL holds none, it never
// reaches the target and (PostgreSQL 13 and later) refuses to start after the whole restore. A
// segment switched by archive_timeout on a quiet database is archived up to a minute after its
// last commit, so a target in between passes an "archived at" check and then fails. The newest
// segments are fetched from the repository (`pgbackrest archive-get`, as the cluster's OS user)
// and read with `pg_waldump --rmgr=Transaction`; the newest commit or abort time is the reach.
import { rm } from 'node:fs/promises';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StorageConfig } from '../catalog/types.js';
import { pgBin } from '../engines/postgres/binaries.js';
import { run } from '../lib/process.js';
import { makeScratchDir } from '../worker/scratch.js';
import type { StanzaInfo } from './info.js';
import { giveTo, osUserRunAs } from './os-user.js';
import { pgbackrestRaw, type PhysicalServer } from './pgbackrest.js';

/** Segments read back from the newest before giving up (a quiet database switches one a minute). */
const SEGMENTS_BACK = 3;

/**
 * The end of the last transaction in the archived WAL, or null when it cannot be told (nothing
 * archived, the repository or pg_waldump unavailable, no transaction in the newest segments):
 * callers then fall back to the newest segment's archive time.
 */
export async function lastTransactionInArchive(
  server: PhysicalServer,
  storage: StorageConfig,
  info: StanzaInfo,
  signal?: AbortSignal,
): Promise<Date | null> {
  const newest = info.archive.max;
  if (!newest) return null;
  const who = osUserRunAs(server.pgbackrest.osUser);
  const scratch = await makeScratchDir('wal', server.name);
  try {
    chmodSync(scratch, 0o755);
    const dir = join(scratch, 'wal');
    mkdirSync(dir, { mode: 0o700 });
    giveTo(who, dir);
    let segment: string | null = newest;
    for (let i = 0; i < SEGMENTS_BACK && segment !== null; i++) {
      if (info.archive.min && segment < info.archive.min) break;
      const file = join(dir, segment);
      const got = await pgbackrestRaw({
        server,
        storage,
        command: 'archive-get',
        params: [segment, file],
        ...(signal ? { signal } : {}),
      });
      if (got.code !== 0) return null;
      // (pg_waldump ends with an error at the segment's unused tail: what it printed before counts)
      const dump = await run(pgBin('pg_waldump'), ['--rmgr=Transaction', file], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TZ: 'UTC', LANG: 'C.UTF-8' },
        cwd: '/',
        runAs: who,
        ...(signal ? { signal } : {}),
      });
      const last = lastTransactionEnd(dump.stdout);
      if (last) return last;
      await rm(file, { force: true });
      segment = previousSegment(segment);
    }
    return null;
  } catch {
    return null;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The newest COMMIT or ABORT time in `pg_waldump --rmgr=Transaction` output (run with TZ=UTC). */
export function lastTransactionEnd(waldump: string): Date | null {
  let last: Date | null = null;
  const re =
    /desc: (?:COMMIT|ABORT|COMMIT_PREPARED|ABORT_PREPARED)(?: \d+:)? (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) (?:UTC|GMT)\b/g;
  for (const m of waldump.matchAll(re)) {
    const at = new Date(`${m[1]!.replace(' ', 'T')}Z`);
    if (!Number.isNaN(at.getTime()) && (last === null || at > last)) last = at;
  }
  return last;
}

/**
 * The segment before `name` (timeline, log and segment as 8 hex digits each), for the default
 * 16 MB segments (256 per log id); null before the first.
 */
export function previousSegment(name: string): string | null {
  if (!/^[0-9A-F]{24}$/.test(name)) return null;
  const tli = name.slice(0, 8);
  let log = parseInt(name.slice(8, 16), 16);
  let seg = parseInt(name.slice(16, 24), 16);
  if (seg > 0) seg--;
  else if (log > 0) {
    log--;
    seg = 0xff;
  } else return null;
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
  return `${tli}${hex(log)}${hex(seg)}`;
}
