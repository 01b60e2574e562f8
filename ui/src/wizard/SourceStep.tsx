// Step 1: what to restore where. First the database and destination (a draft run), then the
// backup, with its time, size, rows and verification. Choosing another backup resets the later
// steps (the server does; the run it answers shows it).
import { type FormEvent, useState } from 'react';
import type { BackupList } from '../../../src/contract/backups.js';
import type { CatalogDatabases } from '../../../src/contract/catalog.js';
import type { WhoAmIResponse } from '../../../src/contract/identity.js';
import type { RunDoc } from '../../../src/contract/runs.js';
import { post, put } from '../api.js';
import { ago, bytes, count, time } from '../format.js';
import { ErrorBox, Loading, may, Status, TierBadge, useGet } from '../ui.js';
import { useAction } from './action.js';
import { BackupNow } from '../backup-now.js';
import type { StepProps } from './Wizard.js';

const RESTORABLE = new Set(['verified', 'completed']);

export function SourceStep({
  me,
  run,
  onRun,
}: {
  me: WhoAmIResponse;
  run: RunDoc | undefined;
  onRun: StepProps['onRun'];
}) {
  return run ? (
    <BackupChoice run={run} onRun={onRun} canBackUp={may(me, 'backup.run')} />
  ) : (
    <RequestForm onRun={onRun} />
  );
}

function RequestForm({ onRun }: { onRun: StepProps['onRun'] }) {
  const catalog = useGet<CatalogDatabases>('/api/v1/catalog/databases');
  const [database, setDatabase] = useState('');
  const [server, setServer] = useState('');
  const [dbname, setDbname] = useState('');
  const [justification, setJustification] = useState('');
  const action = useAction();
  const dbs = catalog.data?.databases ?? [];
  const chosen = dbs.find((d) => d.name === (database || dbs[0]?.name));
  const dest = chosen?.destinations.find((d) => d.server === server) ?? chosen?.destinations[0];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!chosen || !dest) return;
    void action.run(async () => {
      const r = await post<RunDoc>('/api/v1/runs/draft', {
        database: chosen.name,
        to: dbname.trim() ? `${dest.server}/${dbname.trim()}` : dest.server,
        ...(justification.trim() ? { justification: justification.trim() } : {}),
      });
      onRun(r);
    });
  };

  if (catalog.error) return <ErrorBox error={catalog.error} />;
  if (!catalog.data) return <Loading what="databases" />;
  if (dbs.length === 0) return <p className="card">No database of lifeboat.yaml is yours to restore.</p>;
  return (
    <form className="card form" onSubmit={submit} aria-label="Request">
      <h2>1. Source: what, and where to</h2>
      <div className="fields">
        <label>
          Database
          <select
            value={chosen?.name ?? ''}
            onChange={(e) => {
              setDatabase(e.target.value);
              setServer('');
            }}
          >
            {dbs.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name} ({d.server}, team {d.owner})
              </option>
            ))}
          </select>
        </label>
        <label>
          Destination server
          <select value={dest?.server ?? ''} onChange={(e) => setServer(e.target.value)}>
            {chosen?.destinations.map((d) => (
              <option key={d.server} value={d.server}>
                {d.server} ({d.tier})
              </option>
            ))}
          </select>
        </label>
        <label>
          Database name on the destination
          <input value={dbname} onChange={(e) => setDbname(e.target.value)} placeholder="same as the source" />
        </label>
        <label className="wide">
          Justification <span className="muted">(optional)</span>
          <textarea value={justification} onChange={(e) => setJustification(e.target.value)} rows={2} />
        </label>
      </div>
      {dest && (
        <p>
          Destination environment: <TierBadge tier={dest.tier} />{' '}
          {chosen && chosen.approvals > 0 && (
            <span className="muted">
              needs {chosen.approvals} approval{chosen.approvals === 1 ? '' : 's'} from team {chosen.owner}
            </span>
          )}
        </p>
      )}
      <ErrorBox error={action.error} />
      <button type="submit" className="primary" disabled={action.busy || !dest}>
        {action.busy ? 'Starting…' : 'Continue: choose the backup'}
      </button>
    </form>
  );
}

function BackupChoice({ run, onRun, canBackUp }: StepProps & { canBackUp: boolean }) {
  const backups = useGet<BackupList>(`/api/v1/backups?database=${encodeURIComponent(run.database)}&limit=50`);
  const action = useAction();
  const choose = (backupId: string) =>
    void action.run(async () => onRun(await put<RunDoc>(`/api/v1/runs/${run.id}/source`, { backupId }), 'Scope'));
  return (
    <div className="card">
      <h2>1. Source: the backup of {run.database}</h2>
      <p className="muted">
        Choosing another backup resets the scope, the checks and the preview. Into {run.destination.target}{' '}
        <TierBadge tier={run.destination.tier} />
      </p>
      <ErrorBox error={action.error ?? backups.error} />
      {!backups.data ? (
        !backups.error && <Loading what="backups" />
      ) : backups.data.backups.length === 0 ? (
        <div>
          <p>
            No backup of {run.database} yet:{' '}
            {canBackUp ? 'take one first.' : 'ask a database owner or a DBA to take one.'}
          </p>
          {canBackUp && <BackupNow database={run.database} onDone={backups.reload} />}
        </div>
      ) : (
        <fieldset disabled={action.busy}>
          <legend className="sr-only">Backup to restore</legend>
          <div className="scroll-x">
            <table>
              <thead>
                <tr>
                  <th scope="col">Choose</th>
                  <th scope="col">Backup</th>
                  <th scope="col">Taken</th>
                  <th scope="col">Size</th>
                  <th scope="col">Rows</th>
                  <th scope="col">Verification</th>
                </tr>
              </thead>
              <tbody>
                {backups.data.backups.map((b) => {
                  const ok = RESTORABLE.has(b.status);
                  const id = `backup-${b.id}`;
                  return (
                    <tr key={b.id} className={run.source.backupId === b.id ? 'selected' : ''}>
                      <td>
                        <input
                          type="radio"
                          id={id}
                          name="backup"
                          checked={run.source.backupId === b.id}
                          disabled={!ok}
                          onChange={() => choose(b.id)}
                        />
                      </td>
                      <td>
                        <label htmlFor={id}>{b.id}</label>
                      </td>
                      <td title={time(b.finishedAt ?? b.createdAt)}>{ago(b.finishedAt ?? b.createdAt)}</td>
                      <td>{bytes(b.bytes)}</td>
                      <td>{count(b.rows)}</td>
                      <td>
                        <Status status={b.status} />
                        {b.verifiedAt && <span className="muted small"> {ago(b.verifiedAt)}</span>}
                        {b.verifyError && <div className="small bad">{b.verifyError}</div>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </fieldset>
      )}
      <div className="row">
        {run.source.backupId && (
          <button type="button" className="primary" onClick={() => onRun(run, 'Scope')}>
            Next: scope
          </button>
        )}
        {canBackUp && (backups.data?.backups.length ?? 0) > 0 && (
          <BackupNow database={run.database} onDone={backups.reload} />
        )}
      </div>
    </div>
  );
}
