// Sign-in: a one-click link's code (exchanged once for a session), or an API token pasted in.
// Nothing else is called before the user is signed in.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { SessionExchangeResponse } from '../../../src/contract/session.js';
import { api, ApiError, session } from '../api.js';
import { navigate, useLocation } from '../router.js';
import { ErrorBox } from '../ui.js';

export function SignIn({ signedIn }: { signedIn: boolean }) {
  const { query } = useLocation();
  const code = query.get('code');
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const exchanged = useRef<string | null>(null);

  useEffect(() => {
    if (!code) {
      if (signedIn) navigate('/', { replace: true });
      return;
    }
    if (exchanged.current === code) return; // StrictMode runs effects twice: a code works once
    exchanged.current = code;
    setBusy(true);
    api<SessionExchangeResponse>('POST', '/api/v1/session/exchange', { code }).then(
      (s) => {
        session.signIn(s.token);
        navigate('/', { replace: true });
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
        history.replaceState(null, '', '/sign-in');
      },
    );
  }, [code, signedIn]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError(new ApiError(0, 'client', 'paste an API token first', 'issue one with `lifeboat token issue <user>`'));
      return;
    }
    // the token is tried once before it is kept, so a wrong one is said here
    setBusy(true);
    const res = await fetch('/api/v1/whoami', { headers: { authorization: `Bearer ${t}` } }).catch(() => null);
    setBusy(false);
    if (res?.ok) {
      session.signIn(t);
      navigate('/', { replace: true });
    } else if (res) {
      const body = (await res.json().catch(() => null)) as {
        error?: { code: string; message: string; hint?: string };
      } | null;
      const err = body?.error;
      setError(
        new ApiError(
          res.status,
          err?.code ?? 'http_error',
          err?.message ?? `the server answered ${res.status}`,
          err?.hint,
        ),
      );
    } else setError(new ApiError(0, 'network', 'the Lifeboat server could not be reached'));
  };

  return (
    <main className="signin" id="main">
      <h1>Lifeboat</h1>
      <p className="muted">Self-service database restores, backups and disaster recovery.</p>
      {busy ? (
        <p role="status">Signing you in…</p>
      ) : (
        <form onSubmit={(e) => void submit(e)} className="card">
          <h2>Sign in</h2>
          <label htmlFor="token">API token</label>
          <input
            id="token"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            placeholder="lbt_…"
          />
          <p className="muted small">
            Issue one with <code>lifeboat token issue &lt;user&gt;</code>, or open a sign-in link printed by{' '}
            <code>lifeboat start</code>. The token is kept in this tab only.
          </p>
          <button type="submit" className="primary">
            Sign in
          </button>
        </form>
      )}
      <ErrorBox error={error} />
    </main>
  );
}
