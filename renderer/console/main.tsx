/**
 * The operator console page: a client of the console core (renderer/core-client.ts), which keeps
 * the local cache and the outbox. Signs in through the core, then shows the workspace. The wall
 * screen is a page of its own (renderer/wall, /wall/); the old `?view=wall` address goes there.
 */
import { StrictMode, useCallback, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { ReferenceData, SessionInfo } from '../../shared/schema/console';
import { createCoreClient, errorMessage, type TransportState, type WsTransport } from '../core-client';
import { t, useLang } from '../i18n';
import { armBeep } from './beep';
import { LoginForm, TopBar } from './Chrome';
import { Console } from './Console';
import './console.css';

const wall = new URLSearchParams(location.search).get('view') === 'wall';
if (wall) location.replace(new URL('../wall/', location.href).href);

function App() {
  useLang();
  const client = useMemo(createCoreClient, []);
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [coreUp, setCoreUp] = useState(client.kind === 'ipc');
  const [startError, setStartError] = useState<string | null>(null);
  const [reference, setReference] = useState<ReferenceData | null>(null);
  const [callOpen, setCallOpen] = useState(false);

  useEffect(() => {
    document.title = t('app.title');
  });

  useEffect(() => () => client.close(), [client]);

  useEffect(() => {
    if (client.kind !== 'ws') return;
    return (client.transport as WsTransport).onState((s: TransportState) => {
      setCoreUp(s === 'open');
      // after the page lost the core, ask again where things stand: notices may have been missed
      if (s === 'open')
        client.call('session', {}).then(setSession, (err: unknown) => setStartError(errorMessage(err)));
    });
  }, [client]);

  useEffect(() => {
    if (client.kind === 'ipc') client.call('session', {}).then(setSession, (err: unknown) => setStartError(errorMessage(err)));
    return client.onNotice((n) => {
      if (n.type === 'session') setSession(n.session);
      // the outbox shrinks as commands settle, and the core says so only through this
      else if (n.type === 'changed') setSession((s) => (s ? { ...s, cursor: n.cursor, head: n.head } : s));
      else if (n.type === 'settled') client.call('session', {}).then(setSession, () => {});
    });
  }, [client]);

  const signedIn = session?.principal != null;
  useEffect(() => {
    if (!signedIn) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let hasPlaces = false;
    const load = () =>
      client.call('reference', {}).then(
        (r) => {
          hasPlaces = r.orgUnits.length > 0;
          setReference(r);
        },
        (err: unknown) => setStartError(errorMessage(err)),
      );
    load();
    // right after sign-in the cache may still be filling from the hub: places come with later changes
    const off = client.onNotice((n) => {
      if (n.type !== 'changed' || timer || (hasPlaces && n.eventIds.length > 0)) return;
      timer = setTimeout(() => {
        timer = undefined;
        load();
      }, 500);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [client, signedIn]);

  const login = useCallback(
    async (username: string, password: string): Promise<string | null> => {
      armBeep();
      try {
        const s = await client.call('login', { username, password });
        setSession(s);
        return s.principal ? null : t('login.failed');
      } catch (err) {
        return errorMessage(err);
      }
    },
    [client],
  );

  const logout = useCallback(() => {
    client.call('logout', {}).then(setSession, (err: unknown) => setStartError(errorMessage(err)));
    setReference(null);
  }, [client]);

  const principal = session?.principal ?? null;
  return (
    <div className="app view-console">
      <TopBar
        session={session}
        coreUp={coreUp}
        townName={reference?.orgUnits.find((u) => u.id === principal?.townId)?.name}
        {...(principal ? { onLogout: logout } : {})}
        {...(principal ? { onCall: () => setCallOpen(true) } : {})}
      />
      {principal ? (
        <Console client={client} link={session?.link ?? 'offline'} principal={principal} orgUnits={reference?.orgUnits ?? []} callOpen={callOpen} setCallOpen={setCallOpen} />
      ) : session ? (
        <LoginForm hubUrl={session.hubUrl} onLogin={login} />
      ) : (
        // the core may hold a session already (another window signed in): ask before offering a sign-in
        <main className="login-wrap">
          <p className="muted" data-testid="connecting">
            {startError ?? t('app.connecting')}
          </p>
        </main>
      )}
      <footer className="statusbar">
        <span>
          {t('login.hub')}: <code>{session?.hubUrl ?? '—'}</code>
        </span>
        <span>
          {t('link.core')}: <b data-testid="core-link">{client.kind === 'ipc' ? 'IPC' : coreUp ? 'WS' : '…'}</b>
        </span>
        {startError && <span className="warn">{startError}</span>}
      </footer>
    </div>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
