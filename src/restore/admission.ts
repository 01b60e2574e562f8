// Whether a queued restore run may start now, given its team's `max_concurrent_restores`
// (PRODUCT.md: extra runs wait in order, they are not refused). A pure rule over what the caller
// read under the team's admission lock (src/restore/team-admission.ts):
//   - no limit: the run starts (only its destination lock can hold it back);
//   - the team's running runs fill the limit: it waits for one of them to end;
//   - otherwise the free places go to the team's queued runs in queue order: a run starts only
//     if fewer runs queued before it than there are free places. So a later run whose job
//     happens to fire first never takes the place of an earlier one still waiting.
// An earlier run keeps its place even while it waits for its destination: the team's queue is
// strictly in order, as the issue asks, at the price of a later run into another destination
// waiting behind it.

export interface AdmissionQuery {
  team: string;
  /** `teams.<team>.max_concurrent_restores`; undefined: no limit. */
  limit: number | undefined;
  /** The team's runs running now. */
  running: number;
  /** The team's queued runs that joined the queue before this one, earliest first. */
  ahead: readonly number[];
}

export type Admission = { start: true } | { start: false; waiting: string };

/** How many run ids a reason names before it says "and N more". */
const NAMED = 3;

export function admit(q: AdmissionQuery): Admission {
  if (q.limit === undefined) return { start: true };
  const running = `${q.running} of ${q.limit} restores running`;
  if (q.running >= q.limit) return { start: false, waiting: `team ${q.team} has ${running}` };
  const free = q.limit - q.running;
  if (q.ahead.length >= free) {
    return {
      start: false,
      waiting: `${runsNamed(q.ahead)} of team ${q.team} queued earlier and ${q.ahead.length === 1 ? 'goes' : 'go'} first (${running})`,
    };
  }
  return { start: true };
}

/** "run 4", "runs 4, 5 and 6", "runs 4, 5, 6 and 2 more". */
function runsNamed(ids: readonly number[]): string {
  if (ids.length === 1) return `run ${ids[0]}`;
  if (ids.length <= NAMED) return `runs ${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
  return `runs ${ids.slice(0, NAMED).join(', ')} and ${ids.length - NAMED} more`;
}
