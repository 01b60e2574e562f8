// `pgbackrest info --output=json`, parsed into what Lifeboat records. Pure: no I/O. The
// database system identifier is a 64-bit integer that JSON.parse would round (it exceeds 2^53),
// so it is turned into a string in the raw text before parsing.
import { LifeboatError } from '../errors.js';
import type { PhysicalBackupType } from '../catalog/types.js';

export interface PhysicalBackupInfo {
  label: string;
  type: PhysicalBackupType;
  prior: string | null;
  startedAt: Date;
  stoppedAt: Date;
  startLsn: string | null;
  stopLsn: string | null;
  walStart: string | null;
  walStop: string | null;
  size: number | null;
  delta: number | null;
  repoSize: number | null;
  repoDelta: number | null;
  /** Exact, as text. */
  systemId: string;
  pgVersion: string | null;
  /** pgBackRest found an error while copying (a page checksum). */
  error: boolean;
}

export interface StanzaInfo {
  stanza: string;
  /** 0 ok; other codes: see `message`. */
  status: { code: number; message: string };
  backups: PhysicalBackupInfo[];
  /** The archived WAL range of the current database (cluster) of the stanza. */
  archive: { id: string | null; min: string | null; max: string | null };
  /** The database system identifier of the stanza's current cluster. */
  systemId: string | null;
}

/** Quotes every "system-id": <digits> so JSON.parse keeps it exact. */
export function quoteSystemIds(raw: string): string {
  return raw.replace(/("system-id"\s*:\s*)(-?\d+)/g, '$1"$2"');
}

type J = Record<string, unknown>;
const o = (v: unknown): J => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const a = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function parseInfo(raw: string, stanza: string): StanzaInfo {
  let doc: unknown;
  try {
    doc = JSON.parse(quoteSystemIds(raw));
  } catch {
    throw new LifeboatError('engine_failed', 'pgbackrest info did not print JSON', {
      hint: 'check that the installed pgBackRest is 2.x (`pgbackrest version`)',
    });
  }
  const entry = o(
    a(doc)
      .map(o)
      .find((s) => s.name === stanza),
  );
  const dbs = a(entry.db).map(o);
  const systemIdOf = new Map(dbs.map((d) => [num(d.id), str(d['system-id'])]));
  const versionOf = new Map(dbs.map((d) => [num(d.id), str(d.version)]));
  const current = dbs.at(-1);
  const currentId = current ? num(current.id) : null;
  const archive = o(
    a(entry.archive)
      .map(o)
      .find((x) => num(o(x.database).id) === currentId) ?? a(entry.archive).at(-1),
  );
  const status = o(entry.status);
  const backups = a(entry.backup).map((b0) => {
    const b = o(b0);
    const dbId = num(o(b.database).id);
    const info = o(b.info);
    const repo = o(info.repository);
    const ts = o(b.timestamp);
    const type = str(b.type);
    return {
      label: str(b.label) ?? '',
      type: type === 'diff' || type === 'incr' ? type : 'full',
      prior: str(b.prior),
      startedAt: new Date((num(ts.start) ?? 0) * 1000),
      stoppedAt: new Date((num(ts.stop) ?? 0) * 1000),
      startLsn: str(o(b.lsn).start),
      stopLsn: str(o(b.lsn).stop),
      walStart: str(o(b.archive).start),
      walStop: str(o(b.archive).stop),
      size: num(info.size),
      delta: num(info.delta),
      repoSize: num(repo.size),
      repoDelta: num(repo.delta),
      systemId: systemIdOf.get(dbId) ?? '',
      pgVersion: versionOf.get(dbId) ?? null,
      error: b.error === true,
    } satisfies PhysicalBackupInfo;
  });
  return {
    stanza,
    status: { code: num(status.code) ?? -1, message: str(status.message) ?? 'no such stanza' },
    backups: backups.filter((b) => b.label !== ''),
    archive: { id: str(archive.id), min: str(archive.min), max: str(archive.max) },
    systemId: current ? str(current['system-id']) : null,
  };
}
