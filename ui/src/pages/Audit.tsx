// The audit trail: its events, filtered by actor and subject, and whether the hash chain (and
// its signed checkpoints) verify.
import { type FormEvent, useState } from 'react';
import type { AuditVerifyResponse } from '../../../src/contract/audit.js';
import type { AuditEventDoc, AuditPage } from '../../../src/contract/identity.js';
import { get } from '../api.js';
import { count, time } from '../format.js';
import { ErrorBox, Loading, Section, useGet } from '../ui.js';

const PAGE = 100;

export function Audit() {
  const verify = useGet<AuditVerifyResponse>('/api/v1/audit/verify');
  const [filter, setFilter] = useState({ actor: '', subjectType: '', subjectId: '' });
  const [applied, setApplied] = useState(filter);
  const params = new URLSearchParams({ limit: String(PAGE) });
  for (const [k, v] of Object.entries(applied)) if (v.trim()) params.set(k, v.trim());
  const page = useGet<AuditPage>(`/api/v1/audit?${params}`);
  const [more, setMore] = useState<{ events: AuditEventDoc[]; next: number | null; error?: unknown } | null>(null);
  const events = [...(page.data?.events ?? []), ...(more?.events ?? [])];
  const next = more ? more.next : (page.data?.next ?? null);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setMore(null);
    setApplied(filter);
  };
  const loadMore = () => {
    if (next === null) return;
    const p = new URLSearchParams(params);
    p.set('after', String(next));
    get<AuditPage>(`/api/v1/audit?${p}`).then(
      (r) => setMore({ events: [...(more?.events ?? []), ...r.events], next: r.next }),
      (error: unknown) => setMore({ events: more?.events ?? [], next, error }),
    );
  };

  return (
    <div className="grid">
      <div className="page-head">
        <h1>Audit</h1>
      </div>
      <Section title="Chain verification">
        {verify.error ? (
          <ErrorBox error={verify.error} />
        ) : !verify.data ? (
          <Loading what="the verification" />
        ) : (
          <Verification v={verify.data} />
        )}
      </Section>
      <Section title="Events">
        <form className="row filters" onSubmit={apply} aria-label="Filter events">
          <label>
            Actor
            <input value={filter.actor} onChange={(e) => setFilter({ ...filter, actor: e.target.value })} />
          </label>
          <label>
            Subject type
            <input
              value={filter.subjectType}
              onChange={(e) => setFilter({ ...filter, subjectType: e.target.value })}
              placeholder="run, backup, user…"
            />
          </label>
          <label>
            Subject id
            <input value={filter.subjectId} onChange={(e) => setFilter({ ...filter, subjectId: e.target.value })} />
          </label>
          <button type="submit">Filter</button>
        </form>
        {page.error ? (
          <ErrorBox error={page.error} />
        ) : !page.data ? (
          <Loading what="events" />
        ) : events.length === 0 ? (
          <p className="muted">No event matches.</p>
        ) : (
          <div className="scroll-x">
            <table className="audit">
              <caption className="sr-only">Audit events, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={e.seq}>
                    <td>{e.seq}</td>
                    <td>{time(e.at)}</td>
                    <td>{e.actor}</td>
                    <td className="mono">{e.action}</td>
                    <td>
                      {e.subjectType} {e.subjectId}
                    </td>
                    <td>
                      <span className={`badge tone-${e.outcome === 'success' ? 'ok' : 'bad'}`}>{e.outcome}</span>
                    </td>
                    <td className="mono small details">{JSON.stringify(e.details)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <ErrorBox error={more?.error} />
        {next !== null && (
          <button type="button" onClick={loadMore}>
            Load {PAGE} more
          </button>
        )}
      </Section>
    </div>
  );
}

function Verification({ v }: { v: AuditVerifyResponse }) {
  return (
    <div>
      <p>
        <span className={`badge ${v.ok ? 'tone-ok' : 'tone-bad'}`}>{v.ok ? 'chain intact' : 'chain broken'}</span>{' '}
        {count(v.checked)} events verified ·{' '}
        <span
          className={`badge tone-${v.anchor.status === 'anchored' ? 'ok' : v.anchor.status === 'mismatch' ? 'bad' : 'neutral'}`}
        >
          {v.anchor.status}
        </span>{' '}
        {v.anchor.checkpoint && (
          <span className="muted">
            newest checkpoint at event {v.anchor.checkpoint.seq}, {time(v.anchor.checkpoint.at)}
          </span>
        )}
      </p>
      {v.firstBreak && (
        <div className="error" role="alert">
          <strong>
            Event {v.firstBreak.seq}: {v.firstBreak.reason.replace(/_/g, ' ')}
          </strong>
        </div>
      )}
      {v.anchor.note && <p className="muted small">{v.anchor.note}</p>}
      {v.anchor.problems.map((p, i) => (
        <div key={i} className="error">
          {p.storage}: {p.message}
        </div>
      ))}
    </div>
  );
}
