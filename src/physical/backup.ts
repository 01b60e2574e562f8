// Physical backups: `pgbackrest backup --type=full|diff|incr`, recorded in the catalog from
// `pgbackrest info --output=json` (physical_backups, migration 0015), then `pgbackrest verify`
// with each backup's verdict recorded; and the WAL archiving status of a stanza — the newest
// archived segment and when it was archived: the RPO that could be achieved right now.
import pg from 'pg';
import { recordAudit } from '../audit/record.js';
import type { Catalog, PhysicalBackupType, StorageConfig } from '../catalog/types.js';
import type { Db } from '../store/db.js';
import { openCatalogStorage } from '../storage/index.js';
import { parseInfo, type StanzaInfo } from './info.js';
import { getRepo, getServerOf } from './lookup.js';
import { writePgBackRestConf } from './conf.js';
import { pgbackrest, pgbackrestRaw, type PhysicalServer } from './pgbackrest.js';

export interface PhysicalBackupRequest {
  server: string;
  type: PhysicalBackupType;
  trigger: 'manual' | 'schedule';
  actor: string;
  requestId?: string | null;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}

export interface PhysicalBackupOutcome {
  label: string;
  type: PhysicalBackupType;
  verifyStatus: string;
  verifyError: string | null;
}

/** Reads the stanza's `info` as JSON. */
export async function readStanzaInfo(
  server: PhysicalServer,
  storage: StorageConfig,
  signal?: AbortSignal,
): Promise<StanzaInfo> {
  const r = await pgbackrest({
    server,
    storage,
    command: 'info',
    args: ['--output=json'],
    ...(signal ? { signal } : {}),
  });
  return parseInfo(r.stdout, server.pgbackrest.stanza);
}

/** Records every backup `info` lists (new ones inserted, known ones refreshed, vanished ones expired). */
export async function recordStanzaInfo(db: Db, server: PhysicalServer, info: StanzaInfo): Promise<void> {
  const now = new Date();
  await db.transaction().execute(async (trx) => {
    for (const b of info.backups) {
      const values = {
        stanza: info.stanza,
        type: b.type,
        prior: b.prior,
        started_at: b.startedAt,
        stopped_at: b.stoppedAt,
        start_lsn: b.startLsn,
        stop_lsn: b.stopLsn,
        wal_start: b.walStart,
        wal_stop: b.walStop,
        size: b.size,
        delta: b.delta,
        repo_size: b.repoSize,
        repo_delta: b.repoDelta,
        system_id: b.systemId,
        pg_version: b.pgVersion,
        expired_at: null,
      };
      await trx
        .insertInto('physical_backups')
        .values({ server: server.name, label: b.label, ...values })
        .onConflict((oc) => oc.columns(['server', 'label']).doUpdateSet(values))
        .execute();
    }
    const labels = info.backups.map((b) => b.label);
    let gone = trx
      .updateTable('physical_backups')
      .set({ expired_at: now })
      .where('server', '=', server.name)
      .where('expired_at', 'is', null);
    if (labels.length) gone = gone.where('label', 'not in', labels);
    await gone.execute();
  });
}

/** `pgbackrest verify`: each backup's verdict (valid, or why not) by label, and the repository's. */
export function parseVerify(text: string): { ok: boolean; backups: Map<string, string> } {
  const backups = new Map<string, string>();
  for (const m of text.matchAll(/backup:\s*(\S+?),\s*status:\s*([^,\n]+)/g)) backups.set(m[1]!, m[2]!.trim());
  const status = /^\s*status:\s*(\S+)/m.exec(text)?.[1];
  return { ok: status === 'ok', backups };
}

/** Runs `pgbackrest verify` and records the verdict of every backup it reports. */
export async function verifyStanza(
  db: Db,
  server: PhysicalServer,
  storage: StorageConfig,
  signal?: AbortSignal,
): Promise<{ ok: boolean; backups: Map<string, string>; error: string | null }> {
  const r = await pgbackrestRaw({
    server,
    storage,
    command: 'verify',
    args: ['--output=text', '--verbose'],
    ...(signal ? { signal } : {}),
  });
  const parsed = parseVerify(r.stdout);
  const ok = r.code === 0 && parsed.ok;
  const error = ok
    ? null
    : (/ERROR: \[\d+\]: [^\n]*/.exec(r.stderr)?.[0] ??
      `verify reported ${/status:\s*(\S+)/.exec(r.stdout)?.[1] ?? `exit ${r.code}`}`);
  const at = new Date();
  for (const [label, verdict] of parsed.backups) {
    const valid = verdict === 'valid';
    await db
      .updateTable('physical_backups')
      .set({ verify_status: valid ? 'verified' : 'failed', verify_error: valid ? null : verdict, verified_at: at })
      .where('server', '=', server.name)
      .where('label', '=', label)
      .execute();
  }
  return { ok, backups: parsed.backups, error };
}

/** Takes a backup of the server's stanza, records it and verifies the repository. */
export async function takePhysicalBackup(
  db: Db,
  catalog: Catalog,
  req: PhysicalBackupRequest,
): Promise<PhysicalBackupOutcome> {
  const server = getServerOf(catalog, req.server);
  const storage = getRepo(catalog, server);
  writePgBackRestConf(server, storage); // the file follows lifeboat.yaml (a reload may have changed it)
  const signal = req.signal ? { signal: req.signal } : {};
  const before = new Set(
    (await db.selectFrom('physical_backups').select('label').where('server', '=', server.name).execute()).map(
      (r) => r.label,
    ),
  );
  await pgbackrest({
    server,
    storage,
    command: 'backup',
    args: [`--type=${req.type}`, '--log-level-console=info'],
    ...signal,
    ...(req.onLine ? { onLine: req.onLine } : {}),
    what: `the ${req.type} backup of server ${server.name} failed`,
  });
  const info = await readStanzaInfo(server, storage, req.signal);
  await recordStanzaInfo(db, server, info);
  const fresh = info.backups.filter((b) => !before.has(b.label)).at(-1) ?? info.backups.at(-1);
  const label = fresh?.label ?? '';
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('physical_backups')
      .set({ trigger: req.trigger, requested_by: req.actor })
      .where('server', '=', server.name)
      .where('label', '=', label)
      .execute();
    await recordAudit(trx, {
      actor: req.actor,
      action: 'backup.physical.run',
      subjectType: 'physical_backup',
      subjectId: `${server.name}/${label}`,
      details: { server: server.name, stanza: server.pgbackrest.stanza, type: req.type, trigger: req.trigger },
      requestId: req.requestId ?? null,
    });
  });
  const verdict = await verifyStanza(db, server, storage, req.signal);
  const mine = verdict.backups.get(label);
  return {
    label,
    type: fresh?.type ?? req.type,
    verifyStatus: mine === 'valid' ? 'verified' : mine === undefined ? 'unverified' : 'failed',
    verifyError: mine === 'valid' ? null : (mine ?? verdict.error),
  };
}

export interface ArchiveStatus {
  server: string;
  stanza: string;
  /** The newest WAL segment in the repository (`info` archive max). */
  lastArchivedSegment: string | null;
  /** When the newest segment was archived: from pg_stat_archiver, or the repository file's time. */
  lastArchivedAt: Date | null;
  /** The oldest segment the repository keeps. */
  oldestSegment: string | null;
  /** pg_stat_archiver's failures, when the server answered. */
  failedCount: number | null;
  lastFailedWal: string | null;
  lastFailedAt: Date | null;
  /** Whether the server itself answered (pg_stat_archiver) or only the repository did. */
  serverReachable: boolean;
  /** now − lastArchivedAt: the data a recovery right now would lose at most, in ms. */
  rpoMs: number | null;
}

/** The WAL archiving status of a stanza: the repository, and pg_stat_archiver when the server answers. */
export async function archiveStatus(
  server: PhysicalServer,
  storage: StorageConfig,
  info: StanzaInfo,
  now = new Date(),
): Promise<ArchiveStatus> {
  let stat:
    | {
        last_archived_wal: string | null;
        last_archived_time: Date | null;
        failed_count: string;
        last_failed_wal: string | null;
        last_failed_time: Date | null;
      }
    | undefined;
  const client = new pg.Client({ connectionString: server.url.reveal(), connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
    stat = (
      await client.query(
        'select last_archived_wal, last_archived_time, failed_count, last_failed_wal, last_failed_time from pg_stat_archiver',
      )
    ).rows[0];
  } catch {
    stat = undefined;
  } finally {
    await client.end().catch(() => {});
  }
  const repoTime = await segmentTime(storage, server.pgbackrest.stanza, info.archive);
  const lastArchivedAt = latest(stat?.last_archived_time ?? null, repoTime);
  return {
    server: server.name,
    stanza: server.pgbackrest.stanza,
    lastArchivedSegment: info.archive.max ?? stat?.last_archived_wal ?? null,
    lastArchivedAt,
    oldestSegment: info.archive.min,
    failedCount: stat ? Number(stat.failed_count) : null,
    lastFailedWal: stat?.last_failed_wal ?? null,
    lastFailedAt: stat?.last_failed_time ?? null,
    serverReachable: stat !== undefined,
    rpoMs: lastArchivedAt ? Math.max(0, now.getTime() - lastArchivedAt.getTime()) : null,
  };
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

/**
 * When the newest WAL segment was written to the repository — filesystem or S3, through the same
 * storage driver as backups (archive/<stanza>/<archive id>/<first 16 hex>/<segment>-<sha1>[.ext]).
 * What the archive reaches when the server cannot say (it is down: a disaster). Null when it is
 * not there or the repository cannot be read; S3 keeps whole seconds, so it is never later than
 * the truth.
 */
async function segmentTime(
  storage: StorageConfig,
  stanza: string,
  archive: StanzaInfo['archive'],
): Promise<Date | null> {
  if (!archive.id || !archive.max) return null;
  const repo = openCatalogStorage(storage);
  try {
    const dir = `pgbackrest/archive/${stanza}/${archive.id}/${archive.max.slice(0, 16)}/`;
    const key = (await repo.list(`${dir}${archive.max}`)).find((k) => k.startsWith(`${dir}${archive.max}-`));
    return key ? ((await repo.stat(key))?.modifiedAt ?? null) : null;
  } catch {
    return null; // not readable from here: pg_stat_archiver's time (or none) stands
  } finally {
    await repo.close?.();
  }
}
