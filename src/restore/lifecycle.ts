// A restore run's lifecycle as a pure function (PRODUCT.md capability 3):
//   draft → scoped → checked → previewed → pending_approval → approved → scheduled → queued
//   → running → completed | partial | failed | cancelled        (also rejected, expired)
// The wizard's steps move a run forward one at a time; choosing the source again (`source`) or
// the scope again (`scope`) sends it back and resets what follows, approvals included, as long as
// it has not been handed to a worker. A plan that changes under its approvals (`void`) waits for
// approvals again. Every status change goes through `nextStatus`; an event that does not apply
// is a 409.
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
  'source',
  'scope',
  'check',
  'preview',
  'submit',
  'approve',
  'reject',
  'void',
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

/** Statuses in which the requester may still change the source or the scope (resetting what follows). */
export const EDITABLE_STATUSES: ReadonlySet<RunStatus> = new Set([
  ...DRY_RUN_STATUSES,
  'pending_approval',
  'approved',
  'scheduled',
]);

function target(from: RunStatus, event: RunEvent, ctx: TransitionContext): RunStatus | undefined {
  switch (event) {
    case 'source':
      return EDITABLE_STATUSES.has(from) ? 'draft' : undefined;
    case 'scope':
      return EDITABLE_STATUSES.has(from) ? 'scoped' : undefined;
    case 'check':
      return from === 'scoped' || from === 'checked' || from === 'previewed' ? 'checked' : undefined;
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
    case 'void':
      return from === 'pending_approval' || from === 'approved' || from === 'scheduled' || from === 'queued'
        ? 'pending_approval'
        : undefined;
    case 'expire':
      return EDITABLE_STATUSES.has(from) ? 'expired' : undefined;
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
