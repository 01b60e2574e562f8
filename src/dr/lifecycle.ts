// An incident's lifecycle, as a pure function of events:
//   declared → planned → executing → recovered
//   planned → planned (re-planned, audited with what changed)
//   executing → failed → planned | executing (planned again, or executed again)
//   executing → failed also when its worker is lost (executionLost: the reaper, src/dr/reap.ts)
// src/dr/incident-state.ts is the one writer of an incident's status.
import { LifeboatError } from '../errors.js';

export const INCIDENT_STATUSES = ['declared', 'planned', 'executing', 'recovered', 'failed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export type IncidentEvent = 'plan' | 'execute' | 'recover' | 'fail';

/** Where nothing runs any more (a failed incident can still be planned and executed again). */
export const SETTLED_INCIDENT_STATUSES: ReadonlySet<string> = new Set<IncidentStatus>(['recovered', 'failed']);

export function incidentStatusOf(s: string): IncidentStatus {
  if ((INCIDENT_STATUSES as readonly string[]).includes(s)) return s as IncidentStatus;
  throw new LifeboatError('internal', `unknown incident status ${s}`);
}

/** The status after `event`, or undefined when the event does not apply. */
export function nextIncidentStatus(from: IncidentStatus, event: IncidentEvent): IncidentStatus | undefined {
  switch (event) {
    case 'plan':
      return from === 'declared' || from === 'planned' || from === 'failed' ? 'planned' : undefined;
    case 'execute':
      return from === 'planned' || from === 'failed' ? 'executing' : undefined;
    case 'recover':
      return from === 'executing' ? 'recovered' : undefined;
    case 'fail':
      return from === 'executing' ? 'failed' : undefined;
    default: {
      const never: never = event;
      throw new Error(`unknown incident event ${String(never)}`);
    }
  }
}

/** Why `event` does not apply to an incident in `from`, for the operator (with what to do). */
export function refusal(id: number, from: IncidentStatus, event: IncidentEvent): { message: string; hint: string } {
  const verb = { plan: 'be planned', execute: 'be executed', recover: 'recover', fail: 'fail' }[event];
  const hint =
    from === 'declared'
      ? `plan it first: \`lifeboat dr plan ${id}\``
      : from === 'executing'
        ? `it is being executed; follow it with \`lifeboat dr show ${id}\``
        : from === 'recovered'
          ? `it is over; read its report with \`lifeboat dr report ${id}\``
          : `see \`lifeboat dr show ${id}\``;
  return { message: `incident ${id} is ${from}: it cannot ${verb}`, hint };
}

/** What the reaper knows of an incident's execution. */
export interface ExecutionSigns {
  status: IncidentStatus;
  /** The worker that claimed the execution (null: queued, no worker has taken it yet). */
  workerId: string | null;
  heartbeatAt: Date | null;
}

/**
 * Whether an incident's execution is lost: executing, claimed by a worker, and that worker is
 * known to be gone (`lostWorker`, a restarted `lifeboat start`'s previous process) or has not
 * heartbeated since `staleBefore`. An execution no worker has claimed yet waits for one (its
 * heartbeat may be a previous execution's).
 */
export function executionLost(s: ExecutionSigns, by: { staleBefore: Date } | { lostWorker: string }): boolean {
  if (s.status !== 'executing' || s.workerId === null) return false;
  if ('lostWorker' in by) return s.workerId === by.lostWorker;
  return s.heartbeatAt === null || s.heartbeatAt < by.staleBefore;
}

/** The error a lost execution fails with: the step it was in, and why the worker is taken for lost. */
export function workerLostError(
  step: string | null,
  why: { workerId: string; heartbeatAt: Date | null } | { pid: number },
): string {
  const during = `worker lost during ${step ?? 'its start'}`;
  return 'pid' in why
    ? `${during}: the Lifeboat process that ran it (pid ${why.pid}) stopped`
    : `${during}: no heartbeat from ${why.workerId} since ${why.heartbeatAt ? why.heartbeatAt.toISOString() : 'it claimed the incident'}`;
}
