/**
 * The wall screen page (/wall/): a client of the console core like the console page, watching only.
 * It shares the core's session (the console signs in; a wall PC with only a browser may sign in
 * here once), follows the wall state the console sets, and recovers by itself when the core or the
 * hub comes back.
 */
import { StrictMode, useEffect, useMemo, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import type { ReferenceData, SessionInfo } from '../../shared/schema/console';
import { createCoreClient, errorMessage, type TransportState, type WsTransport } from '../core-client';
import { t, useLang } from '../i18n';
import { WallScreen } from './WallScreen';
import './wall-screen.css';

function SignIn(props: { onLogin: (u: string, p: string) => Promise<string | null> }) {
  const [user, setUser] = useState('');
  const [pass, setPass] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(await props.onLogin(user, pass));
    setBusy(false);
  };
  return (
    <form className="ws-login" onSubmit={(e) => void submit(e)}>
      <input name="username" autoComplete="username" placeholder={t('ws.username')} value={user} onChange={(e) => setUser(e.target.value)} />
      <input name="password" type="password" autoComplete="current-password" placeholder={t('ws.password')} value={pass} onChange={(e) => setPass(e.target.value)} />
      <button type="submit" disabled={busy || !user || !pass}>
        {t('ws.signIn')}
      </button>
      {error && <p className="ws-bad">{error}</p>}
    </form>
  );
}

function App() {
  useLang();
  const client = useMemo(createCoreClient, []);
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [coreUp, setCoreUp] = useState(client.kind === 'ipc');
  const [reference, setReference] = useState<ReferenceData | null>(null);

  useEffect(() => {
    document.title = `${t('app.title')} · ${t('app.wall')}`;
  });
  useEffect(() => () => client.close(), [client]);

  useEffect(() => {
    const ask = () => client.call('session', {}).then(setSession, (err: unknown) => console.warn('wall: session:', errorMessage(err)));
    if (client.kind === 'ipc') void ask();
    const offState =
      client.kind === 'ws'
        ? (client.transport as WsTransport).onState((s: TransportState) => {
            setCoreUp(s === 'open');
            // notices may have been missed while the link was down: ask where things stand
            if (s === 'open') void ask();
          })
        : () => {};
    const offNotice = client.onNotice((n) => {
      if (n.type === 'session') setSession(n.session);
    });
    return () => {
      offState();
      offNotice();
    };
  }, [client]);

  // the district's places and taxonomy, once signed in; again while the cache is still filling
  const signedIn = session?.principal != null;
  useEffect(() => {
    if (!signedIn || !coreUp) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      client.call('reference', {}).then(
        (r) => {
          if (!live) return;
          setReference(r);
          if (r.orgUnits.length === 0) timer = setTimeout(load, 2000);
        },
        () => live && (timer = setTimeout(load, 5000)),
      );
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, signedIn, coreUp]);

  const login = async (username: string, password: string): Promise<string | null> => {
    try {
      const s = await client.call('login', { username, password });
      setSession(s);
      return s.principal ? null : t('login.failed');
    } catch (err) {
      return errorMessage(err);
    }
  };

  return <WallScreen client={client} session={session} coreUp={coreUp} reference={reference} login={<SignIn onLogin={login} />} />;
}

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
