// A drill's lifecycle, as a pure function of events:
//   queued → running → passed | failed      (and queued → failed: it could not start)
//   queued | running → cancelled            (`lifeboat drill cancel`; its worker stops)
// A drill whose worker is lost is failed ("worker lost") by the reaper (reap.ts).
// src/drills/drill-state.ts is the one writer of a drill's status.
import { LifeboatError } from '../errors.js';

export const DRILL_STATUSES = ['queued', 'running', 'passed', 'failed', 'cancelled'] as const;
export type DrillStatus = (typeof DRILL_STATUSES)[number];
export type DrillEvent = 'start' | 'pass' | 'fail' | 'cancel';

export const TERMINAL_DRILL_STATUSES: ReadonlySet<string> = new Set<DrillStatus>(['passed', 'failed', 'cancelled']);

export function drillStatusOf(s: string): DrillStatus {
  if ((DRILL_STATUSES as readonly string[]).includes(s)) return s as DrillStatus;
  throw new LifeboatError('internal', `unknown drill status ${s}`);
}

/** The status after `event`, or undefined when the event does not apply. */
export function nextDrillStatus(from: DrillStatus, event: DrillEvent): DrillStatus | undefined {
  switch (event) {
    case 'start':
      return from === 'queued' ? 'running' : undefined;
    case 'pass':
      return from === 'running' ? 'passed' : undefined;
    case 'fail':
      return from === 'queued' || from === 'running' ? 'failed' : undefined;
    case 'cancel':
      return from === 'queued' || from === 'running' ? 'cancelled' : undefined;
    default: {
      const never: never = event;
      throw new Error(`unknown drill event ${String(never)}`);
    }
  }
}

/**
 * Whether a drill has all it will have: its verdict and evidence pack (written just after the
 * verdict), or an end that writes none (cancelled, could not start, its worker lost).
 */
export function drillSettled(d: { status: string; hasEvidence: boolean; errorStep: string | null }): boolean {
  if (!TERMINAL_DRILL_STATUSES.has(d.status)) return false;
  return d.hasEvidence || d.status === 'cancelled' || d.errorStep === 'start' || d.errorStep === 'worker';
}
