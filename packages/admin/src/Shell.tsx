import { lazy, Suspense, useEffect, useState } from 'react';
import type { CollectionModel } from 'pocketbase';
import Button from './components/Button.tsx';
import { signOut } from './lib/auth.ts';
import { useCollections } from './lib/collections-context.tsx';
import { pb } from './lib/pb.ts';
import { href } from './lib/router.ts';
import { applyTheme, storedTheme, type ThemeChoice } from './lib/theme.ts';
import ApiPreviewPage from './pages/api-preview/ApiPreviewPage.tsx';
import CollectionEditor from './pages/collections/CollectionEditor.tsx';
import ImportExportPage from './pages/collections/ImportExportPage.tsx';
import CronsPage from './pages/crons/CronsPage.tsx';
import LogsPage from './pages/logs/LogsPage.tsx';
import RecordsPage from './pages/records/RecordsPage.tsx';
import SettingsPage from './pages/settings/SettingsPage.tsx';

// Loaded on first visit: few sessions open the SQL console.
const SqlPage = lazy(() => import('./pages/sql/SqlPage.tsx'));

/** What the collection editor is open on: a new collection of a type, or an existing one. */
export type Editing = { type: 'base' | 'auth' | 'view' } | { collection: CollectionModel } | null;

function Sidebar({ route, onNew }: { route: string[]; onNew: () => void }) {
  const { collections, error, hideControls } = useCollections();
  const [q, setQ] = useState('');
  const [theme, setTheme] = useState<ThemeChoice>(storedTheme);
  const match = (c: CollectionModel) => c.name.toLowerCase().includes(q.trim().toLowerCase());
  const user = collections.filter((c) => !c.system && match(c));
  const system = collections.filter((c) => c.system && match(c));
  const current = route[0] === 'collections' ? route[1] : undefined;
  const link = (c: CollectionModel) => (
    <li key={c.id}>
      <a className="nav-link" href={href('collections', c.name)} aria-current={current === c.name ? 'page' : undefined}>
        <span>{c.name}</span>
        {c.type !== 'base' && <span className="badge">{c.type}</span>}
      </a>
    </li>
  );
  const page = (name: string, label: string) => (
    <li>
      <a className="nav-link" href={href(name)} aria-current={route[0] === name ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
  return (
    <nav className="sidebar" id="sidebar" aria-label="Main">
      <div className="sidebar-head">
        <a className="brand" href={href('collections')}>
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" />
          Basalt
        </a>
      </div>
      <div className="sidebar-search">
        <label className="sr-only" htmlFor="collection-search">
          Search collections
        </label>
        <input id="collection-search" type="search" placeholder="Search collections…" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      <div className="sidebar-nav">
        {error && <p className="error-text">{error}</p>}
        <div className="nav-group">
          <div className="row">
            <h2 className="nav-group-title">Collections</h2>
            <span className="spacer" />
            {!hideControls && (
              <Button small variant="ghost" onClick={onNew}>
                + New
              </Button>
            )}
          </div>
          <ul className="plain-list">{user.length ? user.map(link) : <li className="muted nav-link">{q ? 'No match.' : 'None yet.'}</li>}</ul>
        </div>
        {system.length > 0 && (
          <div className="nav-group">
            <h2 className="nav-group-title">System</h2>
            <ul className="plain-list">{system.map(link)}</ul>
          </div>
        )}
        <div className="nav-group">
          <h2 className="nav-group-title">Server</h2>
          <ul className="plain-list">
            {page('logs', 'Logs')}
            {page('settings', 'Settings')}
            {page('crons', 'Crons')}
            {page('sql', 'SQL')}
            {page('import-export', 'Import / export')}
          </ul>
        </div>
      </div>
      <div className="sidebar-foot">
        <label className="field">
          <span className="field-label">Theme</span>
          <select
            value={theme}
            onChange={(e) => {
              const next = e.target.value as ThemeChoice;
              applyTheme(next);
              setTheme(next);
            }}
          >
            <option value="system">System</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        <div className="row">
          <span className="muted cell-text" title={String(pb.authStore.record?.email ?? '')}>
            {String(pb.authStore.record?.email ?? '')}
          </span>
          <span className="spacer" />
          <Button small onClick={signOut}>
            Sign out
          </Button>
        </div>
      </div>
    </nav>
  );
}

function NewCollectionChooser({ onPick, onClose }: { onPick: (t: 'base' | 'auth' | 'view') => void; onClose: () => void }) {
  return (
    <div className="panel panel-pad stack" role="group" aria-label="New collection type">
      <h2>New collection</h2>
      <div className="row">
        <Button variant="primary" onClick={() => onPick('base')}>
          Base collection
        </Button>
        <Button onClick={() => onPick('auth')}>Auth collection</Button>
        <Button onClick={() => onPick('view')}>View collection</Button>
        <Button variant="ghost" onClick={onClose}>
          Cancel
        </Button>
      </div>
    </div>
  );
}

function Home({ onNew }: { onNew: () => void }) {
  const { collections, loading, hideControls } = useCollections();
  const mine = collections.filter((c) => !c.system);
  if (loading) return <p className="muted">Loading…</p>;
  return (
    <div className="stack">
      <div className="page-head">
        <h1>Collections</h1>
        <span className="spacer" />
        {!hideControls && (
          <Button variant="primary" onClick={onNew}>
            New collection
          </Button>
        )}
      </div>
      {mine.length === 0 ? (
        <div className="panel empty">
          <p>No collections yet. A collection is a table with an API: create one to start.</p>
        </div>
      ) : (
        <ul className="panel plain-list">
          {mine.map((c) => (
            <li key={c.id}>
              <a className="nav-link" href={href('collections', c.name)}>
                <strong>{c.name}</strong>
                <span className="muted">{c.fields.length} fields</span>
                <span className="badge">{c.type}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export default function Shell({ route }: { route: string[] }) {
  const { collections, hideControls } = useCollections();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [choosing, setChoosing] = useState(false);
  const [editing, setEditing] = useState<Editing>(null);

  // Navigating closes the phone drawer; Escape closes it too.
  const routeKey = route.join('/');
  useEffect(() => setDrawerOpen(false), [routeKey]);
  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setDrawerOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drawerOpen]);

  const startNew = () => {
    setDrawerOpen(false);
    setChoosing(true);
  };
  const collection = route[0] === 'collections' && route[1] ? collections.find((c) => c.name === route[1] || c.id === route[1]) : undefined;

  let content;
  if (route[0] === 'logs') content = <LogsPage />;
  else if (route[0] === 'settings') content = <SettingsPage />;
  else if (route[0] === 'crons') content = <CronsPage />;
  else if (route[0] === 'sql')
    content = (
      <Suspense fallback={<p className="muted">Loading…</p>}>
        <SqlPage />
      </Suspense>
    );
  else if (route[0] === 'import-export') content = <ImportExportPage />;
  else if (route[0] === 'collections' && route[1] && route[2] === 'api') content = <ApiPreviewPage collection={route[1]} />;
  else if (route[0] === 'collections' && route[1]) {
    content = collection ? (
      <RecordsPage key={collection.id} collection={collection} onEdit={hideControls ? undefined : () => setEditing({ collection })} />
    ) : (
      <p className="muted">{collections.length ? `No collection named “${route[1]}”.` : 'Loading…'}</p>
    );
  } else content = <Home onNew={startNew} />;

  return (
    <div className={`shell ${drawerOpen ? 'drawer-open' : ''}`}>
      <Sidebar route={route} onNew={startNew} />
      <button type="button" className="scrim" aria-label="Close menu" tabIndex={-1} onClick={() => setDrawerOpen(false)} />
      <div className="main">
        <header className="topbar">
          <Button variant="ghost" aria-label="Menu" aria-expanded={drawerOpen} aria-controls="sidebar" onClick={() => setDrawerOpen(!drawerOpen)}>
            ☰
          </Button>
          <strong>{route[1] ?? route[0] ?? 'Basalt'}</strong>
        </header>
        <main className="content" id="content">
          {choosing && (
            <NewCollectionChooser
              onClose={() => setChoosing(false)}
              onPick={(type) => {
                setChoosing(false);
                setEditing({ type });
              }}
            />
          )}
          {content}
        </main>
      </div>
      {editing && <CollectionEditor editing={editing} onClose={() => setEditing(null)} />}
    </div>
  );
}
