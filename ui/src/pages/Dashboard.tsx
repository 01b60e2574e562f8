// The dashboard: my runs, runs awaiting my approval, running restores (live), the newest backup
// of each database against its RPO, and recent failures.
import type { BackupDoc, BackupList } from '../../../src/contract/backups.js';
import type { CatalogDatabaseDoc, CatalogDatabases } from '../../../src/contract/catalog.js';
import type { WhoAmIResponse } from '../../../src/contract/identity.js';
import type { RunDoc, RunList } from '../../../src/contract/runs.js';
import { ageSeconds, ago, bytes, count, duration } from '../format.js';
import { Link } from '../router.js';
import { useLiveRun } from '../runs-live.js';
import { RunsTable } from '../runs-table.js';
import { ErrorBox, Loading, may, ProgressBar, Section, Status, useGet } from '../ui.js';

export function Dashboard({ me }: { me: WhoAmIResponse }) {
  const runs = useGet<RunList>('/api/v1/runs?limit=100');
  const approver = may(me, 'restore.approve');
  const awaiting = useGet<RunList>(approver ? '/api/v1/runs?awaitingMe=true&status=pending_approval&limit=100' : null);
  const catalog = useGet<CatalogDatabases>('/api/v1/catalog/databases');
  const backups = useGet<BackupList>('/api/v1/backups?limit=500');
  const all = runs.data?.runs ?? [];
  const mine = all.filter((r) => r.requestedBy === me.user).slice(0, 10);
  const active = all.filter((r) => r.status === 'running' || r.status === 'queued');
  const failed = all.filter((r) => r.status === 'failed' || r.status === 'partial').slice(0, 5);
  const forMe = (awaiting.data?.runs ?? []).filter((r) => r.requestedBy !== me.user);
  return (
    <div className="grid dash">
      <div className="page-head">
        <h1>Dashboard</h1>
        {may(me, 'restore.request') && (
          <Link to="/restore/new" className="button primary">
            New restore
          </Link>
        )}
      </div>
      <Section title="Running restores">
        {runs.error ? (
          <ErrorBox error={runs.error} />
        ) : !runs.data ? (
          <Loading what="runs" />
        ) : active.length === 0 ? (
          <p className="muted">No restore is running.</p>
        ) : (
          active.map((r) => <LiveRun key={r.id} run={r} />)
        )}
      </Section>
      {approver && (
        <Section title="Awaiting my approval" actions={<Link to="/approvals">Open the inbox</Link>}>
          {awaiting.error ? (
            <ErrorBox error={awaiting.error} />
          ) : !awaiting.data ? (
            <Loading what="approvals" />
          ) : (
            <RunsTable runs={forMe} caption="Runs awaiting my approval" empty="Nothing awaits your approval." />
          )}
        </Section>
      )}
      <Section title="My runs">
        {runs.data && <RunsTable runs={mine} caption="My runs" empty="You have not requested a restore yet." />}
      </Section>
      <Section title="Newest backups">
        {catalog.error || backups.error ? (
          <ErrorBox error={catalog.error ?? backups.error} />
        ) : !catalog.data || !backups.data ? (
          <Loading what="backups" />
        ) : (
          <NewestBackups databases={catalog.data.databases} backups={backups.data.backups} />
        )}
      </Section>
      <Section title="Failures">
        {runs.data && (
          <RunsTable runs={failed} caption="Failed runs" empty="No failed restore among the latest runs." />
        )}
        {backups.data && <FailedBackups backups={backups.data.backups} />}
      </Section>
    </div>
  );
}

function LiveRun({ run: initial }: { run: RunDoc }) {
  const { run } = useLiveRun(initial, true);
  if (!run) return null;
  const p = run.progress;
  return (
    <div className="live-run">
      <div className="row">
        <Link to={`/runs/${run.id}`}>
          #{run.id} {run.database} → {run.destination.target}
        </Link>
        <Status status={run.status} />
        <span className="muted">{run.phase ?? 'waiting for a worker'}</span>
      </div>
      <ProgressBar percent={p.percent ?? 0} label={`run ${run.id} progress`} />
      <div className="muted small">
        {count(p.rowsDone)} / {count(p.rowsTotal)} rows · {bytes(p.bytesDone)} of {bytes(p.bytesTotal)} · ETA{' '}
        {duration(p.etaSeconds)}
      </div>
    </div>
  );
}

function NewestBackups({ databases, backups }: { databases: CatalogDatabaseDoc[]; backups: BackupDoc[] }) {
  if (databases.length === 0) return <p className="muted">No database is visible to you.</p>;
  return (
    <div className="scroll-x">
      <table>
        <caption className="sr-only">Newest backup per database</caption>
        <thead>
          <tr>
            <th scope="col">Database</th>
            <th scope="col">Newest backup</th>
            <th scope="col">Age</th>
            <th scope="col">RPO</th>
            <th scope="col">Size</th>
          </tr>
        </thead>
        <tbody>
          {databases.map((d) => {
            const newest = backups.find(
              (b) => b.database === d.name && (b.status === 'verified' || b.status === 'completed'),
            );
            const age = ageSeconds(newest?.finishedAt ?? newest?.createdAt);
            const breach = d.rpoSeconds !== null && (age === null || age > d.rpoSeconds);
            return (
              <tr key={d.name}>
                <td>{d.name}</td>
                <td>
                  {newest ? (
                    <Link to={`/backups/${encodeURIComponent(newest.id)}`}>{newest.id}</Link>
                  ) : (
                    <span className="muted">none</span>
                  )}{' '}
                  {newest && <Status status={newest.status} />}
                </td>
                <td>{newest ? ago(newest.finishedAt ?? newest.createdAt) : '—'}</td>
                <td>
                  {d.rpoSeconds === null ? (
                    <span className="muted">not set</span>
                  ) : (
                    <span className={`badge ${breach ? 'tone-bad' : 'tone-ok'}`}>
                      {breach ? 'outside' : 'within'} {duration(d.rpoSeconds)}
                    </span>
                  )}
                </td>
                <td>{bytes(newest?.bytes)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function FailedBackups({ backups }: { backups: BackupDoc[] }) {
  const bad = backups.filter((b) => b.status === 'failed' || b.status === 'corrupt').slice(0, 5);
  if (bad.length === 0) return null;
  return (
    <ul className="plain">
      {bad.map((b) => (
        <li key={b.id}>
          <Link to={`/backups/${encodeURIComponent(b.id)}`}>Backup {b.id}</Link> of {b.database}{' '}
          <Status status={b.status} /> <span className="muted">{b.error ?? b.verifyError}</span>
        </li>
      ))}
    </ul>
  );
}
