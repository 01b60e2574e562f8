// A drill's lifecycle, as a pure function of events:
//   queued → running → passed | failed      (and queued → failed: it could not start)
// src/drills/drill-state.ts is the one writer of a drill's status.
import { LifeboatError } from '../errors.js';

export const DRILL_STATUSES = ['queued', 'running', 'passed', 'failed'] as const;
export type DrillStatus = (typeof DRILL_STATUSES)[number];
export type DrillEvent = 'start' | 'pass' | 'fail';

export const TERMINAL_DRILL_STATUSES: ReadonlySet<string> = new Set<DrillStatus>(['passed', 'failed']);

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
    default: {
      const never: never = event;
      throw new Error(`unknown drill event ${String(never)}`);
    }
  }
}
