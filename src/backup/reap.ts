// Backups whose worker was lost, as restore runs have (src/restore/control.ts): a backup left
// `running` by a worker that stopped heartbeating (killed, its machine gone) is failed as
// "worker lost", and its partial files are removed from storage, since a failed backup leaves
// nothing behind. The claim comes first and is guarded (still running, still lost), so a worker
// that was only slow keeps its backup; one that comes back after the claim learns it from its
// heartbeat (heartbeat.ts) and stops writing.
import { sql } from 'kysely';
import type { Catalog } from '../catalog/types.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import { openCatalogStorage } from '../storage/index.js';
import type { Db } from '../store/db.js';
import { backupPrefix } from './manifest.js';
import { type BackupGuard, setBackupStatus } from './set-status.js';

type Deps = { db: Db; catalog: Catalog; logger: Logger };

/** Fails the running backups that have not heartbeated for `staleAfterMs`; returns their ids. */
export async function reapLostBackups(deps: Deps, staleAfterMs: number): Promise<string[]> {
  const staleBefore = () => new Date(Date.now() - staleAfterMs);
  // (a backup started before its heartbeat existed counts from its start)
  const lastSign = sql<Date>`coalesce(heartbeat_at, started_at, created_at)`;
  const candidates = await deps.db
    .selectFrom('backups')
    .select(['id', 'database', 'storage', 'worker_id', 'heartbeat_at', 'started_at'])
    .where('status', '=', 'running')
    .where(lastSign, '<', staleBefore())
    .execute();
  const reaped: string[] = [];
  for (const b of candidates) {
    const since = b.heartbeat_at ?? b.started_at;
    const error = `worker lost: no heartbeat from ${b.worker_id ?? 'its worker'} since ${since?.toISOString()}`;
    const failed = await failLostBackup(deps, b, error, (row) => {
      const last = row.heartbeat_at ?? since;
      return row.status === 'running' && (last === null || last < staleBefore());
    });
    if (failed) reaped.push(b.id);
  }
  return reaped;
}

/**
 * Fails the running backups of workers known to be gone (a restarted `lifeboat start`'s own
 * previous process, src/runtime/reclaim.ts) at once, with `error`; returns their ids.
 */
export async function failBackupsOfWorker(deps: Deps, workerId: string, error: string): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('backups')
    .select(['id', 'database', 'storage', 'worker_id'])
    .where('status', '=', 'running')
    .where('worker_id', '=', workerId)
    .execute();
  const failed: string[] = [];
  for (const b of rows) {
    if (await failLostBackup(deps, b, error, (row) => row.status === 'running' && row.worker_id === workerId)) {
      failed.push(b.id);
    }
  }
  return failed;
}

async function failLostBackup(
  deps: Deps,
  b: { id: string; database: string; storage: string },
  error: string,
  stillLost: BackupGuard,
): Promise<boolean> {
  const claimed = await setBackupStatus(deps.db, b.id, 'fail', {
    set: { error, finished_at: new Date() },
    guard: stillLost,
    audit: { actor: 'reaper', action: 'backup.fail', outcome: 'failure', details: { reason: error } },
  });
  if (!claimed) return false; // the worker came back, or another reaper was first
  const line = (text: string) =>
    deps.db
      .updateTable('backups')
      .set({ log: sql`log || ${`${new Date().toISOString()} ${text}\n`}` })
      .where('id', '=', b.id)
      .execute();
  await line('worker lost; the reaper failed the backup');
  const cfg = deps.catalog.storage[b.storage];
  if (cfg) {
    const storage = openCatalogStorage(cfg);
    try {
      const removed = await storage.deletePrefix(backupPrefix(b.database, b.id));
      await line(`removed ${removed} partial files from storage ${b.storage}`);
    } catch (err) {
      deps.logger.warn({ backupId: b.id, err: messageOf(err) }, 'could not remove the files of a lost backup');
      await line(`could not remove partial files: ${messageOf(err)}`);
    } finally {
      await storage.close?.();
    }
  }
  return true;
}
