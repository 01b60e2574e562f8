// The approvals page: the inbox (runs waiting for an approval the signed-in user may give, each
// with its plan, checks and preview; approve or reject with a comment) and the user's own
// requests waiting for others, read-only (separation of duties: the server refuses it too).
import { useState } from 'react';
import type { WhoAmIResponse } from '../../../src/contract/identity.js';
import type { ApprovalDoc, RunDoc, RunList } from '../../../src/contract/runs.js';
import { ApiError, get, post } from '../api.js';
import { ago, time } from '../format.js';
import { Link } from '../router.js';
import { ErrorBox, Loading, may, Section, Status, TierBadge, useGet } from '../ui.js';
import { CheckList } from '../wizard/ChecksStep.js';
import { PreviewView } from '../wizard/PreviewStep.js';
import { useAction } from '../wizard/action.js';

export function Approvals({ me }: { me: WhoAmIResponse }) {
  const inbox = useGet<RunList>('/api/v1/runs?awaitingMe=true&status=pending_approval&limit=100');
  const pending = useGet<RunList>('/api/v1/runs?status=pending_approval&limit=100');
  const [openId, setOpenId] = useState<number | null>(null);
  // the run just decided stays open (it leaves the lists) until another is chosen
  const [decided, setDecided] = useState<RunDoc | null>(null);
  const error = inbox.error ?? pending.error;
  if (error) return <ErrorBox error={error} />;
  if (!inbox.data || !pending.data) return <Loading what="the approvals inbox" />;
  const approver = may(me, 'restore.approve');
  const forMe = inbox.data.runs.filter((r) => r.requestedBy !== me.user);
  const mine = pending.data.runs.filter((r) => r.requestedBy === me.user);
  const all = [...forMe, ...mine];
  const open = all.find((r) => r.id === openId) ?? (decided && decided.id === openId ? decided : undefined) ?? all[0];
  const reload = () => {
    inbox.reload();
    pending.reload();
  };
  const onDecided = (run: RunDoc) => {
    setOpenId(run.id);
    setDecided(run);
    reload();
  };
  const item = (r: RunDoc) => (
    <li key={r.id}>
      <button
        type="button"
        className={`inbox-item${open?.id === r.id ? ' current' : ''}`}
        aria-pressed={open?.id === r.id}
        onClick={() => setOpenId(r.id)}
      >
        <strong>#{r.id}</strong> {r.database} → {r.destination.target}
        <span className="muted small">
          {r.requestedBy === me.user ? 'your request' : `by ${r.requestedBy}`}, {ago(r.createdAt)} ·{' '}
          {r.approvalsReceived} of {r.approvalsRequired} approvals
        </span>
      </button>
    </li>
  );
  return (
    <div className="grid">
      <div className="page-head">
        <h1>Approvals</h1>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      {all.length === 0 && !open ? (
        <p className="card muted">Nothing is waiting for an approval.</p>
      ) : (
        <div className="split">
          <div className="grid inbox-lists">
            {approver && (
              <div>
                <h2 className="small-head" id="inbox-head">
                  Awaiting my approval
                </h2>
                {forMe.length === 0 ? (
                  <p className="muted small">Nothing awaits your approval.</p>
                ) : (
                  <ul className="plain inbox" aria-labelledby="inbox-head">
                    {forMe.map(item)}
                  </ul>
                )}
              </div>
            )}
            {mine.length > 0 && (
              <div>
                <h2 className="small-head" id="mine-head">
                  My requests waiting for approval
                </h2>
                <ul className="plain inbox" aria-labelledby="mine-head">
                  {mine.map(item)}
                </ul>
              </div>
            )}
          </div>
          {open && <Decision key={open.id} run={open} me={me} onDone={onDecided} />}
        </div>
      )}
    </div>
  );
}

function Decision({ run: initial, me, onDone }: { run: RunDoc; me: WhoAmIResponse; onDone: (run: RunDoc) => void }) {
  const [run, setRun] = useState(initial);
  const [comment, setComment] = useState('');
  const [done, setDone] = useState<RunDoc | null>(null);
  const action = useAction();
  const own = run.requestedBy === me.user;
  const decide = (what: 'approve' | 'reject') =>
    void action.run(async () => {
      const body =
        what === 'approve'
          ? { ...(comment.trim() ? { comment } : {}), ...(run.planHash ? { planHash: run.planHash } : {}) }
          : { comment };
      try {
        const after = await post<RunDoc>(`/api/v1/runs/${run.id}/${what}`, body);
        setDone(after);
        setRun(after);
        onDone(after);
      } catch (err) {
        // the plan changed since it was shown: show the run as it is now, to review again
        if (err instanceof ApiError && err.status === 409) setRun(await get<RunDoc>(`/api/v1/runs/${run.id}`));
        throw err;
      }
    });
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
            <dt>Team</dt>
            <dd>{run.ownerTeam}</dd>
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
              {run.approvalsReceived} of {run.approvalsRequired}
              {run.approvalsMissing > 0 && <span className="muted">, {run.approvalsMissing} missing</span>}
            </dd>
          </div>
          <div>
            <dt>May approve</dt>
            <dd>{run.approvers.length > 0 ? run.approvers.join(', ') : '—'}</dd>
          </div>
          <div>
            <dt>Expires</dt>
            <dd>{run.expiresAt ? time(run.expiresAt) : '—'}</dd>
          </div>
        </dl>
        <ApprovalsGiven approvals={run.approvals} />
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
                title={comment.trim() === '' ? 'Write a comment to reject: it is kept with the run' : undefined}
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

/** The approvals and rejections given so far; a voided one with why, an override marked. */
export function ApprovalsGiven({ approvals }: { approvals: ApprovalDoc[] }) {
  if (approvals.length === 0) return null;
  return (
    <ul className="plain approvals-given" aria-label="Approvals given">
      {approvals.map((a, i) => (
        <li key={i} className={a.voidedAt ? 'voided' : undefined}>
          <strong>{a.approver}</strong> {a.decision === 'approve' ? 'approved' : 'rejected'}
          {a.override && <span className="badge tone-warn">override</span>} <span className="muted">{ago(a.at)}</span>
          {a.comment && <span>: “{a.comment}”</span>}
          {a.voidedAt && <span className="muted"> (void: {a.voidReason ?? 'no longer counts'})</span>}
        </li>
      ))}
    </ul>
  );
}
