// What an incident's list row and header show of its clocks, from its document and its
// database's targets: the RTO clock (running since the failure, or stopped at health green)
// against the RTO, and the RPO (data lost to the chosen recovery point) against the RPO. Pure.
import type { IncidentDoc } from '../../../src/contract/dr.js';
import { duration } from '../format.js';

export interface Figure {
  /** What to show, e.g. "1h 5m of 4h" or "running: 12m of 4h". */
  text: string;
  /** met / missed / running (the clock has not stopped) / unknown (nothing to measure yet). */
  tone: 'met' | 'missed' | 'running' | 'unknown';
}

export interface Targets {
  rpoSeconds: number | null;
  rtoSeconds: number | null;
}

const of = (target: number | null) => (target === null ? '' : ` of ${duration(target)}`);

/** The RTO clock: from the incident's start to health green (recovered), or to now. */
export function rtoFigure(
  i: Pick<IncidentDoc, 'status' | 'startedAt' | 'recoveredAt'>,
  t: Targets,
  now: number,
): Figure {
  const start = new Date(i.startedAt).getTime();
  if (i.recoveredAt !== null) {
    const s = (new Date(i.recoveredAt).getTime() - start) / 1000;
    return {
      text: `${duration(s)}${of(t.rtoSeconds)}`,
      tone: t.rtoSeconds === null ? 'unknown' : s <= t.rtoSeconds ? 'met' : 'missed',
    };
  }
  const s = Math.max(0, (now - start) / 1000);
  const over = t.rtoSeconds !== null && s > t.rtoSeconds;
  return { text: `${over ? 'over' : 'running'}: ${duration(s)}${of(t.rtoSeconds)}`, tone: over ? 'missed' : 'running' };
}

/** The RPO: the data the plan's chosen point loses, once planned. */
export function rpoFigure(i: Pick<IncidentDoc, 'plan'>, t: Targets): Figure {
  const p = i.plan;
  if (!p) return { text: 'not planned', tone: 'unknown' };
  if (!p.chosen) return { text: 'no valid recovery point', tone: 'missed' };
  const target = p.rpoSeconds ?? t.rpoSeconds;
  const loss = p.dataLossSeconds;
  if (loss === null) return { text: `—${of(target)}`, tone: 'unknown' };
  return {
    text: `${duration(loss)}${of(target)}`,
    tone: target === null ? 'unknown' : loss <= target ? 'met' : 'missed',
  };
}

/** A recovery point as people name it. */
export function pointText(p: NonNullable<IncidentDoc['plan']>['candidates'][number]['point']): string {
  return p.kind === 'logical'
    ? `backup ${p.backupId}`
    : `physical backup ${p.label} (${p.stanza}), replayed to ${p.target === 'time' ? 'the failure time' : 'the newest archived WAL'}`;
}

/** Which of Plan and Execute an incident in this status offers (to those the policy allows). */
export function offers(i: Pick<IncidentDoc, 'status' | 'plan'>): { plan: boolean; execute: boolean } {
  const open = i.status === 'declared' || i.status === 'planned' || i.status === 'failed';
  return { plan: open, execute: (i.status === 'planned' || i.status === 'failed') && Boolean(i.plan?.chosen) };
}
