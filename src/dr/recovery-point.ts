// A recovery point: what a database can be recovered to. Logical points are the backups Lifeboat
// took (the backups table); physical points (pgBackRest backups with WAL, recovered to a time)
// slot in beside them: each kind has its source of candidates, and `dr execute` dispatches on
// the kind (src/dr/execute.ts).
import type { DatabaseConfig } from '../catalog/types.js';
import type { Db } from '../store/db.js';
import { PITR_TRIGGER } from '../backup/status.js';

export type RecoveryPoint =
  | {
      kind: 'logical';
      backupId: string;
      /** When pg_dump took its snapshot (the backup's start), ISO 8601. */
      takenAt: string;
      storage: string;
      /** The backup's status in the catalog when it was listed. */
      status: string;
      bytes: number | null;
      /** Why the catalog already knows it is corrupt or unreadable. */
      knownProblem: string | null;
    }
  | {
      kind: 'physical';
      /** The pgBackRest stanza and backup label (wired in by the physical-backup capability). */
      stanza: string;
      label: string;
      /** The time the recovery reaches (the newest archived WAL, or a requested target). */
      takenAt: string;
      knownProblem: string | null;
    };

/** How a point is named in plans, timelines and reports. */
export function pointLabel(p: RecoveryPoint): string {
  switch (p.kind) {
    case 'logical':
      return `backup ${p.backupId}`;
    case 'physical':
      return `physical backup ${p.label} (${p.stanza})`;
    default: {
      const never: never = p;
      return never;
    }
  }
}

/** The same point (a re-plan compares what it chose against the previous plan). */
export function samePoint(a: RecoveryPoint | null, b: RecoveryPoint | null): boolean {
  if (a === null || b === null) return a === b;
  return pointLabel(a) === pointLabel(b);
}

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
 * The database's physical recovery points. None yet: pgBackRest backups are built in parallel
 * (issue 18, items 1-3), and their source is wired in here when they are merged.
 */
export async function physicalCandidates(_db: Db, _database: DatabaseConfig): Promise<RecoveryPoint[]> {
  return [];
}

/** Every candidate of every kind, newest first. */
export async function recoveryCandidates(db: Db, database: DatabaseConfig): Promise<RecoveryPoint[]> {
  const all = [...(await logicalCandidates(db, database)), ...(await physicalCandidates(db, database))];
  return all.sort((a, b) => b.takenAt.localeCompare(a.takenAt));
}
