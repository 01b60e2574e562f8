// Step 2: all tables, or some, grouped by schema with a search and select-all. A page shows 100
// tables at a time, so a backup of 10,000 tables stays responsive.
import { useMemo, useState } from 'react';
import type { BackupDetail } from '../../../src/contract/backups.js';
import type { RunDoc } from '../../../src/contract/runs.js';
import { put } from '../api.js';
import { count, qualified } from '../format.js';
import { ErrorBox, Loading, useGet } from '../ui.js';
import { useAction } from './action.js';
import type { StepProps } from './Wizard.js';

const PAGE = 100;

interface TableRow {
  schema: string;
  name: string;
  rows: number;
  ref: string;
}

export function ScopeStep({ run, onRun }: StepProps) {
  const detail = useGet<BackupDetail>(
    run.source.backupId ? `/api/v1/backups/${encodeURIComponent(run.source.backupId)}` : null,
  );
  const tables = useMemo<TableRow[]>(() => {
    const m = detail.data?.manifest as { tables?: Array<{ schema: string; name: string; rows: number }> } | null;
    return (m?.tables ?? [])
      .map((t) => ({ ...t, ref: qualified(t.schema, t.name) }))
      .sort((a, b) => a.schema.localeCompare(b.schema) || a.name.localeCompare(b.name));
  }, [detail.data]);
  const [mode, setMode] = useState<'all' | 'some'>(run.tables ? 'some' : 'all');
  const [selected, setSelected] = useState<Set<string>>(() => new Set(run.tables ?? []));
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(0);
  const action = useAction();

  const matching = useMemo(() => {
    const q = search.trim().toLowerCase();
    return q ? tables.filter((t) => `${t.schema}.${t.name}`.toLowerCase().includes(q)) : tables;
  }, [tables, search]);
  const pages = Math.max(1, Math.ceil(matching.length / PAGE));
  const shown = matching.slice(page * PAGE, page * PAGE + PAGE);
  const allMatchingSelected = matching.length > 0 && matching.every((t) => selected.has(t.ref));

  const toggle = (refs: string[], on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      for (const r of refs)
        if (on) next.add(r);
        else next.delete(r);
      return next;
    });

  const save = () =>
    void action.run(async () => {
      const body = { tables: mode === 'all' ? 'all' : [...selected] };
      onRun(await put<RunDoc>(`/api/v1/runs/${run.id}/scope`, body), 'Checks');
    });

  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!detail.data) return <Loading what="the backup's tables" />;
  const schemasOnPage = [...new Set(shown.map((t) => t.schema))];
  return (
    <div className="card">
      <h2>2. Scope</h2>
      <fieldset className="row">
        <legend className="sr-only">What to restore</legend>
        <label className="inline">
          <input type="radio" name="mode" checked={mode === 'all'} onChange={() => setMode('all')} /> All{' '}
          {count(tables.length)} tables
        </label>
        <label className="inline">
          <input type="radio" name="mode" checked={mode === 'some'} onChange={() => setMode('some')} /> Selected tables
        </label>
      </fieldset>
      {mode === 'some' && (
        <>
          <div className="row">
            <label className="grow">
              Search tables
              <input
                type="search"
                value={search}
                onChange={(e) => {
                  setSearch(e.target.value);
                  setPage(0);
                }}
                placeholder="schema or table name"
              />
            </label>
            <label className="inline">
              <input
                type="checkbox"
                checked={allMatchingSelected}
                onChange={(e) =>
                  toggle(
                    matching.map((t) => t.ref),
                    e.target.checked,
                  )
                }
              />{' '}
              Select all {search ? `${count(matching.length)} matching` : count(matching.length)}
            </label>
            <span aria-live="polite">{count(selected.size)} selected</span>
          </div>
          <div className="table-list" role="group" aria-label="Tables">
            {schemasOnPage.map((schema) => {
              const inSchema = shown.filter((t) => t.schema === schema);
              const allIn = matching.filter((t) => t.schema === schema);
              return (
                <div key={schema} className="schema-group">
                  <label className="schema-head">
                    <input
                      type="checkbox"
                      checked={allIn.every((t) => selected.has(t.ref))}
                      onChange={(e) =>
                        toggle(
                          allIn.map((t) => t.ref),
                          e.target.checked,
                        )
                      }
                    />{' '}
                    Schema {schema} <span className="muted">({count(allIn.length)})</span>
                  </label>
                  <ul className="plain tables">
                    {inSchema.map((t) => (
                      <li key={t.ref}>
                        <label>
                          <input
                            type="checkbox"
                            checked={selected.has(t.ref)}
                            onChange={(e) => toggle([t.ref], e.target.checked)}
                          />{' '}
                          {t.name} <span className="muted small">{count(t.rows)} rows</span>
                        </label>
                      </li>
                    ))}
                  </ul>
                </div>
              );
            })}
            {matching.length === 0 && <p className="muted">No table matches “{search}”.</p>}
          </div>
          {pages > 1 && (
            <nav className="row pager" aria-label="Table pages">
              <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
                Previous
              </button>
              <span>
                Page {page + 1} of {pages}
              </span>
              <button type="button" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
                Next
              </button>
            </nav>
          )}
        </>
      )}
      <ErrorBox error={action.error} />
      <button
        type="button"
        className="primary"
        disabled={action.busy || (mode === 'some' && selected.size === 0)}
        onClick={save}
      >
        {action.busy
          ? 'Saving…'
          : mode === 'some' && selected.size === 0
            ? 'Select at least one table'
            : 'Next: run the checks'}
      </button>
    </div>
  );
}
