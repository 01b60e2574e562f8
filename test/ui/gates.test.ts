// The wizard's confirm step says which gate holds Execute (ui/src/wizard/gates.ts): seed 004's
// acceptance scenarios, as the UI explains them. The server enforces the same gates on submit
// (test/restore covers that side).
import { describe, expect, it } from 'vitest';
import type { RunDoc } from '../../src/contract/runs.js';
import { reachable, unmetGates } from '../../ui/src/wizard/gates.js';

const previewed = {
  id: 7,
  status: 'previewed',
  destination: { identifier: 'dev-pg01/customer' },
  source: { backupId: 'b1', pointInTime: null },
  checks: [{ code: 'backup_verified', severity: 'safe', message: 'verified' }],
  preview: { backupId: 'b1', backupTakenAt: '2026-12-05T00:00:00Z', tables: [] },
} as unknown as RunDoc;
const ready = { dryRun: false, acknowledged: true, typed: 'dev-pg01/customer' };

describe('unmetGates', () => {
  it('lets Execute through only when every gate holds', () => {
    expect(unmetGates(previewed, ready)).toEqual([]);
  });

  it('holds it with dry run on (the default), naming it', () => {
    expect(unmetGates(previewed, { ...ready, dryRun: true })).toEqual(['Dry run is on: turn it off to execute.']);
  });

  it('holds it without a preview of this plan', () => {
    const checked = { ...previewed, status: 'checked', preview: null } as RunDoc;
    expect(unmetGates(checked, ready)).toEqual(['The preview has not been done for this plan.']);
  });

  it('holds it with a blocking check', () => {
    const blocked = {
      ...previewed,
      checks: [{ code: 'backup_corrupt', severity: 'blocking', message: 'corrupt' }],
    } as RunDoc;
    expect(unmetGates(blocked, ready)).toEqual(['1 blocking check must be resolved.']);
  });

  it('holds it with a wrong identifier, and without the acknowledgement', () => {
    expect(unmetGates(previewed, { ...ready, typed: 'dev-pg01/Customer' })).toEqual([
      'Type the identifier dev-pg01/customer exactly.',
    ]);
    expect(unmetGates(previewed, { ...ready, acknowledged: false })).toEqual(['Tick "I reviewed the impact".']);
  });

  it('with warnings only: held until acknowledged, then through', () => {
    const warned = {
      ...previewed,
      checks: [{ code: 'destination_exists', severity: 'warning', message: 'replaced' }],
    } as RunDoc;
    expect(unmetGates(warned, { ...ready, acknowledged: false })).toEqual(['Tick "I reviewed the impact".']);
    expect(unmetGates(warned, ready)).toEqual([]);
  });
});

describe('reachable', () => {
  it('opens the steps as far as the run has come; a blocker closes the preview', () => {
    expect([...reachable(undefined)]).toEqual(['Source']);
    const draft = { ...previewed, status: 'draft', source: { backupId: null, pointInTime: null }, checks: [] };
    expect([...reachable(draft as unknown as RunDoc)]).toEqual(['Source']);
    expect([...reachable({ ...draft, source: { backupId: 'b1', pointInTime: null } } as unknown as RunDoc)]).toEqual([
      'Source',
      'Scope',
    ]);
    expect([...reachable(previewed)]).toEqual(['Source', 'Scope', 'Checks', 'Preview', 'Confirm']);
    const blocked = { ...previewed, status: 'checked', checks: [{ code: 'x', severity: 'blocking', message: 'm' }] };
    expect([...reachable(blocked as unknown as RunDoc)]).toEqual(['Source', 'Scope', 'Checks']);
  });
});
