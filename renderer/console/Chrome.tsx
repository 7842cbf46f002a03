/** The page around the work: top bar, sign-in, toasts, and the shortcut list. */
import { useState, type FormEvent } from 'react';
import type { SessionInfo } from '../../shared/schema/console';
import { t, tMaybe, toggleLang, useLang } from '../i18n';
import { formatTime, principalRole } from './format';
import { keyLabel, SHORTCUTS } from './keyboard';

/** Behind by more than this many changes, the top bar shows the catch-up as a progress bar. */
const CATCH_UP_SHOWN = 200;

export function TopBar(props: {
  session: SessionInfo | null;
  coreUp: boolean;
  /** a sub-centre desk's town, named so the desk always sees whose console this is */
  townName?: string | undefined;
  onLogout?: () => void;
  onCall?: () => void;
}) {
  useLang();
  const s = props.session;
  // the core's own link to the hub, unless the page cannot even reach the core
  const link = !props.coreUp ? 'offline' : (s?.link ?? 'offline');
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <div>
          <h1>{t('app.title')}</h1>
          <div className="subtitle">{t('app.subtitle')}</div>
        </div>
      </div>
      <div className="topbar-right">
        {props.onCall && (
          <button type="button" className="call-button" onClick={props.onCall} data-testid="take-call">
            {t('call.open')} <kbd>n</kbd>
          </button>
        )}
        <span className={`pill pill-${link}`} role="status" data-state={link}>
          <span className="dot" />
          {t(`link.${link}`)}
          {link !== 'online' && s?.principal && s.linkSince !== undefined && (
            <span data-testid="link-since">
              {' '}
              {t('link.since')} {formatTime(s.linkSince, false)}
            </span>
          )}
        </span>
        <span className="meta" title={t('link.cursorHint')}>
          {t('link.head')} <b data-testid="head">{s?.principal ? s.cursor : '—'}</b>
          {s?.principal && s.head > s.cursor && <span className="muted"> / {s.head}</span>}
        </span>
        {s?.principal && s.head - s.cursor > CATCH_UP_SHOWN && (
          <span className="meta catch-up" data-testid="catch-up">
            {t('link.catchingUp')} <progress max={s.head} value={s.cursor} /> {Math.floor((100 * s.cursor) / s.head)}%
          </span>
        )}
        {s?.principal && s.outbox > 0 && (
          <span className="meta warn-text" data-testid="outbox" title={`${s.outbox} ${t('link.waiting')}`}>
            {t('link.outbox')} <b>{s.outbox}</b>
          </span>
        )}
        {s?.principal && (
          <span className="meta">
            {principalRole(s.principal)} <b>{s.principal.name}</b>
            {s.principal.townId !== undefined && (
              <span className="badge" data-testid="desk-town">
                {props.townName ?? s.principal.townId}
              </span>
            )}
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

export function LoginForm(props: { hubUrl: string | null; onLogin: (username: string, password: string) => Promise<string | null> }) {
  useLang();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const err = await props.onLogin(username.trim(), password);
    setBusy(false);
    if (err) setError(`${t('login.failed')}: ${err}`);
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
        <button type="submit" disabled={busy}>
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
        <div className="hub-line">
          {t('login.hub')}: <code>{props.hubUrl ?? '…'}</code>
        </div>
      </form>
    </main>
  );
}

export interface Toast {
  id: number;
  kind: 'ok' | 'bad' | 'info';
  text: string;
}

export function Toasts(props: { toasts: readonly Toast[]; onDismiss: (id: number) => void }) {
  return (
    <div className="toasts" aria-live="assertive">
      {props.toasts.map((x) => (
        <div key={x.id} className={`toast toast-${x.kind}`} role={x.kind === 'bad' ? 'alert' : 'status'} data-testid={`toast-${x.kind}`}>
          <span>{x.text}</span>
          <button type="button" className="ghost" onClick={() => props.onDismiss(x.id)} aria-label={t('dialog.cancel')}>
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}

/** The shortcut list as a footer line; `?` opens it large. */
export function ShortcutBar(props: { onHelp: () => void }) {
  useLang();
  return (
    <div className="shortcuts" aria-label={t('keys.heading')}>
      {SHORTCUTS.filter((s) => s.action !== 'help' && s.action !== 'escape').map((s) => (
        <span key={s.action}>
          {s.keys.map((k) => (
            <kbd key={k}>{keyLabel(k)}</kbd>
          ))}{' '}
          {t(s.label)}
        </span>
      ))}
      <button type="button" className="link-button" onClick={props.onHelp}>
        <kbd>?</kbd> {t('keys.help')}
      </button>
    </div>
  );
}

export function HelpOverlay(props: { onClose: () => void }) {
  useLang();
  return (
    <div className="backdrop" onMouseDown={props.onClose}>
      <div className="card dialog" role="dialog" aria-modal="true" aria-label={t('keys.heading')} data-testid="help">
        <h2>{t('keys.heading')}</h2>
        <table className="keys">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.action}>
                <td>
                  {s.keys.map((k) => (
                    <kbd key={k}>{keyLabel(k)}</kbd>
                  ))}
                </td>
                <td>{t(s.label)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export interface Conflict {
  commandId: string;
  eventId: string;
  commandType: string;
  reason: string;
  at: number;
}

/** Actions the hub refused after this console showed them done: each rolled back, listed with its reason. */
export function Conflicts(props: { conflicts: readonly Conflict[]; onOpen: (eventId: string) => void; onClear: () => void }) {
  useLang();
  if (props.conflicts.length === 0) return null;
  return (
    <aside className="card conflicts" role="region" aria-label={t('conflicts.heading')} data-testid="conflicts">
      <div className="conflicts-head">
        <b>
          {t('conflicts.heading')} ({props.conflicts.length})
        </b>
        <button type="button" className="ghost" onClick={props.onClear}>
          {t('conflicts.clear')}
        </button>
      </div>
      <ul>
        {props.conflicts.map((c) => (
          <li key={c.commandId}>
            <span className="mono">{formatTime(c.at, false)}</span>{' '}
            <button type="button" className="link-button" onClick={() => props.onOpen(c.eventId)}>
              {c.eventId.slice(0, 18)}
            </button>{' '}
            {tMaybe(`cmd.${c.commandType}`, c.commandType)}: {c.reason}
          </li>
        ))}
      </ul>
    </aside>
  );
}
