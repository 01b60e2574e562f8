// Shared pieces of the pages: loading data, showing a refusal, badges, a progress bar.
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import type { WhoAmIResponse } from '../../src/contract/identity.js';
import type { RunDoc } from '../../src/contract/runs.js';
import { ApiError, get } from './api.js';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  set: (data: T) => void;
}

/** GETs `path` (none while it is null), again on `reload()`. */
export function useGet<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: path !== null });
  const [n, setN] = useState(0);
  useEffect(() => {
    if (path === null) return;
    const ac = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    get<T>(path, ac.signal).then(
      (data) => setState({ data, loading: false }),
      (error: unknown) => {
        if (!ac.signal.aborted) setState({ error, loading: false });
      },
    );
    return () => ac.abort();
  }, [path, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  const set = useCallback((data: T) => setState({ data, loading: false }), []);
  return { data: state.data, error: state.error, loading: state.loading, reload, set };
}

/** A refusal or failure as the server said it: message and hint, never a stack trace. */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e =
    error instanceof ApiError
      ? error
      : new ApiError(0, 'client', error instanceof Error ? error.message : String(error));
  return (
    <div className="error" role="alert">
      <strong>{e.message}</strong>
      {e.hint && <div className="hint">Hint: {e.hint}</div>}
      {e.code && e.code !== 'client' && <div className="code">{e.code}</div>}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

const STATUS_TONE: Record<string, string> = {
  completed: 'ok',
  verified: 'ok',
  approved: 'ok',
  running: 'info',
  queued: 'info',
  scheduled: 'info',
  pending_approval: 'warn',
  partial: 'warn',
  previewed: 'neutral',
  failed: 'bad',
  corrupt: 'bad',
  rejected: 'bad',
  cancelled: 'neutral',
  expired: 'neutral',
  // incidents, and their recovery points' integrity
  declared: 'warn',
  planned: 'info',
  executing: 'info',
  recovered: 'ok',
  valid: 'ok',
  unverifiable: 'warn',
  unchecked: 'neutral',
};

export function Status({ status }: { status: string }) {
  return <span className={`badge tone-${STATUS_TONE[status] ?? 'neutral'}`}>{status.replace(/_/g, ' ')}</span>;
}

/** The destination's environment, coloured by tier (production red, staging amber, …). */
export function TierBadge({ tier, large }: { tier: string; large?: boolean }) {
  return (
    <span className={`tier tier-${tier}${large ? ' tier-large' : ''}`} aria-label={`environment: ${tier}`}>
      {tier}
    </span>
  );
}

export function ProgressBar({ percent, label }: { percent: number; label: string }) {
  const p = Math.max(0, Math.min(100, percent));
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(p)}
    >
      <div className="progress-fill" style={{ width: `${p}%` }} />
      <span className="progress-text">{p.toFixed(0)} %</span>
    </div>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card" aria-label={title}>
      <header className="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export const ACTIVE_RUN_STATUSES: ReadonlySet<RunDoc['status']> = new Set(['queued', 'running']);

/**
 * Whether the policy lets `me` take `action` somewhere (whoami's `may`): the UI does not offer
 * what the server would refuse. A server that does not say is trusted to refuse.
 */
export function may(me: WhoAmIResponse, action: string): boolean {
  return me.may ? me.may.includes(action) : true;
}
