/**
 * The grid leader's field page (served by the hub at /field/): sign in with the device token, see
 * the tasks sent to this person live, acknowledge, arrive and feed back, report new events, and share
 * the position while on duty.
 */
import { StrictMode, useCallback, useEffect, useMemo, useReducer, useRef, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { isOpenState, type Change, type EventRecord, type FieldProfile } from '../../shared/schema';
import { DEFAULT_TAXONOMY, type Taxonomy } from '../../shared/taxonomy';
import { t, tMaybe, toggleLang, useLang } from '../i18n';
import { connectLive, type LinkState } from '../live';
import { announce, primeAudio } from './alert';
import { CallScreen } from './call/CallScreen';
import { FieldCallController } from './call/controller';
import { FieldApi, HubError, loadToken, saveToken, takeTokenFromUrl } from './api';
import { categoryName, formatTime, shortId, stateLabel } from './format';
import { currentFix, watchFix, type Fix } from './geo';
import { ReportForm } from './ReportForm';
import { TaskCard, type TaskDeps } from './TaskCard';
import { VisitForm } from './VisitForm';
import './field.css';

/** How often a leader on duty tells the centre where they are. */
const POSITION_EVERY_MS = 30_000;
/** A fix this recent is used as is for an arrival. */
const FRESH_FIX_MS = 60_000;
const DUTY_KEY = 'gridField.onDuty';

type Tab = 'tasks' | 'report' | 'visit' | 'mine';

/** On duty unless the leader switched it off on this phone. */
function readDuty(): boolean {
  try {
    return localStorage.getItem(DUTY_KEY) !== 'off';
  } catch {
    return true;
  }
}

takeTokenFromUrl();

/* ---------- sign-in ---------- */

function TokenForm(props: { error: string | null; onToken: (token: string) => void }) {
  useLang();
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) props.onToken(value.trim());
  };
  return (
    <main className="signin">
      <form className="card" onSubmit={submit} aria-label={t('field.token.heading')}>
        <h2>{t('field.token.heading')}</h2>
        <label>
          <span>{t('field.token.label')}</span>
          <input
            name="token"
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            placeholder={t('field.token.placeholder')}
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
        </label>
        {props.error && (
          <div className="error" role="alert">
            {props.error}
          </div>
        )}
        <button type="submit" className="primary wide">
          {t('field.token.submit')}
        </button>
        <p className="hint">{t('field.token.hint')}</p>
      </form>
    </main>
  );
}

/* ---------- the leader's events, kept from the first read and the live feed ---------- */

interface Book {
  tasks: Map<string, EventRecord>;
  reports: Map<string, EventRecord>;
}

const newest = (m: Map<string, EventRecord>, key: 'updatedAt' | 'reportedAt') =>
  [...m.values()].sort((a, b) => b[key] - a[key]);

function useBook(personId: string | undefined) {
  const book = useRef<Book>({ tasks: new Map(), reports: new Map() });
  const [version, bump] = useReducer((n: number) => n + 1, 0);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());

  const reset = useCallback((tasks: EventRecord[], reports: EventRecord[]) => {
    book.current = { tasks: new Map(tasks.map((e) => [e.id, e])), reports: new Map(reports.map((e) => [e.id, e])) };
    bump();
  }, []);

  /** Files an event where it belongs; answers whether it is a task this person did not have. */
  const apply = useCallback(
    (e: EventRecord): boolean => {
      if (!personId) return false;
      const b = book.current;
      const prev = b.tasks.get(e.id) ?? b.reports.get(e.id);
      // changes may arrive twice (a command's own answer and the live feed): keep the newer
      if (prev && prev.timelineLength > e.timelineLength) return false;
      const isTask = e.assigneeId === personId && isOpenState(e.state);
      const isNewTask = isTask && !b.tasks.has(e.id);
      if (isTask) b.tasks.set(e.id, e);
      else b.tasks.delete(e.id);
      if (e.reporterId === personId) b.reports.set(e.id, e);
      bump();
      return isNewTask;
    },
    [personId],
  );

  const markFresh = useCallback((id: string) => setFresh((s) => new Set(s).add(id)), []);
  const clearFresh = useCallback(() => setFresh(new Set()), []);

  const tasks = useMemo(() => newest(book.current.tasks, 'updatedAt'), [version]);
  const reports = useMemo(() => newest(book.current.reports, 'reportedAt'), [version]);
  return { tasks, reports, fresh, reset, apply, markFresh, clearFresh };
}

/* ---------- the page ---------- */

function App() {
  useLang();
  const [token, setToken] = useState<string | null>(loadToken);
  const [signInError, setSignInError] = useState<string | null>(null);
  const api = useMemo(() => (token ? new FieldApi(token) : null), [token]);
  const [profile, setProfile] = useState<FieldProfile | null>(null);
  const [taxonomy, setTaxonomy] = useState<Taxonomy>(DEFAULT_TAXONOMY);
  const [link, setLink] = useState<LinkState>('offline');
  const [tab, setTab] = useState<Tab>('tasks');
  const [banner, setBanner] = useState<EventRecord | null>(null);
  const [onDuty, setOnDuty] = useState(readDuty);
  const [fix, setFix] = useState<Fix | null>(null);
  const [shared, setShared] = useState<{ ok: boolean; at: number } | null>(null);
  const fixRef = useRef<Fix | null>(null);
  const book = useBook(profile?.person.id);
  // video call-backs from the centre ring here, over the live link below
  const calls = useMemo(() => new FieldCallController(), []);

  useEffect(() => {
    document.title = t('field.title');
  });
  // browsers start audio only after a gesture: unlock it on the first tap
  useEffect(() => {
    const unlock = () => primeAudio();
    window.addEventListener('pointerdown', unlock, { passive: true });
    window.addEventListener('keydown', unlock);
    return () => {
      window.removeEventListener('pointerdown', unlock);
      window.removeEventListener('keydown', unlock);
    };
  }, []);

  const signOut = useCallback((message: string | null) => {
    saveToken(null);
    setToken(null);
    setProfile(null);
    setSignInError(message);
  }, []);

  // who this device is, and the categories in force
  useEffect(() => {
    if (!api) return;
    let live = true;
    api.me().then(
      (p) => live && setProfile(p),
      (e: unknown) => {
        if (!live) return;
        if (e instanceof HubError && e.code === 'forbidden') signOut(t('field.notField'));
        else if (e instanceof HubError && e.status === 401) signOut(`${t('field.token.rejected')}: ${e.message}`);
        else setSignInError(e instanceof Error && e.message !== 'network' ? e.message : t('field.error.network'));
      },
    );
    api.taxonomy().then(
      (tx) => live && setTaxonomy(tx),
      () => undefined, // the built-in taxonomy serves until the hub answers
    );
    return () => {
      live = false;
    };
  }, [api, signOut]);

  // the first read, then the live feed from the head read with it
  useEffect(() => {
    if (!api || !profile || !token) return;
    let conn: { close(): void } | undefined;
    let stopped = false;
    const me = profile.person.id;
    const onChanges = (changes: Change[]) => {
      for (const c of changes) {
        if (c.kind === 'event') {
          if (book.apply(c.data)) {
            book.markFresh(c.id);
            setBanner(c.data);
            announce();
          }
        } else if (c.kind === 'person' && c.id === me) {
          void api.me().then((p) => !stopped && setProfile(p), () => undefined);
        }
      }
    };
    const start = async () => {
      for (let attempt = 0; !stopped; attempt++) {
        try {
          const a = await api.assignments();
          if (stopped) return;
          book.reset(a.assignments, a.reports);
          const live = connectLive(api.base, token, a.head, {
            onState: setLink,
            onWelcome: () => undefined,
            onChanges,
            onInvalid: (raw) => console.warn('invalid message from the hub', raw),
            onRejected: (msg) => signOut(`${t('field.token.rejected')}: ${msg}`),
            onCall: (signal) => calls.handle(signal),
          });
          conn = live;
          calls.connect({ send: live.send, ring: announce });
          return;
        } catch (e) {
          if (e instanceof HubError && e.status === 401) return signOut(`${t('field.token.rejected')}: ${e.message}`);
          await new Promise((r) => setTimeout(r, Math.min(10_000, 1000 * 2 ** attempt)));
        }
      }
    };
    void start();
    return () => {
      stopped = true;
      calls.connect(undefined);
      conn?.close();
    };
    // profile changes (a person update) must not restart the feed: only who it is
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, token, profile?.person.id]);

  /* ---- position ---- */

  const sharePosition = useCallback(async () => {
    const f = fixRef.current;
    if (!api || !f) return;
    try {
      await api.position(f.position, f.accuracy);
      setShared({ ok: true, at: Date.now() });
    } catch {
      setShared({ ok: false, at: Date.now() });
    }
  }, [api]);

  useEffect(() => {
    if (!profile) return;
    let first = true;
    const stop = watchFix(
      (f) => {
        fixRef.current = f;
        setFix(f);
        if (first && onDuty) void sharePosition();
        first = false;
      },
      () => undefined,
    );
    return stop;
  }, [profile, onDuty, sharePosition]);

  useEffect(() => {
    if (!profile || !onDuty) return;
    const timer = window.setInterval(() => void sharePosition(), POSITION_EVERY_MS);
    return () => window.clearInterval(timer);
  }, [profile, onDuty, sharePosition]);

  const fixNow = useCallback(async (): Promise<Fix> => {
    const f = fixRef.current;
    if (f && Date.now() - f.at < FRESH_FIX_MS) return f;
    const got = await currentFix();
    fixRef.current = got;
    setFix(got);
    return got;
  }, []);

  const afterAction = useCallback(() => {
    if (onDuty) void sharePosition();
  }, [onDuty, sharePosition]);

  const toggleDuty = () => {
    const next = !onDuty;
    setOnDuty(next);
    try {
      localStorage.setItem(DUTY_KEY, next ? 'on' : 'off');
    } catch {
      // not kept; still switched for this page
    }
  };

  /* ---- render ---- */

  if (!token || !api) return <TokenForm error={signInError} onToken={(tk) => (saveToken(tk), setSignInError(null), setToken(tk))} />;
  if (!profile) {
    return (
      <main className="signin">
        <div className="card">
          <p>{signInError ?? t('field.loading')}</p>
          {signInError && (
            <button type="button" className="ghost" onClick={() => signOut(null)}>
              {t('field.logout')}
            </button>
          )}
        </div>
      </main>
    );
  }

  const deps: TaskDeps = { api, taxonomy, fixNow, onEvent: (e) => void book.apply(e), afterAction };
  const person = profile.person;
  const where = [profile.town?.name, profile.community?.name].filter(Boolean).join(' · ');

  return (
    <div className="field-app">
      <CallScreen controller={calls} taxonomy={taxonomy} />
      <header className="bar">
        <div className="who">
          <b data-testid="person-name">{person.name}</b>
          <span className="role">{tMaybe(`role.${person.role}`, t('role.other'))}</span>
          {where && <div className="where">{where}</div>}
        </div>
        <div className="bar-right">
          <span className={`pill pill-${link}`} role="status" data-state={link}>
            <span className="dot" />
            {t(`link.${link}`)}
          </span>
          <button type="button" className="ghost small" onClick={toggleLang}>
            {t('lang.toggle')}
          </button>
          <button type="button" className="ghost small" onClick={() => signOut(null)}>
            {t('field.logout')}
          </button>
        </div>
      </header>

      <div className="duty">
        <label className="switch">
          <input type="checkbox" checked={onDuty} onChange={toggleDuty} name="on-duty" />
          <span>{onDuty ? t('field.duty.on') : t('field.duty.off')}</span>
        </label>
        {shared && onDuty && (
          <span className={shared.ok ? 'hint' : 'warn'} data-testid="position-status">
            {shared.ok ? t('field.duty.sent') : t('field.duty.failed')} {formatTime(shared.at)}
          </span>
        )}
      </div>

      {banner && (
        <button type="button" className="banner" role="alert" data-testid="new-task" onClick={() => (setTab('tasks'), setBanner(null))}>
          <b>{t('field.tasks.new')}</b> {categoryName(taxonomy, banner.categoryId)} · {banner.description.slice(0, 40)}
        </button>
      )}

      <nav className="tabs" role="tablist">
        {(['tasks', 'report', 'visit', 'mine'] as const).map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={tab === k}
            className={tab === k ? 'active' : ''}
            onClick={() => {
              setTab(k);
              if (k === 'tasks') book.clearFresh();
            }}
          >
            {t(`field.tab.${k}`)}
            {k === 'tasks' && book.tasks.length > 0 && <span className="count">{book.tasks.length}</span>}
          </button>
        ))}
      </nav>

      <main className="content">
        {tab === 'tasks' && (
          <section className="tasks" aria-label={t('field.tab.tasks')}>
            {book.tasks.length === 0 && <p className="empty">{t('field.tasks.empty')}</p>}
            {book.tasks.map((e) => (
              <TaskCard key={e.id} event={e} fresh={book.fresh.has(e.id)} deps={deps} />
            ))}
          </section>
        )}
        {tab === 'report' && (
          <ReportForm
            api={api}
            taxonomy={taxonomy}
            grids={profile.grids}
            lastFix={fix}
            fixNow={fixNow}
            onEvent={(e) => void book.apply(e)}
            afterAction={afterAction}
          />
        )}
        {tab === 'visit' && <VisitForm api={api} lastFix={fix} fixNow={fixNow} afterAction={afterAction} />}
        {tab === 'mine' && (
          <section className="mine" aria-label={t('field.tab.mine')}>
            {book.reports.length === 0 && <p className="empty">{t('field.mine.empty')}</p>}
            {book.reports.map((e) => (
              <article key={e.id} className="mine-row" data-event-id={e.id} data-state={e.state}>
                <div className="mine-head">
                  <b>{categoryName(taxonomy, e.categoryId)}</b>
                  <span className={`state state-${e.state}`}>{stateLabel(e)}</span>
                </div>
                <div className="mine-desc">{e.description}</div>
                <div className="hint">
                  {formatTime(e.reportedAt)} · <span className="mono">{shortId(e.id)}</span>
                  {e.state === 'merged' && e.mergedInto && (
                    <>
                      {' '}
                      · {t('field.report.merged')} <span className="mono" title={e.mergedInto}>{shortId(e.mergedInto)}</span>
                    </>
                  )}
                </div>
              </article>
            ))}
          </section>
        )}
      </main>
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
