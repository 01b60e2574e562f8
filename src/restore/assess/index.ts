// Assessing a restore before it runs: its safety checks and its preview, both kept on the run.
// The facts are gathered once (facts.ts, the only I/O), then judged by pure functions
// (checks.ts, preview.ts). `assess` gives both from one pass; the wizard's steps may ask for each.
import type { CheckDoc, PreviewDoc } from '../../contract/runs.js';
import { evaluateChecks } from './checks.js';
import { type AssessInput, gatherFacts } from './facts.js';
import { buildPreview } from './preview.js';

export type { AssessFacts, AssessInput } from './facts.js';
export { CHECK_CODES, type CheckCode, evaluateChecks, uncoveredSensitive } from './checks.js';
export { buildPreview, estimateDuration } from './preview.js';
export { schemaDiff } from './schema-diff.js';

export async function assessChecks(input: AssessInput): Promise<CheckDoc[]> {
  return evaluateChecks(await gatherFacts(input));
}

export async function assessPreview(input: AssessInput): Promise<PreviewDoc> {
  return buildPreview(await gatherFacts(input));
}

/** Both, from one look at the destination and the store. */
export async function assess(input: AssessInput): Promise<{ checks: CheckDoc[]; preview: PreviewDoc }> {
  const facts = await gatherFacts(input);
  return { checks: evaluateChecks(facts), preview: buildPreview(facts) };
}
