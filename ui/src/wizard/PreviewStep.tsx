// Step 4: what the restore would do, per table (rows in the backup against rows in the
// destination now), the schema differences, the masking plan and the estimated duration.
import { useEffect, useRef } from 'react';
import type { PreviewDoc, RunDoc } from '../../../src/contract/runs.js';
import { post } from '../api.js';
import { count, duration, time } from '../format.js';
import { ErrorBox, Loading } from '../ui.js';
import { useAction } from './action.js';
import type { StepProps } from './Wizard.js';

export function PreviewStep({ run, onRun }: StepProps) {
  const action = useAction();
  const asked = useRef(false);
  const needed = run.status === 'checked';
  useEffect(() => {
    if (needed && !asked.current) {
      asked.current = true;
      void action.run(async () => onRun(await post<RunDoc>(`/api/v1/runs/${run.id}/preview`)));
    }
  });
  return (
    <div className="card">
      <h2>4. Preview</h2>
      <ErrorBox error={action.error} />
      {needed || !run.preview ? (
        !action.error && <Loading what="the preview" />
      ) : (
        <>
          <PreviewView preview={run.preview} />
          <button type="button" className="primary" onClick={() => onRun(run, 'Confirm')}>
            Next: confirm
          </button>
        </>
      )}
    </div>
  );
}

/**
 * Fields the preview carries as the server grows them (schema differences, masking plan,
 * estimated duration, the destination's state): read when present, as the contract keeps them
 * optional (src/contract/runs.ts PreviewDoc is a loose object).
 */
interface PreviewExtras {
  schema?: {
    status: string;
    note: string;
    tablesAdded: string[];
    tablesRemoved: string[];
    columns: Array<{ table: string; column: string; change: string; backup?: string; destination?: string }>;
    objects?: Array<{ change: string; kind: string; name: string; fields?: string[] }>;
  };
  duration?: { estimateMs: number | null; basis: string };
  maskingPlan?: Array<{ table: string; column: string; transform: string; via?: string }>;
  destination?: { reachable: boolean; exists: boolean | null; note: string };
}

function schemaLines(schema: NonNullable<PreviewExtras['schema']>): string[] {
  return [
    ...schema.tablesAdded.map((t) => `${t}: in the backup, not in the destination (created)`),
    ...schema.tablesRemoved.map((t) => `${t}: in the destination, not in the backup (dropped)`),
    ...schema.columns.map(
      (c) =>
        `${c.table}.${c.column}: ${c.change}${c.backup || c.destination ? ` (backup ${c.backup ?? '—'}, destination ${c.destination ?? '—'})` : ''}`,
    ),
    ...(schema.objects ?? []).map(
      (o) =>
        `${o.kind.replace('_', ' ')} ${o.name}: ${
          o.change === 'added'
            ? 'in the backup, not in the destination (created)'
            : o.change === 'removed'
              ? 'in the destination, not in the backup (dropped)'
              : `changed${o.fields?.length ? ` (${o.fields.join(', ')})` : ''}`
        }`,
    ),
  ];
}

export function PreviewView({ preview }: { preview: PreviewDoc }) {
  const x = preview as PreviewDoc & PreviewExtras;
  const differences = x.schema ? schemaLines(x.schema) : [];
  const totalRows = preview.tables.reduce((n, t) => n + t.rowsInBackup, 0);
  return (
    <div className="preview">
      <dl className="facts">
        <div>
          <dt>Backup</dt>
          <dd>
            {preview.backupId} <span className="muted">taken {time(preview.backupTakenAt)}</span>
          </dd>
        </div>
        <div>
          <dt>Tables</dt>
          <dd>
            {count(preview.tables.length)} ({count(totalRows)} rows)
          </dd>
        </div>
        <div>
          <dt>Estimated duration</dt>
          <dd>
            {x.duration?.estimateMs == null ? (
              <span className="muted">not estimated</span>
            ) : (
              duration(x.duration.estimateMs / 1000)
            )}
            {x.duration && <div className="muted small">{x.duration.basis}</div>}
          </dd>
        </div>
        <div>
          <dt>Masking</dt>
          <dd>
            {preview.masking ? (
              <>
                <span className={`badge ${preview.masking.applied ? 'tone-ok' : 'tone-warn'}`}>
                  {preview.masking.applied ? 'masked' : 'not masked'}
                </span>{' '}
                {preview.masking.note}
              </>
            ) : (
              <span className="muted">—</span>
            )}
          </dd>
        </div>
      </dl>
      <h3>Schema differences</h3>
      {differences.length > 0 ? (
        <ul>
          {differences.map((d, i) => (
            <li key={i}>{d}</li>
          ))}
        </ul>
      ) : (
        <p className="muted">{x.schema ? 'None.' : 'Not compared.'}</p>
      )}
      {x.schema?.note && <p className="muted small">{x.schema.note}</p>}
      {x.destination && <p className="muted small">Destination: {x.destination.note}</p>}
      {x.maskingPlan && x.maskingPlan.length > 0 && (
        <>
          <h3>Masking plan</h3>
          <ul>
            {x.maskingPlan.map((m) => (
              <li key={`${m.table}.${m.column}`}>
                {m.table}.{m.column}: {m.transform}
                {m.via && <span className="muted"> (via {m.via})</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Tables</h3>
      <div className="scroll-x scroll-y">
        <table>
          <caption className="sr-only">Rows per table: backup against destination</caption>
          <thead>
            <tr>
              <th scope="col">Table</th>
              <th scope="col" className="num">
                Rows in backup
              </th>
              <th scope="col" className="num">
                Rows in destination now
              </th>
              <th scope="col">Masking</th>
            </tr>
          </thead>
          <tbody>
            {preview.tables.slice(0, 500).map((t) => (
              <tr key={t.table}>
                <td>{t.table}</td>
                <td className="num">{count(t.rowsInBackup)}</td>
                <td className="num">
                  {t.rowsInDestination === null || t.rowsInDestination === undefined ? (
                    <span className="muted">{t.inDestination === 'absent' ? 'absent' : '—'}</span>
                  ) : (
                    `${t.rowsInDestinationEstimated === true ? '≈ ' : ''}${count(t.rowsInDestination)}`
                  )}
                </td>
                <td>{t.masking && t.masking.length > 0 ? t.masking.join(', ') : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {preview.tables.length > 500 && <p className="muted">and {count(preview.tables.length - 500)} more tables</p>}
      </div>
    </div>
  );
}
