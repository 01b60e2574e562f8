// One run: phase, percent, bytes, tables, rows/s and ETA updating live from the run's
// server-sent events, the log's tail, its checks and preview; cancel and undo where allowed.
import { useEffect, useState } from 'react';
import type { WhoAmIResponse } from '../../../src/contract/identity.js';
import type { RunDoc } from '../../../src/contract/runs.js';
import { get, post } from '../api.js';
import { ago, bytes, count, duration, time } from '../format.js';
import { Link } from '../router.js';
import { ApprovalsGiven } from './Approvals.js';
import { useLiveRun } from '../runs-live.js';
import { ErrorBox, Loading, may, ProgressBar, Section, Status, TierBadge, useGet } from '../ui.js';
import { CheckList } from '../wizard/ChecksStep.js';
import { PreviewView } from '../wizard/PreviewStep.js';
import { useAction } from '../wizard/action.js';

const TERMINAL = new Set(['completed', 'partial', 'failed', 'cancelled', 'rejected', 'expired']);
const EDITABLE = new Set(['draft', 'scoped', 'checked', 'previewed']);

export function RunDetail({ id, me }: { id: number; me: WhoAmIResponse }) {
  const loaded = useGet<RunDoc>(`/api/v1/runs/${id}?log=true`);
  const live = loaded.data !== undefined && !TERMINAL.has(loaded.data.status) && !EDITABLE.has(loaded.data.status);
  const { run, error: streamError } = useLiveRun(loaded.data, live);
  const log = useLogTail(id, run);
  const action = useAction();
  const act = (what: 'cancel' | 'undo') =>
    void action.run(async () => loaded.set(await post<RunDoc>(`/api/v1/runs/${id}/${what}`)));

  if (loaded.error) return <ErrorBox error={loaded.error} />;
  if (!run) return <Loading what={`run ${id}`} />;
  const p = run.progress;
  const mine = run.requestedBy === me.user;
  const canCancel = !TERMINAL.has(run.status) && (mine || may(me, 'restore.cancel'));
  const canUndo =
    run.status === 'completed' &&
    run.previous !== null &&
    !run.previous.dropped &&
    !run.undoneAt &&
    (mine || may(me, 'restore.undo'));
  return (
    <div className="grid">
      <div className="page-head">
        <h1>
          Run #{run.id}: {run.database} → {run.destination.target}
        </h1>
        <div className="row">
          <TierBadge tier={run.destination.tier} />
          <Status status={run.status} />
        </div>
      </div>
      <Section title="Progress">
        <ProgressBar percent={p.percent ?? (run.status === 'completed' ? 100 : 0)} label="Run progress" />
        <dl className="facts">
          <Fact k="Phase" v={run.phase ?? '—'} />
          <Fact k="Data" v={`${bytes(p.bytesDone)} of ${bytes(p.bytesTotal)}`} />
          <Fact k="Tables" v={`${count(p.tablesDone)} of ${count(p.tablesTotal)}`} />
          <Fact k="Rows" v={`${count(p.rowsDone)} of ${count(p.rowsTotal)}`} />
          <Fact k="Rows/s" v={count(p.rowsPerSecond === undefined ? undefined : Math.round(p.rowsPerSecond))} />
          <Fact k="ETA" v={TERMINAL.has(run.status) ? '—' : duration(p.etaSeconds)} />
          <Fact k="Started" v={time(run.startedAt)} />
          <Fact k="Duration" v={run.durationMs === null ? '—' : duration(run.durationMs / 1000)} />
        </dl>
        {live && !TERMINAL.has(run.status) && (
          <p className="muted small" role="status">
            Live: updates as the worker reports.
          </p>
        )}
        <ErrorBox error={streamError} />
        {run.error && (
          <div className="error" role="alert">
            <strong>{run.error}</strong>
            {run.errorStep && <div className="code">step: {run.errorStep}</div>}
          </div>
        )}
        <div className="row">
          {EDITABLE.has(run.status) && run.requestedBy === me.user && (
            <Link to={`/restore/new?run=${run.id}`} className="button primary">
              Continue in the wizard
            </Link>
          )}
          {canCancel && (
            <button type="button" disabled={action.busy} onClick={() => act('cancel')}>
              Cancel run
            </button>
          )}
          {canUndo && (
            <button type="button" disabled={action.busy} onClick={() => act('undo')}>
              Undo: put the previous copy back
            </button>
          )}
        </div>
        <ErrorBox error={action.error} />
      </Section>
      <Section title="Request">
        <dl className="facts">
          <Fact k="Requested by" v={`${run.requestedBy}, ${ago(run.createdAt)}`} />
          <Fact k="Source" v={`${run.source.server}, backup ${run.source.backupId ?? run.source.pointInTime ?? '—'}`} />
          <Fact k="Scope" v={run.tables ? run.tables.join(', ') : 'all tables'} />
          <Fact k="Justification" v={run.justification ?? '—'} />
          <Fact k="Start at" v={run.startAt ? time(run.startAt) : 'as soon as possible'} />
          <Fact k="Approvals" v={`${run.approvalsReceived} of ${run.approvalsRequired}`} />
          {run.previous && (
            <Fact
              k="Previous copy"
              v={`${run.previous.dbname}${run.previous.dropped ? ' (dropped)' : run.previous.expiresAt ? `, kept until ${time(run.previous.expiresAt)}` : ', kept'}`}
            />
          )}
        </dl>
        <ApprovalsGiven approvals={run.approvals} />
      </Section>
      <Section title="Log">
        {log ? (
          <pre className="log" tabIndex={0} aria-label="Run log">
            {log}
          </pre>
        ) : (
          <p className="muted">No log yet.</p>
        )}
      </Section>
      <Section title="Checks">
        <CheckList checks={run.checks} />
      </Section>
      {run.preview && (
        <Section title="Preview">
          <PreviewView preview={run.preview} />
        </Section>
      )}
    </div>
  );
}

function Fact({ k, v }: { k: string; v: string }) {
  return (
    <div>
      <dt>{k}</dt>
      <dd>{v}</dd>
    </div>
  );
}

/** The log's last lines, read again (at most every two seconds) as the run moves. */
function useLogTail(id: number, run: RunDoc | undefined): string {
  const [log, setLog] = useState('');
  const stamp = `${run?.status}:${run?.phase}:${Math.floor((run?.progress.percent ?? 0) / 5)}`;
  useEffect(() => {
    if (run?.log !== undefined) setLog(run.log);
  }, [run?.log]);
  useEffect(() => {
    if (!run) return;
    const ac = new AbortController();
    const t = setTimeout(() => {
      get<RunDoc>(`/api/v1/runs/${id}?log=true`, ac.signal).then(
        (r) => setLog(r.log ?? ''),
        () => {},
      );
    }, 300);
    return () => {
      clearTimeout(t);
      ac.abort();
    };
  }, [id, stamp]);
  return log.split('\n').slice(-40).join('\n');
}
