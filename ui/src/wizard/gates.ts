// What stands between a previewed run and Execute, said in words. The UI only explains: the
// server checks every gate again when the run is submitted (src/restore/submit.ts).
import type { RunDoc } from '../../../src/contract/runs.js';

export interface ConfirmState {
  dryRun: boolean;
  acknowledged: boolean;
  typed: string;
}

/** The unmet gates, in the order a user meets them; empty when Execute may be pressed. */
export function unmetGates(run: RunDoc, c: ConfirmState): string[] {
  const out: string[] = [];
  if (c.dryRun) out.push('Dry run is on: turn it off to execute.');
  if (!run.preview || run.status !== 'previewed') out.push('The preview has not been done for this plan.');
  const blockers = run.checks.filter((k) => k.severity === 'blocking');
  if (blockers.length > 0)
    out.push(`${blockers.length} blocking check${blockers.length === 1 ? '' : 's'} must be resolved.`);
  if (!c.acknowledged) out.push('Tick "I reviewed the impact".');
  if (c.typed !== run.destination.identifier) out.push(`Type the identifier ${run.destination.identifier} exactly.`);
  return out;
}

export const STEPS = ['Source', 'Scope', 'Checks', 'Preview', 'Confirm'] as const;
export type Step = (typeof STEPS)[number];

/** How far the run has come: the steps that may be opened. */
export function reachable(run: RunDoc | undefined): Set<Step> {
  const s = new Set<Step>(['Source']);
  if (!run) return s;
  if (run.source.backupId || run.source.pointInTime) s.add('Scope');
  if (['scoped', 'checked', 'previewed'].includes(run.status)) s.add('Checks');
  const blocked = run.checks.some((k) => k.severity === 'blocking');
  if (['checked', 'previewed'].includes(run.status) && !blocked) s.add('Preview');
  if (run.status === 'previewed') s.add('Confirm');
  return s;
}
