/**
 * The operator console (foundation): sign in to the hub, follow the live change feed, and show
 * the latest event changes. The full console UI comes later; this page proves the whole path.
 */
import { StrictMode, useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { v7 as uuidv7 } from 'uuid';
import type { Change, ChangeOf, Command, CommandResult, EventRecord, LoginResponse, Principal } from '../../shared/schema';
import { categoryById, DEFAULT_TAXONOMY } from '../../shared/taxonomy';
import { getLang, t, tMaybe, toggleLang, useLang, type Lang } from '../i18n';
import { connectLive, loadHostConfig, login, type LinkState } from '../live';
import './console.css';

const MAX_ROWS = 200;
const SESSION_KEY = 'gridConsole.session';
const view = new URLSearchParams(location.search).get('view') === 'wall' ? 'wall' : 'console';

type EventChange = ChangeOf<'event'>;

function loadSession(): LoginResponse | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as LoginResponse | null;
    return s && typeof s.token === 'string' && s.expiresAt > Date.now() ? s : null;
  } catch {
    return null;
  }
}

function saveSession(s: LoginResponse | null): void {
  try {
    if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // private mode: the session lives as long as the page
  }
}

const timeFormats = new Map<Lang, Intl.DateTimeFormat>();
function formatTime(ms: number): string {
  const lang = getLang();
  let f = timeFormats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    timeFormats.set(lang, f);
  }
  return f.format(ms);
}

function categoryName(id: string): string {
  const c = categoryById(DEFAULT_TAXONOMY, id);
  if (!c) return id;
  return getLang() === 'en' ? c.name.en : c.name.zh;
}

function roleName(p: Principal): string {
  return tMaybe(`role.${p.role}`, t('role.other'));
}

/* ---------- top bar ---------- */

function TopBar(props: { link: LinkState; head: number | null; principal: Principal | null; onLogout?: () => void }) {
  useLang();
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <div>
          <h1>{t('app.title')}</h1>
          <div className="subtitle">{t('app.subtitle')}</div>
        </div>
        {view === 'wall' && <span className="badge">{t('app.wall')}</span>}
      </div>
      <div className="topbar-right">
        <span className={`pill pill-${props.link}`} role="status" data-state={props.link}>
          <span className="dot" />
          {t(`link.${props.link}`)}
        </span>
        <span className="meta">
          {t('link.head')} <b data-testid="head">{props.head ?? '—'}</b>
        </span>
        {props.principal && (
          <span className="meta">
            {roleName(props.principal)} <b>{props.principal.name}</b>
          </span>
        )}
        <button type="button" className="ghost" onClick={toggleLang} title={t('lang.toggleTitle')}>
          {t('lang.toggle')}
        </button>
        {props.onLogout && (
          <button type="button" className="ghost" onClick={props.onLogout}>
            {t('login.logout')}
          </button>
        )}
      </div>
    </header>
  );
}

/* ---------- sign-in ---------- */

function LoginForm(props: { hubUrl: string | null; configError: string | null; onLoggedIn: (s: LoginResponse) => void }) {
  useLang();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!props.hubUrl || busy) return;
    setBusy(true);
    setError(null);
    const out = await login(props.hubUrl, username.trim(), password);
    setBusy(false);
    if (out.ok) props.onLoggedIn(out.session);
    else if (out.reason === 'unreachable') setError(t('login.unreachable'));
    else if (out.reason === 'bad_reply') setError(t('login.badReply'));
    else setError(`${t('login.failed')}: ${out.message ?? ''}`);
  };

  return (
    <main className="login-wrap">
      <form className="card login" onSubmit={submit} aria-label={t('login.heading')}>
        <h2>{t('login.heading')}</h2>
        <label>
          <span>{t('login.username')}</span>
          <input
            name="username"
            autoComplete="username"
            autoFocus
            required
            placeholder={t('login.usernamePlaceholder')}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          <span>{t('login.password')}</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            placeholder={t('login.passwordPlaceholder')}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <div className="error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" disabled={busy || !props.hubUrl}>
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
        <div className="hub-line">
          {t('login.hub')}: <code>{props.hubUrl ?? (props.configError ? `${t('login.noHub')} (${props.configError})` : '…')}</code>
        </div>
      </form>
    </main>
  );
}

/* ---------- live events ---------- */

/** Sends one command to the hub as this console; answers the error message, or null when applied. */
async function sendCommand(hubUrl: string, token: string, command: Command): Promise<string | null> {
  try {
    const res = await fetch(`${hubUrl}/api/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(command),
    });
    const body = (await res.json()) as CommandResult | { error: { message: string } };
    if ('status' in body && body.status === 'applied') return null;
    return 'error' in body ? body.error.message : `HTTP ${res.status}`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** A merged report says where it went and can be split out; an event with linked reports counts them. */
function Links(props: { event: EventRecord; onSplit: (eventId: string) => void }) {
  const e = props.event;
  if (e.mergedInto !== undefined && e.state === 'merged') {
    return (
      <span className="links" data-testid={`merged-${e.id}`}>
        {tMaybe('events.mergedInto', '并入')} <code title={e.mergedInto}>{e.mergedInto.slice(0, 14)}</code>{' '}
        <button type="button" className="link-button" onClick={() => props.onSplit(e.id)}>
          {tMaybe('command.split', '拆分')}
        </button>
      </span>
    );
  }
  const n = e.linkedReportIds?.length ?? 0;
  return n > 0 ? <span className="links badge">+{n} {tMaybe('events.linkedReports', '关联上报')}</span> : null;
}

function EventTable(props: { rows: EventChange[]; towns: ReadonlyMap<string, string>; onSplit: (eventId: string) => void }) {
  useLang();
  return (
    <section className="card events">
      <div className="card-head">
        <h2>{t('events.heading')}</h2>
        <span className="hint">{t('events.hint')}</span>
      </div>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th className="num">{t('events.seq')}</th>
              <th>{t('events.id')}</th>
              <th>{t('events.category')}</th>
              <th>{t('events.state')}</th>
              <th>{t('events.tier')}</th>
              <th>{t('events.town')}</th>
              <th>{t('events.reportedAt')}</th>
              <th>{tMaybe('events.links', '关联')}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.length === 0 && (
              <tr>
                <td colSpan={8} className="empty">
                  {t('events.empty')}
                </td>
              </tr>
            )}
            {props.rows.map((c) => {
              const e = c.data;
              return (
                <tr key={c.seq} data-seq={c.seq}>
                  <td className="num">{c.seq}</td>
                  <td className="mono" title={e.id}>
                    {e.id}
                  </td>
                  <td>{categoryName(e.categoryId)}</td>
                  <td>
                    <span className={`state state-${e.state}`}>{tMaybe(`state.${e.state}`, e.state)}</span>
                  </td>
                  <td>
                    <span className={`tier tier-${e.tier}`}>{tMaybe(`tier.${e.tier}`, e.tier)}</span>
                  </td>
                  <td>{e.townId ? (props.towns.get(e.townId) ?? e.townId) : '—'}</td>
                  <td className="mono">{formatTime(e.reportedAt)}</td>
                  <td>
                    <Links event={e} onSplit={props.onSplit} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/* ---------- the page ---------- */

function App() {
  useLang();
  const [hubUrl, setHubUrl] = useState<string | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const [session, setSession] = useState<LoginResponse | null>(loadSession);
  const [principal, setPrincipal] = useState<Principal | null>(session?.principal ?? null);
  const [link, setLink] = useState<LinkState>('offline');
  const [head, setHead] = useState<number | null>(null);
  const [rows, setRows] = useState<EventChange[]>([]);
  const [received, setReceived] = useState(0);
  const [invalid, setInvalid] = useState(0);
  const towns = useRef(new Map<string, string>());

  useEffect(() => {
    document.title = t('app.title');
  });

  useEffect(() => {
    loadHostConfig().then(
      (c) => setHubUrl(c.hubUrl),
      (err: unknown) => setConfigError(err instanceof Error ? err.message : String(err)),
    );
  }, []);

  const logout = useCallback(() => {
    saveSession(null);
    setSession(null);
    setPrincipal(null);
    setRows([]);
    setHead(null);
    setReceived(0);
  }, []);

  useEffect(() => {
    if (!hubUrl || !session) return;
    const conn = connectLive(hubUrl, session.token, 0, {
      onState: setLink,
      onWelcome: (p, h) => {
        setPrincipal(p);
        setHead(h);
      },
      onChanges: (changes: Change[], h) => {
        setHead(h);
        if (changes.length === 0) return;
        setReceived((n) => n + changes.length);
        const events: EventChange[] = [];
        for (const c of changes) {
          if (c.kind === 'event') events.push(c);
          else if (c.kind === 'org_unit') towns.current.set(c.id, c.data.name);
        }
        if (events.length === 0) return;
        const newest = events.slice(-MAX_ROWS).reverse();
        setRows((prev) => newest.concat(prev).slice(0, MAX_ROWS));
      },
      onInvalid: (raw) => {
        console.warn('invalid message from the hub', raw);
        setInvalid((n) => n + 1);
      },
      onRejected: () => logout(),
    });
    return () => conn.close();
  }, [hubUrl, session, logout]);

  const [actionError, setActionError] = useState<string | null>(null);
  const split = useCallback(
    (eventId: string) => {
      if (!hubUrl || !session) return;
      void sendCommand(hubUrl, session.token, { type: 'split', commandId: uuidv7(), eventId }).then(setActionError);
    },
    [hubUrl, session],
  );

  const onLoggedIn = useCallback((s: LoginResponse) => {
    saveSession(s);
    setPrincipal(s.principal);
    setSession(s);
  }, []);

  return (
    <div className={`app view-${view}`}>
      <TopBar link={link} head={head} principal={principal} {...(session ? { onLogout: logout } : {})} />
      {session ? (
        <main className="content">
          {actionError && (
            <div className="banner warn" role="alert">
              {actionError}
            </div>
          )}
          <EventTable rows={rows} towns={towns.current} onSplit={split} />
        </main>
      ) : (
        <LoginForm hubUrl={hubUrl} configError={configError} onLoggedIn={onLoggedIn} />
      )}
      <footer className="statusbar">
        <span>
          {t('login.hub')}: <code>{hubUrl ?? '—'}</code>
        </span>
        <span>
          {t('link.received')}: <b data-testid="received">{received}</b>
        </span>
        {invalid > 0 && (
          <span className="warn">
            {t('link.invalid')}: <b>{invalid}</b>
          </span>
        )}
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
