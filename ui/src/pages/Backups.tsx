// Backups per database, newest first: verify one (or cancel one not written yet), and read its manifest (files with their
// checksums, tables with their row counts, compression, encryption).
import type { BackupDetail, BackupDoc, BackupList } from '../../../src/contract/backups.js';
import type { WhoAmIResponse } from '../../../src/contract/identity.js';
import { post } from '../api.js';
import { ago, bytes, count, duration, time } from '../format.js';
import { Link } from '../router.js';
import { ErrorBox, Loading, may, Section, Status, useGet } from '../ui.js';
import { useAction } from '../wizard/action.js';
import { BackupNow } from '../backup-now.js';
import type { CatalogDatabases } from '../../../src/contract/catalog.js';

export function Backups({ me, selected }: { me: WhoAmIResponse; selected?: string }) {
  const list = useGet<BackupList>('/api/v1/backups?limit=500');
  const catalog = useGet<CatalogDatabases>('/api/v1/catalog/databases');
  if (list.error) return <ErrorBox error={list.error} />;
  if (!list.data) return <Loading what="backups" />;
  const byDb = new Map<string, BackupDoc[]>();
  for (const d of catalog.data?.databases ?? []) byDb.set(d.name, []);
  for (const b of list.data.backups) byDb.set(b.database, [...(byDb.get(b.database) ?? []), b]);
  return (
    <div className="grid">
      <div className="page-head">
        <h1>Backups</h1>
      </div>
      {selected && (
        <BackupView
          id={selected}
          onChange={list.reload}
          canVerify={may(me, 'backup.verify')}
          canCancel={(b) => may(me, 'backup.run') || b.requestedBy === me.user}
        />
      )}
      {byDb.size === 0 && <p className="card muted">No backup yet.</p>}
      {[...byDb].map(([db, backups]) => (
        <Section
          key={db}
          title={db}
          actions={may(me, 'backup.run') ? <BackupNow database={db} onDone={list.reload} /> : undefined}
        >
          {backups.length === 0 ? (
            <p className="muted">No backup of {db} yet.</p>
          ) : (
            <div className="scroll-x">
              <table>
                <caption className="sr-only">Backups of {db}</caption>
                <thead>
                  <tr>
                    <th scope="col">Backup</th>
                    <th scope="col">Status</th>
                    <th scope="col">Taken</th>
                    <th scope="col">Size</th>
                    <th scope="col">Rows</th>
                    <th scope="col">Trigger</th>
                  </tr>
                </thead>
                <tbody>
                  {backups.map((b) => (
                    <tr key={b.id} className={b.id === selected ? 'selected' : ''}>
                      <td>
                        <Link to={`/backups/${encodeURIComponent(b.id)}`}>{b.id}</Link>
                      </td>
                      <td>
                        <Status status={b.status} />
                      </td>
                      <td title={time(b.finishedAt ?? b.createdAt)}>{ago(b.finishedAt ?? b.createdAt)}</td>
                      <td>{bytes(b.bytes)}</td>
                      <td>{count(b.rows)}</td>
                      <td>
                        {b.trigger} <span className="muted small">by {b.requestedBy}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>
      ))}
    </div>
  );
}

interface ManifestView {
  serverVersion?: string;
  durationMs?: number;
  compression?: { method: string; level?: number };
  encryption?: { format: string; mode: string } | null;
  files?: Array<{ name: string; bytes: number; sha256: string }>;
  tables?: Array<{ schema: string; name: string; rows: number }>;
  totals?: { files: number; bytes: number; storedBytes: number; rows: number; tables: number };
  schemaFingerprint?: string;
}

/** A backup that is not written yet: it can be cancelled, not verified. */
const UNWRITTEN = new Set(['queued', 'running']);
/** A backup that was written: it can be verified (again). */
const WRITTEN = new Set(['completed', 'verified', 'corrupt', 'unverifiable']);

function BackupView({
  id,
  onChange,
  canVerify,
  canCancel,
}: {
  id: string;
  onChange: () => void;
  canVerify: boolean;
  canCancel: (b: BackupDetail) => boolean;
}) {
  const detail = useGet<BackupDetail>(`/api/v1/backups/${encodeURIComponent(id)}`);
  const action = useAction();
  const act = (what: 'verify' | 'cancel') =>
    void action.run(async () => {
      detail.set(await post<BackupDetail>(`/api/v1/backups/${encodeURIComponent(id)}/${what}`));
      onChange();
    });
  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!detail.data) return <Loading what={`backup ${id}`} />;
  const b = detail.data;
  const m = (b.manifest ?? {}) as ManifestView;
  const unwritten = UNWRITTEN.has(b.status);
  return (
    <Section
      title={`Backup ${b.id}`}
      actions={
        unwritten
          ? canCancel(b) && (
              <button type="button" className="danger" onClick={() => act('cancel')} disabled={action.busy}>
                {action.busy ? 'Cancelling…' : 'Cancel backup'}
              </button>
            )
          : canVerify &&
            WRITTEN.has(b.status) && (
              <button type="button" onClick={() => act('verify')} disabled={action.busy}>
                {action.busy ? 'Verifying…' : 'Verify now'}
              </button>
            )
      }
    >
      <ErrorBox error={action.error} />
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <Status status={b.status} /> {b.verifiedAt && <span className="muted">verified {ago(b.verifiedAt)}</span>}
          </dd>
        </div>
        <div>
          <dt>Database</dt>
          <dd>
            {b.database} on {b.server}
            {m.serverVersion && ` (PostgreSQL ${m.serverVersion})`}
          </dd>
        </div>
        <div>
          <dt>{b.manifest ? 'Taken' : 'Requested'}</dt>
          <dd>
            {b.manifest
              ? `${time(b.finishedAt ?? b.createdAt)} in ${m.durationMs === undefined ? '—' : duration(m.durationMs / 1000)}`
              : `${time(b.createdAt)} by ${b.requestedBy}`}
          </dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>
            {b.manifest ? (
              <>
                {bytes(m.totals?.bytes ?? b.bytes)} ({bytes(m.totals?.storedBytes)} stored,{' '}
                {m.compression?.method ?? '—'}
                {m.encryption ? `, encrypted (${m.encryption.format})` : ', not encrypted'})
              </>
            ) : (
              '— (not written)'
            )}
          </dd>
        </div>
        <div>
          <dt>Storage</dt>
          <dd>{b.storage}</dd>
        </div>
        <div>
          <dt>Schema fingerprint</dt>
          <dd className="mono">{m.schemaFingerprint?.slice(0, 16) ?? '—'}</dd>
        </div>
      </dl>
      {(b.error ?? b.verifyError) && (
        <div className={b.status === 'cancelled' ? 'note' : 'error'} role="alert">
          <strong>{b.error ?? b.verifyError}</strong>
        </div>
      )}
      <details>
        <summary>
          {count(m.tables?.length ?? 0)} tables, {count(m.totals?.rows ?? b.rows)} rows
        </summary>
        <div className="scroll-y">
          <table>
            <thead>
              <tr>
                <th scope="col">Table</th>
                <th scope="col" className="num">
                  Rows
                </th>
              </tr>
            </thead>
            <tbody>
              {(m.tables ?? []).slice(0, 1000).map((t) => (
                <tr key={`${t.schema}.${t.name}`}>
                  <td>
                    {t.schema}.{t.name}
                  </td>
                  <td className="num">{count(t.rows)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
      <details>
        <summary>{count(m.files?.length ?? 0)} files with SHA-256</summary>
        <div className="scroll-y scroll-x">
          <table>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">SHA-256</th>
              </tr>
            </thead>
            <tbody>
              {(m.files ?? []).slice(0, 1000).map((f) => (
                <tr key={f.name}>
                  <td>{f.name}</td>
                  <td className="num">{bytes(f.bytes)}</td>
                  <td className="mono small">{f.sha256}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </Section>
  );
}
