// A recovery point: what a database can be recovered to. Logical points are the backups Lifeboat
// took (the backups table); physical points (pgBackRest backups with WAL, recovered to a time)
// are beside them: each kind has its source of candidates, and `dr execute` dispatches on
// the kind (src/dr/execute.ts).
import type { Catalog, DatabaseConfig } from '../catalog/types.js';
import { archiveStatus, readStanzaInfo } from '../physical/backup.js';
import { isPhysical } from '../physical/pgbackrest.js';
import { usableFrom } from '../physical/recover.js';
import { lastTransactionInArchive } from '../physical/wal-reach.js';
import type { Db } from '../store/db.js';
import { PITR_TRIGGER } from '../backup/status.js';

export { pointLabel, samePoint, type RecoveryPoint } from './point.js';
import type { RecoveryPoint } from './point.js';

/** The database's logical backups that finished, newest first. */
export async function logicalCandidates(db: Db, database: DatabaseConfig): Promise<RecoveryPoint[]> {
  const rows = await db
    .selectFrom('backups')
    .select(['id', 'storage', 'status', 'bytes', 'started_at', 'created_at', 'verify_error'])
    .where('database', '=', database.name)
    .where('deleted_at', 'is', null)
    .where('status', 'in', ['completed', 'verified', 'corrupt', 'unverifiable'])
    // a backup of an older point in time is no recovery point for "now"
    .where('trigger', '<>', PITR_TRIGGER)
    .execute();
  return rows
    .map((r): RecoveryPoint => ({
      kind: 'logical',
      backupId: r.id,
      takenAt: new Date(r.started_at ?? r.created_at).toISOString(),
      storage: r.storage,
      status: r.status,
      bytes: r.bytes === null ? null : Number(r.bytes),
      knownProblem: r.status === 'corrupt' ? (r.verify_error ?? 'marked corrupt') : null,
    }))
    .sort((a, b) => b.takenAt.localeCompare(a.takenAt));
}

/**
 * The database's physical recovery points: when its server has pgBackRest, the newest state the
 * archived WAL reaches (the time the newest segment was archived; capped at the failure when WAL
 * was archived after it), once per backup set it can be replayed from, newest set first. A set
 * whose `pgbackrest verify` failed carries the verdict as its known problem, so the plan skips it
 * with the reason and replays from an older set. Nothing when the stanza cannot be read: the
 * logical points remain.
 */
export async function physicalCandidates(
  db: Db,
  catalog: Catalog,
  database: DatabaseConfig,
  opts: { failureAt?: Date } = {},
): Promise<RecoveryPoint[]> {
  const server = catalog.servers[database.server];
  if (!server || !isPhysical(server)) return [];
  const rows = await db
    .selectFrom('physical_backups')
    .select(['label', 'stanza', 'stopped_at', 'verify_status', 'verify_error'])
    .where('server', '=', server.name)
    .where('expired_at', 'is', null)
    .orderBy('stopped_at', 'desc')
    .execute();
  if (!rows.length) return [];
  const storage = catalog.storage[server.pgbackrest.repo];
  let reach: Date | null = null;
  // the end of the last archived transaction, read only when the archive reaches past the failure
  let lastTransaction: Date | null = null;
  if (storage) {
    try {
      const info = await readStanzaInfo(server, storage);
      reach = (await archiveStatus(server, storage, info)).lastArchivedAt;
      if (opts.failureAt !== undefined && reach !== null && reach > opts.failureAt)
        lastTransaction = await lastTransactionInArchive(server, storage, info);
    } catch {
      reach = null;
    }
  }
  return rows.map((r): RecoveryPoint => {
    const stopped = new Date(r.stopped_at);
    // no archived WAL time known: the backup's own end is what it surely reaches
    const latest = reach !== null && reach > stopped ? reach : stopped;
    const pastFailure = opts.failureAt !== undefined && latest > opts.failureAt;
    // nothing committed after the failure (a quiet database whose segment was archived later): the
    // latest state is the state then, and a time target would never be reached (PostgreSQL stops
    // only at a transaction after it)
    const quiet = pastFailure && lastTransaction !== null && lastTransaction <= opts.failureAt!;
    // (a time target inside the second the set stopped is not one pgBackRest can restore: usableFrom)
    const capped = pastFailure && !quiet && opts.failureAt! >= usableFrom({ stoppedAt: stopped });
    return {
      kind: 'physical',
      server: server.name,
      stanza: r.stanza,
      label: r.label,
      takenAt: (capped || quiet ? opts.failureAt! : latest).toISOString(),
      target: capped ? 'time' : 'latest',
      knownProblem:
        r.verify_status === 'failed' ? `pgbackrest verify: ${r.verify_error ?? 'the backup set is invalid'}` : null,
    };
  });
}

/** Every candidate of every kind, newest first (physical before logical at the same time). */
export async function recoveryCandidates(
  db: Db,
  catalog: Catalog,
  database: DatabaseConfig,
  opts: { failureAt?: Date } = {},
): Promise<RecoveryPoint[]> {
  const all = [...(await physicalCandidates(db, catalog, database, opts)), ...(await logicalCandidates(db, database))];
  return all.sort((a, b) => b.takenAt.localeCompare(a.takenAt));
}
