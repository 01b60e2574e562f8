// A recovery point and its name: what the CLI and the pure plan rule need, without the modules
// that list candidates (pgBackRest, the store), so that `lifeboat dr …` starts fast.

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
      /** The server whose stanza holds it, the pgBackRest stanza and the backup set replayed from. */
      server: string;
      stanza: string;
      label: string;
      /** The time the recovery reaches (the newest archived WAL, or the failure time when WAL goes past it). */
      takenAt: string;
      /** latest: replay all archived WAL; time: stop at takenAt. */
      target: 'latest' | 'time';
      /** Why the backup set cannot be used (its `pgbackrest verify` verdict). */
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
