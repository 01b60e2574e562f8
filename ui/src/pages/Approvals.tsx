// The approvals inbox: runs waiting for an approval, each with its plan, checks and preview;
// approve or reject with a comment. A requester's own runs are shown but not approvable (the
// server refuses it too: separation of duties).
import { useState } from 'react';
import type { WhoAmIResponse } from '../../../src/contract/identity.js';
import type { RunDoc, RunList } from '../../../src/contract/runs.js';
import { post } from '../api.js';
import { ago } from '../format.js';
import { Link } from '../router.js';
import { ErrorBox, Loading, may, Section, Status, TierBadge, useGet } from '../ui.js';
import { CheckList } from '../wizard/ChecksStep.js';
import { PreviewView } from '../wizard/PreviewStep.js';
import { useAction } from '../wizard/action.js';

export function Approvals({ me }: { me: WhoAmIResponse }) {
  const inbox = useGet<RunList>('/api/v1/runs?awaitingMe=true&status=pending_approval&limit=100');
  const [openId, setOpenId] = useState<number | null>(null);
  if (inbox.error) return <ErrorBox error={inbox.error} />;
  if (!inbox.data) return <Loading what="the approvals inbox" />;
  const runs = inbox.data.runs;
  const open = runs.find((r) => r.id === openId) ?? runs.find((r) => r.requestedBy !== me.user) ?? runs[0];
  return (
    <div className="grid">
      <div className="page-head">
        <h1>Approvals</h1>
        <button type="button" onClick={inbox.reload}>
          Refresh
        </button>
      </div>
      {runs.length === 0 ? (
        <p className="card muted">Nothing is waiting for an approval.</p>
      ) : (
        <div className="split">
          <ul className="plain inbox" aria-label="Runs awaiting approval">
            {runs.map((r) => (
              <li key={r.id}>
                <button
                  type="button"
                  className={`inbox-item${open?.id === r.id ? ' current' : ''}`}
                  aria-pressed={open?.id === r.id}
                  onClick={() => setOpenId(r.id)}
                >
                  <strong>#{r.id}</strong> {r.database} → {r.destination.target}
                  <span className="muted small">
                    {r.requestedBy === me.user ? 'your request' : `by ${r.requestedBy}`}, {ago(r.createdAt)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {open && <Decision key={open.id} run={open} me={me} onDone={inbox.reload} />}
        </div>
      )}
    </div>
  );
}

function Decision({ run, me, onDone }: { run: RunDoc; me: WhoAmIResponse; onDone: () => void }) {
  const [comment, setComment] = useState('');
  const [done, setDone] = useState<RunDoc | null>(null);
  const action = useAction();
  const own = run.requestedBy === me.user;
  const planHash = (run as { planHash?: string | null }).planHash ?? undefined;
  const decide = (what: 'approve' | 'reject') =>
    void action.run(async () => {
      const body =
        what === 'approve' ? { ...(comment ? { comment } : {}), ...(planHash ? { planHash } : {}) } : { comment };
      setDone(await post<RunDoc>(`/api/v1/runs/${run.id}/${what}`, body));
      onDone();
    });
  const received = (run as { approvalsReceived?: number }).approvalsReceived ?? 0;
  return (
    <div className="grid">
      <Section title={`Run #${run.id}`} actions={<Link to={`/runs/${run.id}`}>Open the run</Link>}>
        <div className="row">
          <span>
            {run.database} from {run.source.server} into <strong>{run.destination.target}</strong>
          </span>
          <TierBadge tier={run.destination.tier} />
          <Status status={run.status} />
        </div>
        <dl className="facts">
          <div>
            <dt>Requested by</dt>
            <dd>{run.requestedBy}</dd>
          </div>
          <div>
            <dt>Backup</dt>
            <dd>{run.source.backupId ?? run.source.pointInTime ?? '—'}</dd>
          </div>
          <div>
            <dt>Scope</dt>
            <dd>{run.tables ? run.tables.join(', ') : 'all tables'}</dd>
          </div>
          <div>
            <dt>Justification</dt>
            <dd>{run.justification ?? '—'}</dd>
          </div>
          <div>
            <dt>Approvals</dt>
            <dd>
              {received} of {run.approvalsRequired}
            </dd>
          </div>
        </dl>
        {done ? (
          <p role="status">
            Decision recorded: the run is now <Status status={done.status} />.
          </p>
        ) : own ? (
          <p className="note" role="note">
            You requested this run: it must be approved by another approver of its team.
          </p>
        ) : !may(me, 'restore.approve') ? (
          <p className="note" role="note">
            Your roles ({me.roles.join(', ')}) do not approve restores.
          </p>
        ) : (
          <div className="form">
            <label>
              Comment <span className="muted">(required to reject)</span>
              <textarea value={comment} onChange={(e) => setComment(e.target.value)} rows={2} />
            </label>
            <ErrorBox error={action.error} />
            <div className="row">
              <button type="button" className="primary" disabled={action.busy} onClick={() => decide('approve')}>
                Approve
              </button>
              <button
                type="button"
                className="danger"
                disabled={action.busy || comment.trim() === ''}
                onClick={() => decide('reject')}
              >
                Reject
              </button>
            </div>
          </div>
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
