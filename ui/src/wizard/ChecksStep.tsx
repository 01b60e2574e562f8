// Step 3: the safety checks, worked out by the server: blocking, warning, safe; each blocker
// with its hint.
import { useEffect, useRef } from 'react';
import type { CheckDoc, RunDoc } from '../../../src/contract/runs.js';
import { post } from '../api.js';
import { ErrorBox, Loading } from '../ui.js';
import { useAction } from './action.js';
import type { StepProps } from './Wizard.js';

const ORDER = ['blocking', 'warning', 'safe'] as const;

export function ChecksStep({ run, onRun }: StepProps) {
  const action = useAction();
  const asked = useRef(false);
  const needed = run.status === 'scoped';
  const work = () => void action.run(async () => onRun(await post<RunDoc>(`/api/v1/runs/${run.id}/checks`)));
  useEffect(() => {
    if (needed && !asked.current) {
      asked.current = true;
      work();
    }
  });
  const blockers = run.checks.filter((c) => c.severity === 'blocking');
  return (
    <div className="card">
      <h2>3. Checks</h2>
      <ErrorBox error={action.error} />
      {needed || action.busy ? (
        <Loading what="the checks" />
      ) : (
        <>
          <CheckList checks={run.checks} />
          {blockers.length > 0 ? (
            <p className="bad">
              {blockers.length} blocking check{blockers.length === 1 ? '' : 's'}: this restore cannot go on until{' '}
              {blockers.length === 1 ? 'it is' : 'they are'} resolved (see the hints), or choose another source or
              scope.
            </p>
          ) : (
            <button type="button" className="primary" onClick={() => onRun(run, 'Preview')} disabled={action.busy}>
              Next: preview
            </button>
          )}{' '}
          <button type="button" onClick={work} disabled={action.busy}>
            Run the checks again
          </button>
        </>
      )}
    </div>
  );
}

export function CheckList({ checks }: { checks: CheckDoc[] }) {
  if (checks.length === 0) return <p className="muted">No checks yet.</p>;
  const sorted = [...checks].sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity));
  return (
    <ul className="checks plain" aria-label="Safety checks">
      {sorted.map((c, i) => (
        <li key={`${c.code}-${i}`} className={`check check-${c.severity}`}>
          <span className={`badge sev-${c.severity}`}>{c.severity}</span>
          <span>
            {c.message}
            {typeof c.hint === 'string' && <span className="hint"> Hint: {c.hint}</span>}
            <span className="code"> {c.code}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}
