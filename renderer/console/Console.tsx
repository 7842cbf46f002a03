/**
 * The operator's workspace: the queue on the left, the open event on the right, dialogs on top.
 * Everything goes through the console core: queries run against its cache, and every action is a
 * command it applies at once as pending and settles with the hub's answer (a `settled` notice).
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { v7 as uuidv7 } from 'uuid';
import type { Command, CommandType, Department, EventRecord, OrgUnit, Principal } from '../../shared/schema';
import type { CoreLink, EventDetail as Detail, QueueFilter } from '../../shared/schema/console';
import { allowedCommands, type Actor } from '../../shared/workflow';
import { errorMessage, type CoreClient } from '../core-client';
import { t, tMaybe, useLang } from '../i18n';
import { ActionDialog, type DialogKind } from './ActionDialogs';
import { beep } from './beep';
import { CallForm } from './CallForm';
import { Conflicts, HelpOverlay, ShortcutBar, Toasts, type Conflict, type Toast } from './Chrome';
import { EventDetail } from './EventDetail';
import { MapView } from './map/MapView';
import { categoryName } from './format';
import { useShortcuts, type KeyAction } from './keyboard';
import { DEFAULT_CONTROLS, QueueFilters, QueueList, STATE_GROUPS, type QueueControls } from './Queue';
import { useQueue } from './useQueue';
import { VideoWall, type CameraReport } from './video/VideoWall';
import { ViewTabs, type ConsoleView } from './video/ViewTabs';
import { WallScreenControl } from './wallscreen/WallScreenControl';

/** recharts is half a megabyte: loaded when the statistics view first opens */
const StatsView = lazy(() => import('./stats/StatsView').then((m) => ({ default: m.StatsView })));

const SEARCH_DEBOUNCE_MS = 200;
const REFRESH_THROTTLE_MS = 150;
const HIGHLIGHT_MS = 12_000;
const TOAST_MS = 8_000;

function toFilter(c: QueueControls, text: string): QueueFilter {
  const states = STATE_GROUPS[c.group];
  return {
    ...(states ? { states: [...states] } : {}),
    ...(c.tier ? { tiers: [c.tier] } : {}),
    ...(c.source ? { sources: [c.source] } : {}),
    ...(c.townId ? { townId: c.townId } : {}),
    ...(text.trim() ? { text: text.trim().slice(0, 200) } : {}),
  };
}

const DIALOG_KINDS: readonly CommandType[] = ['reject', 'escalate', 'return', 'evaluate', 'note'];
/** in the wall view only these keys act (the queue's keys would act on a list out of sight) */
const WALL_VIEW_KEYS: readonly KeyAction[] = ['wall', 'help', 'call', 'escape'];
/** `?tab=video` opens the console (or the wall screen) on the video wall */
const initialView = (): ConsoleView => (new URLSearchParams(location.search).get('tab') === 'video' ? 'wall' : 'queue');

export function Console(props: {
  client: CoreClient;
  principal: Principal;
  orgUnits: readonly OrgUnit[];
  callOpen: boolean;
  setCallOpen: (open: boolean) => void;
  /** the core's link to the hub */
  link?: CoreLink;
}) {
  useLang();
  const { client } = props;
  const actor: Actor = useMemo(
    () => ({ id: props.principal.personId, role: props.principal.role, ...(props.principal.townId ? { townId: props.principal.townId } : {}) }),
    [props.principal],
  );
  const towns = useMemo(() => props.orgUnits.filter((o) => o.level === 'subcenter'), [props.orgUnits]);

  /* ---------- the queue ---------- */
  const [controls, setControls] = useState<QueueControls>(DEFAULT_CONTROLS);
  const [text, setText] = useState('');
  useEffect(() => {
    const h = setTimeout(() => setText(controls.text), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(h);
  }, [controls.text]);
  const { group, tier, source, townId, sort } = controls;
  const filter = useMemo(() => toFilter({ ...DEFAULT_CONTROLS, group, tier, source, townId }, text), [group, tier, source, townId, text]);
  const queue = useQueue(client, filter, sort, true);
  const searchRef = useRef<HTMLInputElement>(null);

  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const h = setInterval(() => setNow(Date.now()), 10_000);
    return () => clearInterval(h);
  }, []);

  const [sel, setSel] = useState<{ index: number; id: string | null }>({ index: 0, id: null });
  // rows move as events change: keep the selection on the same event while it stays in view
  useEffect(() => {
    if (queue.total === 0) return;
    if (sel.id) {
      const i = queue.indexOf(sel.id);
      if (i >= 0 && i !== sel.index) return setSel({ index: i, id: sel.id });
      if (i >= 0) return;
    }
    const index = Math.min(sel.index, queue.total - 1);
    const row = queue.rowAt(index);
    if (row && (row.event.id !== sel.id || index !== sel.index)) setSel({ index, id: row.event.id });
  }, [queue.version, queue.total, sel, queue]);

  /* ---------- the open event ---------- */
  const [openId, setOpenId] = useState<string | null>(null);
  const [detail, setDetail] = useState<Detail | null>(null);
  const [detailLoading, setDetailLoading] = useState(false);
  const [detailError, setDetailError] = useState<string | null>(null);
  const openRef = useRef<string | null>(null);
  openRef.current = openId;

  const loadDetail = useCallback(
    (id: string) => {
      setDetailLoading(true);
      client.call('event', { eventId: id }).then(
        (d) => {
          if (openRef.current !== id) return;
          setDetail(d);
          setDetailError(null);
          setDetailLoading(false);
        },
        (err: unknown) => {
          if (openRef.current !== id) return;
          setDetailError(errorMessage(err));
          setDetailLoading(false);
        },
      );
    },
    [client],
  );
  const shownRef = useRef<string | null>(null);
  shownRef.current = detail?.row.event.id ?? null;
  const open = useCallback(
    (id: string | null) => {
      setOpenId(id);
      openRef.current = id;
      if (!id) {
        setDetail(null);
        return;
      }
      // another event's detail must not stand in while this one loads
      if (shownRef.current !== id) setDetail(null);
      loadDetail(id);
    },
    [loadDetail],
  );

  /* ---------- toasts, highlights ---------- */
  const [toasts, setToasts] = useState<Toast[]>([]);
  const toastId = useRef(0);
  const toast = useCallback((kind: Toast['kind'], text: string) => {
    const id = ++toastId.current;
    setToasts((xs) => [...xs.slice(-4), { id, kind, text }]);
    setTimeout(() => setToasts((xs) => xs.filter((x) => x.id !== id)), kind === 'bad' ? TOAST_MS * 2 : TOAST_MS);
  }, []);
  const [conflicts, setConflicts] = useState<Conflict[]>([]);
  const [highlighted, setHighlighted] = useState<ReadonlySet<string>>(new Set());
  const highlight = useCallback((id: string) => {
    setHighlighted((s) => new Set(s).add(id));
    setTimeout(
      () =>
        setHighlighted((s) => {
          const n = new Set(s);
          n.delete(id);
          return n;
        }),
      HIGHLIGHT_MS,
    );
  }, []);

  /* ---------- notices ---------- */
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const queueRef = useRef(queue);
  queueRef.current = queue;
  useEffect(() => {
    const off = client.onNotice((n) => {
      switch (n.type) {
        case 'changed':
          // bursts of changes (a sync after reconnect) become one re-query
          if (!refreshTimer.current)
            refreshTimer.current = setTimeout(() => {
              refreshTimer.current = undefined;
              queueRef.current.refresh();
            }, REFRESH_THROTTLE_MS);
          if (openRef.current && n.eventIds.includes(openRef.current)) loadDetail(openRef.current);
          break;
        case 'settled':
          if (n.status === 'rejected') {
            const reason = n.error?.error.message ?? tMaybe(`cmd.${n.commandType}`, n.commandType);
            toast('bad', `${t('toast.rolledBack')}${reason}`);
            // toasts fade; the list stays until the operator has read it, so nothing is dropped unseen
            setConflicts((xs) => [...xs, { commandId: n.commandId, eventId: n.eventId, commandType: n.commandType, reason, at: Date.now() }]);
            queueRef.current.refresh();
            if (openRef.current === n.eventId) loadDetail(n.eventId);
          }
          break;
        case 'alert':
          highlight(n.eventId);
          if (n.kind === 'new_urgent') {
            beep();
            toast('info', `${t('toast.newUrgent')} ${n.eventId}`);
          }
          break;
        case 'session':
          break;
      }
    });
    return () => {
      off();
      clearTimeout(refreshTimer.current);
      refreshTimer.current = undefined;
    };
  }, [client, loadDetail, toast, highlight]);

  /* ---------- commands ---------- */
  const [busy, setBusy] = useState(false);
  const [dialog, setDialog] = useState<{ kind: DialogKind; event: EventRecord } | null>(null);

  // the hub's departments, for escalating to them (网格吹哨): read from the core's cache when the dialog opens
  const [departments, setDepartments] = useState<readonly Department[]>([]);
  const wantsDepartments = dialog?.kind === 'escalate';
  useEffect(() => {
    if (!wantsDepartments && departments.length > 0) return;
    let live = true;
    client.call('reference', {}).then(
      (r) => live && setDepartments(r.departments ?? []),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [client, wantsDepartments]);
  const [help, setHelp] = useState(false);

  /* ---------- the video wall ---------- */
  const [view, setView] = useState<ConsoleView>(initialView);
  const [wallAlarm, setWallAlarm] = useState(false);
  const [cameraReport, setCameraReport] = useState<CameraReport | null>(null);
  const [wallFocus, setWallFocus] = useState<{ cameraId: string; at: number } | null>(null);
  const openOnWall = useCallback((cameraId: string) => {
    setView('wall');
    setWallFocus({ cameraId, at: Date.now() });
  }, []);
  const wallTarget = useMemo(
    () => (openId && detail && detail.row.event.id === openId ? { id: openId, label: `${categoryName(detail.row.event.categoryId)} · ${openId.slice(0, 13)}` } : null),
    [openId, detail],
  );
  const reportFromCamera = useCallback(
    (r: CameraReport) => {
      setCameraReport(r);
      props.setCallOpen(true);
    },
    [props.setCallOpen],
  );

  const afterSend = useCallback(
    (eventId: string) => {
      queueRef.current.refresh();
      if (openRef.current === eventId) loadDetail(eventId);
    },
    [loadDetail],
  );

  /** Sends a command; answers the error message (also toasted), or null once it is pending. */
  const send = useCallback(
    async (command: Command): Promise<string | null> => {
      setBusy(true);
      try {
        await client.call('command', { command });
        afterSend(command.eventId);
        return null;
      } catch (err) {
        const msg = errorMessage(err);
        toast('bad', `${tMaybe(`cmd.${command.type}`, command.type)}: ${msg}`);
        return msg;
      } finally {
        setBusy(false);
      }
    },
    [client, afterSend, toast],
  );

  const dispatch = useCallback(
    async (event: EventRecord, assigneeId: string | null) => {
      setBusy(true);
      try {
        const allowed = allowedCommands(event, actor);
        if (assigneeId && !allowed.includes('accept')) {
          await client.call('command', { command: { type: 'dispatch', commandId: uuidv7(), eventId: event.id, assigneeId } });
        } else {
          await client.call('dispatchTop', { eventId: event.id, ...(assigneeId ? { assigneeId } : {}) });
        }
        afterSend(event.id);
      } catch (err) {
        toast('bad', `${t('cmd.dispatch')}: ${errorMessage(err)}`);
      } finally {
        setBusy(false);
      }
    },
    [client, actor, afterSend, toast],
  );

  const act = useCallback(
    (type: CommandType, event: EventRecord) => {
      if (!allowedCommands(event, actor, Date.now()).includes(type)) {
        toast('info', `${t(`cmd.${type}` as 'cmd.accept')}: ${t('toast.notNow')} (${tMaybe(`state.${event.state}`, event.state)})`);
        return;
      }
      if (DIALOG_KINDS.includes(type)) return setDialog({ kind: type as DialogKind, event });
      if (type === 'accept' || type === 'review' || type === 'close') void send({ type, commandId: uuidv7(), eventId: event.id });
    },
    [actor, send, toast],
  );

  /* ---------- keys ---------- */
  const target = (): EventRecord | undefined => {
    const row = queue.rowAt(sel.index);
    if (detail && row && detail.row.event.id === row.event.id) return detail.row.event;
    return row?.event;
  };
  const modal = dialog !== null || props.callOpen || help;
  useShortcuts((a: KeyAction) => {
    if (a === 'escape') {
      if (dialog) setDialog(null);
      else if (props.callOpen) props.setCallOpen(false);
      else if (help) setHelp(false);
      else if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
      return;
    }
    if (a === 'wall') return setView((v) => (v === 'wall' ? 'queue' : 'wall'));
    if (view !== 'queue' && !WALL_VIEW_KEYS.includes(a)) return;
    const ev = target();
    switch (a) {
      case 'down':
      case 'up': {
        const index = Math.max(0, Math.min(queue.total - 1, sel.index + (a === 'down' ? 1 : -1)));
        setSel({ index, id: queue.rowAt(index)?.event.id ?? null });
        break;
      }
      case 'open':
        if (ev) open(ev.id);
        break;
      case 'accept':
      case 'review':
      case 'close':
      case 'escalate':
        if (ev) act(a, ev);
        break;
      case 'dispatchTop':
        if (!ev) break;
        if (allowedCommands(ev, actor).some((c) => c === 'dispatch' || c === 'accept')) void dispatch(ev, null);
        else toast('info', `${t('cmd.dispatch')}: ${t('toast.notNow')} (${tMaybe(`state.${ev.state}`, ev.state)})`);
        break;
      case 'search':
        searchRef.current?.focus();
        searchRef.current?.select();
        break;
      case 'help':
        setHelp((h) => !h);
        break;
      case 'call':
        props.setCallOpen(true);
        break;
    }
  }, !modal);

  const onSelect = useCallback(
    (index: number, andOpen: boolean) => {
      const id = queueRef.current.rowAt(index)?.event.id ?? null;
      setSel({ index, id });
      if (andOpen && id) open(id);
    },
    [open],
  );

  return (
    <>
      <div className="views">
        <ViewTabs view={view} onView={setView} wallAlarm={wallAlarm} />
        <WallScreenControl onToast={toast} />
        <main className="content workspace" hidden={view !== 'queue'}>
          <section className="card queue-card">
            <QueueFilters value={controls} onChange={setControls} towns={towns} searchRef={searchRef} total={queue.total} />
            <QueueList queue={queue} selectedIndex={sel.index} openId={openId} highlighted={highlighted} now={now} onSelect={onSelect} />
          </section>
          <EventDetail
            detail={openId ? detail : null}
            loading={detailLoading}
            error={detailError}
            actor={actor}
            now={now}
            busy={busy}
            onAction={act}
            onDispatch={(e, id, top) => void dispatch(e, top ? null : id)}
            onSplit={(reportId) => void send({ type: 'split', commandId: uuidv7(), eventId: reportId })}
            onOpen={open}
            onClose={() => open(null)}
            {...(props.link ? { link: props.link } : {})}
          />
        </main>
        <VideoWall client={client} shown={view === 'wall'} readOnly={false} target={wallTarget} send={send} onReport={reportFromCamera} toast={toast} onAlarm={setWallAlarm} focus={wallFocus} />
        {view === 'map' && (
          <MapView
            client={client}
            actor={actor}
            orgUnits={props.orgUnits}
            onSend={send}
            onDispatch={(e, id) => dispatch(e, id)}
            onOpenEvent={(id) => {
              setView('queue');
              open(id);
            }}
            onToast={toast}
            onOpenCamera={openOnWall}
          />
        )}
        {view === 'stats' && (
          <Suspense fallback={<main className="content" />}>
            <StatsView
              client={client}
              principal={props.principal}
              orgUnits={props.orgUnits}
              onOpenEvent={(id) => {
                setView('queue');
                open(id);
              }}
              onToast={toast}
            />
          </Suspense>
        )}
      </div>
      <ShortcutBar onHelp={() => setHelp(true)} />
      {dialog && (
        <ActionDialog kind={dialog.kind} event={dialog.event} towns={towns} departments={departments} ownTown={props.principal.townId} onSend={send} onClose={() => setDialog(null)} />
      )}
      {props.callOpen && (
        <CallForm
          orgUnits={props.orgUnits}
          onSend={send}
          {...(cameraReport ? { camera: cameraReport } : {})}
          onClose={() => {
            props.setCallOpen(false);
            setCameraReport(null);
          }}
          onSent={(id) => {
            toast('ok', `${t('call.sent')} ${id}`);
            open(id);
          }}
        />
      )}
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
      <Conflicts conflicts={conflicts} onOpen={open} onClear={() => setConflicts([])} />
      <Toasts toasts={toasts} onDismiss={(id) => setToasts((xs) => xs.filter((x) => x.id !== id))} />
    </>
  );
}
