// Which recovery point a disaster-recovery plan picks (pure: no I/O, no clock). Seed 003: "the
// operator identifies the latest valid backup that is within the 1-hour RPO"; "the latest backup
// is found to be corrupt, requiring use of an older backup and resulting in a missed RPO".
// Candidates come newest first, each with what its checksums said. The newest valid point is
// chosen; it meets the RPO when it was taken at most `rpo` before the failure. A point newer than
// the failure, corrupt or unreadable is skipped with the reason; an unchecked point newer than
// the chosen one is skipped too (nothing proves it restores). Points older than the chosen one
// are not skipped: they were not needed.
import type { RecoveryPoint } from './recovery-point.js';

export type Integrity =
  | { state: 'valid' }
  | { state: 'corrupt'; reason: string }
  | { state: 'unverifiable'; reason: string }
  | { state: 'unchecked' };

export interface Candidate {
  point: RecoveryPoint;
  integrity: Integrity;
}

export interface PlanInput {
  /** Newest first. */
  candidates: readonly Candidate[];
  /** ISO 8601: the incident's failure time. */
  failureAt: string;
  /** The database's RPO in milliseconds (absent: no objective). */
  rpoMs?: number;
}

export interface Skipped {
  point: RecoveryPoint;
  reason: string;
}

export interface PlanDecision {
  chosen: RecoveryPoint | null;
  /** Failure time minus the chosen point's time (null: nothing chosen). */
  dataLossSeconds: number | null;
  /** null: no RPO configured, or nothing chosen. */
  rpoMet: boolean | null;
  /** Said when the RPO is missed or nothing could be chosen. */
  rpoMiss: string | null;
  skipped: Skipped[];
}

export function choosePoint(input: PlanInput): PlanDecision {
  const failure = Date.parse(input.failureAt);
  const skipped: Skipped[] = [];
  for (const c of input.candidates) {
    const taken = Date.parse(c.point.takenAt);
    if (taken > failure) {
      skipped.push({
        point: c.point,
        reason: `taken at ${c.point.takenAt}, after the failure at ${input.failureAt}: it may hold the failure`,
      });
      continue;
    }
    switch (c.integrity.state) {
      case 'corrupt':
        skipped.push({ point: c.point, reason: `corrupt: ${c.integrity.reason}` });
        continue;
      case 'unverifiable':
        skipped.push({ point: c.point, reason: `its checksums could not be read: ${c.integrity.reason}` });
        continue;
      case 'unchecked':
        skipped.push({ point: c.point, reason: 'its checksums were not verified' });
        continue;
      case 'valid': {
        const lossMs = failure - taken;
        const dataLossSeconds = Math.round(lossMs / 1000);
        if (input.rpoMs === undefined)
          return { chosen: c.point, dataLossSeconds, rpoMet: null, rpoMiss: null, skipped };
        const met = lossMs <= input.rpoMs;
        return {
          chosen: c.point,
          dataLossSeconds,
          rpoMet: met,
          rpoMiss: met
            ? null
            : `the newest valid point was taken ${formatSeconds(dataLossSeconds)} before the failure, over the RPO of ${formatSeconds(Math.round(input.rpoMs / 1000))}`,
          skipped,
        };
      }
      default: {
        const never: never = c.integrity;
        return never;
      }
    }
  }
  return {
    chosen: null,
    dataLossSeconds: null,
    rpoMet: input.rpoMs === undefined ? null : false,
    rpoMiss: input.candidates.length
      ? 'no valid recovery point was taken before the failure'
      : 'there is no recovery point at all',
    skipped,
  };
}

/** 3725 → "1h 2m 5s". */
export function formatSeconds(total: number): string {
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''].filter(Boolean);
  return parts.join(' ');
}
