// The web UI's entry: sign-in first (no API call but the code exchange before it), then the
// shell with its navigation and the page of the current path.
import { StrictMode, useEffect, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import type { WhoAmIResponse } from '../../src/contract/identity.js';
import { session } from './api.js';
import { Link, navigate, useLocation } from './router.js';
import { ErrorBox, Loading, may, useGet } from './ui.js';
import { SignIn } from './pages/SignIn.js';
import { Dashboard } from './pages/Dashboard.js';
import { Approvals } from './pages/Approvals.js';
import { RunDetail } from './pages/RunDetail.js';
import { Backups } from './pages/Backups.js';
import { Audit } from './pages/Audit.js';
import { Incidents } from './pages/Incidents.js';
import { IncidentDetail } from './pages/IncidentDetail.js';
import { Wizard } from './wizard/Wizard.js';
import './styles.css';

const NAV = [
  { to: '/', label: 'Dashboard', action: 'restore.view' },
  { to: '/restore/new', label: 'New restore', action: 'restore.request' },
  { to: '/approvals', label: 'Approvals', action: 'restore.view' },
  { to: '/backups', label: 'Backups', action: 'backup.view' },
  { to: '/incidents', label: 'Incidents', action: 'dr.view' },
  { to: '/audit', label: 'Audit', action: 'audit.read' },
];

function App() {
  const token = useSyncExternalStore(session.subscribe, session.token);
  const { path } = useLocation();
  if (!token || path === '/sign-in') return <SignIn signedIn={Boolean(token)} />;
  return <Shell path={path} />;
}

function Shell({ path }: { path: string }) {
  const me = useGet<WhoAmIResponse>('/api/v1/whoami');
  useEffect(() => {
    document.title = `${titleOf(path)} · Lifeboat`;
  }, [path]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          Lifeboat
        </Link>
        <nav aria-label="Main">
          {NAV.filter((n) => !me.data || may(me.data, n.action)).map((n) => (
            <Link key={n.to} to={n.to} aria-current={isCurrent(n.to, path) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="who">
          {me.data && (
            <span title={me.data.roles.join(', ')}>
              {me.data.user} <span className="muted">({me.data.roles.join(', ')})</span>
            </span>
          )}
          <button
            type="button"
            className="link"
            onClick={() => {
              session.signOut();
              navigate('/sign-in');
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        {me.error ? <ErrorBox error={me.error} /> : !me.data ? <Loading what="your account" /> : page(path, me.data)}
      </main>
    </>
  );
}

function isCurrent(to: string, path: string): boolean {
  return to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`);
}

function titleOf(path: string): string {
  if (/^\/incidents\/\d+$/.test(path)) return `Incident #${path.slice('/incidents/'.length)}`;
  return NAV.find((n) => isCurrent(n.to, path))?.label ?? (path.startsWith('/runs/') ? 'Run' : 'Lifeboat');
}

function page(path: string, me: WhoAmIResponse) {
  const item = NAV.find((n) => n.to !== '/' && isCurrent(n.to, path));
  if (item && !may(me, item.action)) {
    return (
      <div className="card">
        <h1>{item.label}</h1>
        <p>
          Your roles ({me.roles.join(', ')}) do not allow {item.action}. <Link to="/">Go to the dashboard</Link>.
        </p>
      </div>
    );
  }
  const run = /^\/runs\/(\d+)$/.exec(path);
  if (run) return <RunDetail id={Number(run[1])} me={me} />;
  const incident = /^\/incidents\/(\d+)$/.exec(path);
  if (incident) return <IncidentDetail id={Number(incident[1])} me={me} />;
  const backup = /^\/backups\/([^/]+)$/.exec(path);
  if (backup) return <Backups me={me} selected={decodeURIComponent(backup[1]!)} />;
  switch (path) {
    case '/':
      return <Dashboard me={me} />;
    case '/restore/new':
      return <Wizard me={me} />;
    case '/approvals':
      return <Approvals me={me} />;
    case '/backups':
      return <Backups me={me} />;
    case '/audit':
      return <Audit />;
    case '/incidents':
      return <Incidents />;
    default:
      return (
        <div className="card">
          <h1>Not found</h1>
          <p>
            There is no page at <code>{path}</code>. <Link to="/">Go to the dashboard</Link>.
          </p>
        </div>
      );
  }
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
