// The restore wizard: five steps (source, scope, checks, preview, confirm) over one run, each
// step a call of the wizard API (src/http/routes/wizard.ts) answered with the run as it stands.
// The run's id is in the address (?run=), so a reload or a link resumes it.
import { useEffect, useState } from 'react';
import type { WhoAmIResponse } from '../../../src/contract/identity.js';
import type { RunDoc } from '../../../src/contract/runs.js';
import { navigate, useLocation } from '../router.js';
import { ErrorBox, Loading, Status, TierBadge, useGet } from '../ui.js';
import { ChecksStep } from './ChecksStep.js';
import { ConfirmStep } from './ConfirmStep.js';
import { reachable, type Step, STEPS } from './gates.js';
import { PreviewStep } from './PreviewStep.js';
import { ScopeStep } from './ScopeStep.js';
import { SourceStep } from './SourceStep.js';

export interface StepProps {
  run: RunDoc;
  /** The API answered with the run as it now stands. */
  onRun: (run: RunDoc, next?: Step) => void;
}

export function Wizard({ me }: { me: WhoAmIResponse }) {
  const { query } = useLocation();
  const runParam = query.get('run');
  const loaded = useGet<RunDoc>(runParam ? `/api/v1/runs/${encodeURIComponent(runParam)}` : null);
  const [run, setRun] = useState<RunDoc | undefined>(undefined);
  const [step, setStep] = useState<Step>('Source');
  useEffect(() => {
    if (!runParam) {
      setRun(undefined);
      setStep('Source');
    }
  }, [runParam]);
  useEffect(() => {
    if (loaded.data) {
      setRun(loaded.data);
      setStep(lastReachable(loaded.data));
    }
  }, [loaded.data]);

  const onRun = (r: RunDoc, next?: Step) => {
    setRun(r);
    if (!runParam || Number(runParam) !== r.id) navigate(`/restore/new?run=${r.id}`, { replace: true });
    if (next) setStep(next);
  };
  const open = reachable(run);
  const editable = !run || ['draft', 'scoped', 'checked', 'previewed'].includes(run.status);

  return (
    <div className="wizard">
      <div className="page-head">
        <h1>Restore a database</h1>
        {run && (
          <div className="row">
            <span>
              Run #{run.id}: {run.database} → {run.destination.target}
            </span>
            <TierBadge tier={run.destination.tier} />
            <Status status={run.status} />
          </div>
        )}
      </div>
      <ol className="steps" aria-label="Wizard steps">
        {STEPS.map((s, i) => (
          <li key={s}>
            <button
              type="button"
              className={s === step ? 'current' : ''}
              aria-current={s === step ? 'step' : undefined}
              disabled={!open.has(s)}
              onClick={() => setStep(s)}
            >
              <span className="step-n">{i + 1}</span> {s}
            </button>
          </li>
        ))}
      </ol>
      {runParam && loaded.error ? (
        <ErrorBox error={loaded.error} />
      ) : runParam && !run ? (
        <Loading what="the run" />
      ) : run && !editable ? (
        <div className="card">
          <p>
            This run is <Status status={run.status} /> and no longer edited here.{' '}
            <button type="button" className="link" onClick={() => navigate(`/runs/${run.id}`)}>
              Open run #{run.id}
            </button>
          </p>
        </div>
      ) : step === 'Source' || !run ? (
        <SourceStep me={me} run={run} onRun={onRun} />
      ) : step === 'Scope' ? (
        <ScopeStep run={run} onRun={onRun} />
      ) : step === 'Checks' ? (
        <ChecksStep run={run} onRun={onRun} />
      ) : step === 'Preview' ? (
        <PreviewStep run={run} onRun={onRun} />
      ) : (
        <ConfirmStep run={run} onRun={onRun} />
      )}
    </div>
  );
}

function lastReachable(run: RunDoc): Step {
  const open = reachable(run);
  return [...STEPS].reverse().find((s) => open.has(s)) ?? 'Source';
}
