// A restore run's lifecycle as a pure function (PRODUCT.md capability 3):
//   draft → scoped → checked → previewed → pending_approval → approved → scheduled → queued
//   → running → completed | partial | failed | cancelled        (also rejected, expired)
// Every status change goes through `nextStatus`; an event that does not apply is a 409.
import { LifeboatError } from '../errors.js';

export const RUN_STATUSES = [
  'draft',
  'scoped',
  'checked',
  'previewed',
  'pending_approval',
  'approved',
  'scheduled',
  'queued',
  'running',
  'completed',
  'partial',
  'failed',
  'cancelled',
  'rejected',
  'expired',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_EVENTS = [
  'scope',
  'check',
  'preview',
  'submit',
  'approve',
  'reject',
  'expire',
  'schedule',
  'enqueue',
  'start',
  'complete',
  'complete_partially',
  'fail',
  'cancel',
] as const;
export type RunEvent = (typeof RUN_EVENTS)[number];

export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set([
  'completed',
  'partial',
  'failed',
  'cancelled',
  'rejected',
  'expired',
]);

/** A dry run's statuses: such a run moves on only when its requester acts, never by itself. */
export const DRY_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['draft', 'scoped', 'checked', 'previewed']);

export function isTerminal(s: RunStatus): boolean {
  return TERMINAL_STATUSES.has(s);
}

export interface TransitionContext {
  /** Approvals still needed when submitting (0 goes straight to approved). */
  approvalsMissing?: number;
}

function target(from: RunStatus, event: RunEvent, ctx: TransitionContext): RunStatus | undefined {
  switch (event) {
    case 'scope':
      return from === 'draft' || from === 'scoped' || from === 'checked' || from === 'previewed' ? 'scoped' : undefined;
    case 'check':
      return from === 'scoped' || from === 'checked' ? 'checked' : undefined;
    case 'preview':
      return from === 'checked' || from === 'previewed' ? 'previewed' : undefined;
    case 'submit':
      if (from !== 'previewed') return undefined;
      return (ctx.approvalsMissing ?? 1) > 0 ? 'pending_approval' : 'approved';
    case 'approve':
      if (from !== 'pending_approval') return undefined;
      return (ctx.approvalsMissing ?? 0) > 0 ? 'pending_approval' : 'approved';
    case 'reject':
      return from === 'pending_approval' ? 'rejected' : undefined;
    case 'expire':
      return from === 'pending_approval' || from === 'approved' || from === 'scheduled' ? 'expired' : undefined;
    case 'schedule':
      return from === 'approved' ? 'scheduled' : undefined;
    case 'enqueue':
      return from === 'approved' || from === 'scheduled' ? 'queued' : undefined;
    case 'start':
      return from === 'queued' ? 'running' : undefined;
    case 'complete':
      return from === 'running' ? 'completed' : undefined;
    case 'complete_partially':
      return from === 'running' ? 'partial' : undefined;
    case 'fail':
      return from === 'queued' || from === 'running' ? 'failed' : undefined;
    case 'cancel':
      return isTerminal(from) ? undefined : 'cancelled';
    default: {
      const never: never = event;
      return never;
    }
  }
}

export function canTransition(from: RunStatus, event: RunEvent, ctx: TransitionContext = {}): boolean {
  return target(from, event, ctx) !== undefined;
}

export function nextStatus(from: RunStatus, event: RunEvent, ctx: TransitionContext = {}): RunStatus {
  const to = target(from, event, ctx);
  if (to === undefined) {
    throw new LifeboatError('invalid_transition', `a ${from.replace('_', ' ')} run cannot ${event.replace('_', ' ')}`, {
      hint: isTerminal(from)
        ? 'the run has ended; request a new one'
        : 'see `lifeboat restore show <run>` for what it is waiting for',
      details: { from, event },
    });
  }
  return to;
}
