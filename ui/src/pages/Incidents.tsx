// Disaster-recovery incidents, newest first, as far as the policy lets the user see them (a team
// sees its own databases'): database, status, when declared, the RTO clock and the RPO against
// the database's targets.
import { useEffect, useState } from 'react';
import type { CatalogDatabases } from '../../../src/contract/catalog.js';
import type { IncidentList } from '../../../src/contract/dr.js';
import { ago, time } from '../format.js';
import { type Figure, rpoFigure, rtoFigure, type Targets } from '../incidents/figures.js';
import { Link } from '../router.js';
import { ErrorBox, Loading, Status, useGet } from '../ui.js';

export function Incidents() {
  const list = useGet<IncidentList>('/api/v1/incidents');
  const catalog = useGet<CatalogDatabases>('/api/v1/catalog/databases');
  const now = useNow(list.data?.incidents.some((i) => i.status !== 'recovered') ?? false);
  if (list.error) return <ErrorBox error={list.error} />;
  if (!list.data) return <Loading what="incidents" />;
  const targets = (db: string): Targets => {
    const d = catalog.data?.databases.find((x) => x.name === db);
    return { rpoSeconds: d?.rpoSeconds ?? null, rtoSeconds: d?.rtoSeconds ?? null };
  };
  const incidents = list.data.incidents;
  return (
    <div className="grid">
      <div className="page-head">
        <h1>Incidents</h1>
      </div>
      <section className="card" aria-label="Incidents">
        {incidents.length === 0 ? (
          <p className="muted">
            No incident. One is opened by <code>lifeboat dr declare &lt;database&gt;</code> or by an Alertmanager alert
            that <code>dr.triggers</code> maps to a database.
          </p>
        ) : (
          <div className="scroll-x">
            <table>
              <caption className="sr-only">Incidents, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Incident</th>
                  <th scope="col">Database</th>
                  <th scope="col">Status</th>
                  <th scope="col">Declared</th>
                  <th scope="col">RTO</th>
                  <th scope="col">RPO</th>
                </tr>
              </thead>
              <tbody>
                {incidents.map((i) => (
                  <tr key={i.id}>
                    <td>
                      <Link to={`/incidents/${i.id}`}>#{i.id}</Link>
                    </td>
                    <td>{i.database}</td>
                    <td>
                      <Status status={i.status} />
                    </td>
                    <td title={time(i.declaredAt)}>
                      {ago(i.declaredAt)} <span className="muted small">by {i.declaredBy}</span>
                    </td>
                    <td>
                      <FigureText f={rtoFigure(i, targets(i.database), now)} />
                    </td>
                    <td>
                      <FigureText f={rpoFigure(i, targets(i.database))} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

export function FigureText({ f }: { f: Figure }) {
  const label = { met: 'met', missed: 'missed', running: 'running', unknown: '' }[f.tone];
  return (
    <span className={`figure figure-${f.tone}`}>
      {f.text}
      {label && f.tone !== 'running' && <span className="sr-only"> ({label})</span>}
    </span>
  );
}

/** The current time, ticking every second while a clock runs. */
export function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [ticking]);
  return now;
}
