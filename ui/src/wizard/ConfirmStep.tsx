// Step 5: the gates, in the open. Dry run is on until turned off; the destination's environment
// is shown large; "I reviewed the impact" and the identifier typed back. Execute says which gate
// still holds it; the server checks them all again on submit.
import { useState } from 'react';
import type { RunDoc } from '../../../src/contract/runs.js';
import { post } from '../api.js';
import { navigate } from '../router.js';
import { ErrorBox, TierBadge } from '../ui.js';
import { useAction } from './action.js';
import { unmetGates } from './gates.js';
import type { StepProps } from './Wizard.js';

export function ConfirmStep({ run }: StepProps) {
  const [dryRun, setDryRun] = useState(true);
  const [acknowledged, setAcknowledged] = useState(false);
  const [typed, setTyped] = useState('');
  const action = useAction();
  const gates = unmetGates(run, { dryRun, acknowledged, typed });
  const warnings = run.checks.filter((c) => c.severity === 'warning').length;
  const execute = () =>
    void action.run(async () => {
      const r = await post<RunDoc>(`/api/v1/runs/${run.id}/submit`, { confirm: typed, acknowledge: acknowledged });
      navigate(`/runs/${r.id}`);
    });
  return (
    <div className="card confirm">
      <h2>5. Confirm</h2>
      <div className="confirm-target">
        <TierBadge tier={run.destination.tier} large />
        <div>
          <div className="big">{run.destination.target}</div>
          <div className="muted">
            {run.database} from backup {run.source.backupId ?? run.source.pointInTime} ·{' '}
            {run.tables ? `${run.tables.length} tables` : 'all tables'} ·{' '}
            {run.approvalsRequired > 0
              ? `${run.approvalsRequired} approval${run.approvalsRequired === 1 ? '' : 's'} needed`
              : 'no approval needed'}
          </div>
        </div>
      </div>
      <label className="inline switch">
        <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} /> Dry run (stop after the
        preview; nothing is written)
      </label>
      <label className="inline">
        <input type="checkbox" checked={acknowledged} onChange={(e) => setAcknowledged(e.target.checked)} /> I reviewed
        the impact{warnings > 0 ? ` (including ${warnings} warning${warnings === 1 ? '' : 's'})` : ''}
      </label>
      <label>
        Type <code>{run.destination.identifier}</code> to confirm
        <input
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          aria-describedby="gates"
        />
      </label>
      <ErrorBox error={action.error} />
      <div className="row">
        <button
          type="button"
          className="primary danger"
          disabled={gates.length > 0 || action.busy}
          aria-describedby="gates"
          onClick={execute}
        >
          {action.busy ? 'Submitting…' : run.approvalsRequired > 0 ? 'Execute (submit for approval)' : 'Execute'}
        </button>
      </div>
      <ul id="gates" className="gates plain" aria-live="polite">
        {gates.length === 0 ? (
          <li className="ok">Every gate holds: Execute submits this very run.</li>
        ) : (
          gates.map((g) => <li key={g}>{g}</li>)
        )}
      </ul>
      {dryRun && (
        <p className="muted small">This dry run stays available until it expires; it can be submitted later.</p>
      )}
    </div>
  );
}
