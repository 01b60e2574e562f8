// One incident: where it stands (status, the RTO clock and the RPO against the database's
// targets), its plan (the chosen recovery point, and every skipped one with the reason), its
// timeline, and its report (RPO/RTO achieved, misses; the Markdown to download). "Plan" and
// "Execute" are offered to those the policy allows (the server decides again on each call);
// while it executes, the page follows it.
import { useEffect } from 'react';
import type { CatalogDatabases } from '../../../src/contract/catalog.js';
import type { IncidentDetail as Incident, PlanDoc, ReportResponse } from '../../../src/contract/dr.js';
import type { WhoAmIResponse } from '../../../src/contract/identity.js';
import { api, post } from '../api.js';
import { duration, time } from '../format.js';
import { offers, pointText, rpoFigure, rtoFigure } from '../incidents/figures.js';
import { Link } from '../router.js';
import { ErrorBox, Loading, may, Section, Status, useGet } from '../ui.js';
import { useAction } from '../wizard/action.js';
import { FigureText, useNow } from './Incidents.js';

export function IncidentDetail({ id, me }: { id: number; me: WhoAmIResponse }) {
  const loaded = useGet<Incident>(`/api/v1/incidents/${id}`);
  const catalog = useGet<CatalogDatabases>('/api/v1/catalog/databases');
  const i = loaded.data;
  const settled = i?.status === 'recovered' || i?.status === 'failed';
  const report = useGet<ReportResponse>(i ? `/api/v1/incidents/${id}/report` : null);
  const reloadReport = report.reload;
  // the report follows the incident's status (planned, recovered, failed)
  useEffect(() => reloadReport(), [i?.status, reloadReport]);
  const now = useNow(i !== undefined && i.recoveredAt === null);
  const action = useAction();
  const { reload } = loaded;
  // while it executes: read it again every second and a half
  useEffect(() => {
    if (i?.status !== 'executing') return;
    const t = setTimeout(reload, 1500);
    return () => clearTimeout(t);
  }, [i, reload]);

  if (loaded.error) return <ErrorBox error={loaded.error} />;
  if (!i) return <Loading what={`incident ${id}`} />;
  const db = catalog.data?.databases.find((d) => d.name === i.database);
  const targets = { rpoSeconds: db?.rpoSeconds ?? null, rtoSeconds: db?.rtoSeconds ?? null };
  const offered = offers(i);
  const canPlan = offered.plan && may(me, 'dr.declare');
  const canExecute = offered.execute && may(me, 'dr.execute');
  const plan = () =>
    void action.run(async () => {
      await post<PlanDoc>(`/api/v1/incidents/${id}/plan`);
      reload();
    });
  const execute = () =>
    void action.run(async () => {
      loaded.set(await post<Incident>(`/api/v1/incidents/${id}/execute`));
    });
  return (
    <div className="grid">
      <div className="page-head">
        <h1>
          Incident #{i.id}: {i.database}
        </h1>
        <div className="row">
          <Status status={i.status} />
        </div>
      </div>
      <Section
        title="Status"
        actions={
          (canPlan || canExecute) && (
            <div className="row">
              {canPlan && (
                <button type="button" disabled={action.busy} onClick={plan}>
                  {i.plan ? 'Plan again' : 'Plan'}
                </button>
              )}
              {canExecute && (
                <button type="button" className="primary danger" disabled={action.busy} onClick={execute}>
                  Execute
                </button>
              )}
            </div>
          )
        }
      >
        <ErrorBox error={action.error} />
        {(offered.plan || offered.execute) && !canPlan && !canExecute && (
          <p className="muted small">
            Recovery operators and DBA admins plan and execute it; this page follows it for you.
          </p>
        )}
        <dl className="facts">
          <Fact k="Declared" v={`${time(i.declaredAt)} by ${i.declaredBy}`} />
          <Fact
            k="Source"
            v={i.alert ? `Alertmanager: ${i.alert.name}` : i.source === 'manual' ? 'declared by hand' : i.source}
          />
          <Fact k="Reason" v={i.reason ?? '—'} />
          <Fact k="Failure at (RTO clock start)" v={time(i.startedAt)} />
          <div>
            <dt>RTO{i.recoveredAt ? ' achieved' : ' clock'}</dt>
            <dd>
              <FigureText f={rtoFigure(i, targets, now)} />
            </dd>
          </div>
          <div>
            <dt>RPO (data lost)</dt>
            <dd>
              <FigureText f={rpoFigure(i, targets)} />
            </dd>
          </div>
          <Fact k="Recovered" v={i.recoveredAt ? time(i.recoveredAt) : '—'} />
          <Fact
            k="Recovered into"
            v={
              i.instance
                ? `${i.instance.host}:${i.instance.port}/${i.instance.dbname}${i.instance.dataDir ? ` (${i.instance.dataDir})` : ''}`
                : '—'
            }
          />
        </dl>
        {i.status === 'executing' && (
          <p className="muted small" role="status">
            Executing: this page follows it.
          </p>
        )}
        {i.error && (
          <div className="error" role="alert">
            <strong>{i.error}</strong>
            {i.errorStep && <div className="code">step: {i.errorStep}</div>}
          </div>
        )}
      </Section>
      <PlanView plan={i.plan} />
      <Section title="Timeline">
        <ol className="timeline" aria-label="Incident timeline">
          {i.timeline.map((e, n) => (
            <li key={n} className={`tl tl-${e.kind}`}>
              <time dateTime={e.at} className="mono small" title={time(e.at)}>
                {new Date(e.at).toLocaleTimeString('en-GB')}
              </time>
              <span className="tl-kind small">{e.kind.replace(/_/g, ' ')}</span>
              <span className="tl-msg">{e.message}</span>
            </li>
          ))}
        </ol>
      </Section>
      <ReportView report={report.data} error={report.error} settled={settled} id={i.id} />
      <p>
        <Link to="/incidents">All incidents</Link>
      </p>
    </div>
  );
}

function PlanView({ plan }: { plan: PlanDoc | null }) {
  if (!plan)
    return (
      <Section title="Plan">
        <p className="muted">Not planned yet: planning verifies the newest recovery points and chooses one.</p>
      </Section>
    );
  return (
    <Section title="Plan">
      <dl className="facts">
        <Fact
          k="Chosen recovery point"
          v={plan.chosen ? `${pointText(plan.chosen)}, taken ${time(plan.chosen.takenAt)}` : 'none'}
        />
        <Fact k="Data lost" v={plan.dataLossSeconds === null ? '—' : duration(plan.dataLossSeconds)} />
        <Fact k="RPO" v={plan.rpoMet === null ? '—' : plan.rpoMet ? 'met' : `missed: ${plan.rpoMiss ?? ''}`} />
        <Fact k="Planned" v={`${time(plan.plannedAt)} by ${plan.plannedBy}`} />
      </dl>
      <div className="scroll-x">
        <table>
          <caption className="sr-only">Recovery points considered, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Recovery point</th>
              <th scope="col">Taken</th>
              <th scope="col">Integrity</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {plan.candidates.map((c, n) => {
              const chosen = plan.chosen !== null && pointText(plan.chosen) === pointText(c.point);
              const skipped = plan.skipped.find((s) => pointText(s.point) === pointText(c.point));
              return (
                <tr key={n} className={chosen ? 'selected' : ''}>
                  <td>{pointText(c.point)}</td>
                  <td>{time(c.point.takenAt)}</td>
                  <td>
                    <Status status={c.integrity} />
                  </td>
                  <td>
                    {chosen ? <strong>chosen</strong> : skipped ? `skipped: ${skipped.reason}` : (c.reason ?? '—')}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function ReportView({
  report,
  error,
  settled,
  id,
}: {
  report: ReportResponse | undefined;
  error: unknown;
  settled: boolean;
  id: number;
}) {
  const download = useAction();
  if (error) return <ErrorBox error={error} />;
  if (!report) return null;
  const r = report.report;
  const save = () =>
    void download.run(async () => {
      const fresh = await api<ReportResponse>('GET', `/api/v1/incidents/${id}/report`);
      const url = URL.createObjectURL(new Blob([fresh.markdown], { type: 'text/markdown' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `incident-${id}-report.md`;
      a.click();
      URL.revokeObjectURL(url);
    });
  return (
    <Section
      title="Report"
      actions={
        <button type="button" onClick={save} disabled={download.busy}>
          Download report (Markdown)
        </button>
      }
    >
      <ErrorBox error={download.error} />
      <div className="scroll-x">
        <table>
          <caption className="sr-only">RPO and RTO against the targets</caption>
          <thead>
            <tr>
              <th scope="col" />
              <th scope="col">Achieved</th>
              <th scope="col">Target</th>
              <th scope="col">Verdict</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">RPO</th>
              <td>{duration(r.rpoAchievedSeconds)}</td>
              <td>{duration(r.rpoTargetSeconds)}</td>
              <td>{verdict(r.rpoMet)}</td>
            </tr>
            <tr>
              <th scope="row">RTO</th>
              <td>{duration(r.rtoAchievedSeconds)}</td>
              <td>{duration(r.rtoTargetSeconds)}</td>
              <td>{verdict(r.rtoMet)}</td>
            </tr>
          </tbody>
        </table>
      </div>
      {r.misses.length > 0 && (
        <ul className="plain">
          {r.misses.map((m) => (
            <li key={m} className="bad">
              {m}
            </li>
          ))}
        </ul>
      )}
      <p className="muted small">
        {report.evidence
          ? `Stored as evidence in ${report.evidence.storage}: ${report.evidence.prefix}`
          : settled
            ? 'Not stored as evidence yet.'
            : 'Stored as evidence once the execution settles.'}
      </p>
    </Section>
  );
}

function verdict(met: boolean | null) {
  return met === null ? '—' : met ? <span className="ok">met</span> : <span className="bad">missed</span>;
}

function Fact({ k, v }: { k: string; v: string }) {
  return (
    <div>
      <dt>{k}</dt>
      <dd>{v}</dd>
    </div>
  );
}
