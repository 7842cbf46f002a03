/**
 * The wall screen (指挥中心大屏): the district's map in the middle, live camera tiles, the day's and
 * the month's figures in panels, the overdue list and a ticker of urgent events; a header with the
 * clock (China Standard Time) and the link state. Laid out in viewport units for 1920×1080,
 * 3840×2160 (the same shape, twice the pixels) and 3840×1080 (wide: tiles left of the map, panels
 * right of it), dark, with type to be read from five metres. It is driven from the console (what it
 * shows, which event is on the wall) and never needs a mouse.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ReferenceData, SessionInfo } from '../../shared/schema/console';
import type { MapPerson } from '../../shared/schema/map';
import { DEFAULT_WALL_SCREEN } from '../../shared/schema/wall-screen';
import { type CoreClient } from '../core-client';
import { categoryName, formatTime, placeName, sourceName, stateName, tierName } from '../console/format';
import { useCameras } from '../console/video/useCameras';
import { t, useLang } from '../i18n';
import { useFocusDetail, useTicker, useWallScreenState, useWallStats } from './data';
import { arrange, nearestCamera, PANEL_WEIGHT, screenShape, type SidePanel } from './layout';
import { categoryNamer, CategoriesPanel, DutyPanel, EndedByPanel, hhmm, IntakePanel, OpenPanel, OverduePanel, RatesPanel, SourcesPanel, TickerPanel } from './Panels';
import { WallMap } from './WallMap';
import { WallTiles } from './WallTiles';

const PEOPLE_POLL_MS = 20_000;

/** The viewport's size, kept up to date (the wall may move between displays or change mode). */
function useViewport(): { w: number; h: number } {
  const [vp, setVp] = useState(() => ({ w: window.innerWidth, h: window.innerHeight }));
  useEffect(() => {
    const on = () => setVp((v) => (v.w === window.innerWidth && v.h === window.innerHeight ? v : { w: window.innerWidth, h: window.innerHeight }));
    window.addEventListener('resize', on);
    return () => window.removeEventListener('resize', on);
  }, []);
  return vp;
}

/** Field staff with their last fix (the map's people, the overdue list's names), every PEOPLE_POLL_MS. */
function usePeople(client: CoreClient, active: boolean, wake: number): { people: MapPerson[]; now: number } {
  const [state, setState] = useState<{ people: MapPerson[]; now: number }>({ people: [], now: Date.now() });
  useEffect(() => {
    if (!active) return;
    let live = true;
    const load = () => client.call('mapPeople', {}).then((r) => live && setState(r), () => {});
    void load();
    const h = setInterval(load, PEOPLE_POLL_MS);
    return () => {
      live = false;
      clearInterval(h);
    };
  }, [client, active, wake]);
  return state;
}

const cstParts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const cstWeekday = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', weekday: 'short' });
const cstWeekdayEn = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', weekday: 'short' });

/** "2026-03-01 周日 09:05:07" in China Standard Time, whatever the machine's zone. */
export function cstClockText(ms: number, lang: string): string {
  const p = Object.fromEntries(cstParts.formatToParts(ms).map((x) => [x.type, x.value]));
  const wd = (lang === 'en' ? cstWeekdayEn : cstWeekday).format(ms);
  return `${p.year}-${p.month}-${p.day} ${wd} ${p.hour === '24' ? '00' : p.hour}:${p.minute}:${p.second}`;
}

function Clock() {
  const lang = useLang();
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const h = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(h);
  }, []);
  return (
    <time className="ws-clock" dateTime={new Date(now).toISOString()} data-testid="wall-clock">
      {cstClockText(now, lang)} <small>CST</small>
    </time>
  );
}

export function WallScreen(props: { client: CoreClient; session: SessionInfo | null; coreUp: boolean; reference: ReferenceData | null; login?: ReactNode }) {
  useLang();
  const { client, session, coreUp } = props;
  const vp = useViewport();
  const u = vp.h / 100;
  const signedIn = session?.principal != null;
  const link = session?.link ?? 'offline';

  // a link that goes or comes back (the page's to the core, the core's to the hub): every hook asks
  // again at once, so the figures turn stale (the core's kept answers) or fresh without waiting
  const [wake, setWake] = useState(0);
  const seen = useRef({ coreUp, link });
  useEffect(() => {
    const was = seen.current;
    if (coreUp !== was.coreUp || (link === 'online') !== (was.link === 'online')) setWake((w) => w + 1);
    seen.current = { coreUp, link };
  }, [coreUp, link]);

  const { state } = useWallScreenState(client, wake);
  const ws = state ?? DEFAULT_WALL_SCREEN;
  const shape = screenShape(ws.layout, vp.w, vp.h);
  const arr = useMemo(() => arrange(shape, ws.panels), [shape, ws.panels]);

  const stats = useWallStats(client, signedIn, wake);
  const ticker = useTicker(client, signedIn, wake);
  const cams = useCameras(client);
  const focus = useFocusDetail(client, ws.focus?.eventId ?? null, wake);
  const people = usePeople(client, signedIn, wake);

  const catName = useMemo(() => categoryNamer(props.reference?.categories ?? [], categoryName), [props.reference]);
  const towns = useMemo(() => new Map((props.reference?.orgUnits ?? []).filter((o) => o.level === 'subcenter').map((o) => [o.id, o])), [props.reference]);
  const peopleNames = useMemo(() => new Map(people.people.map((p) => [p.id, p.name])), [people]);

  const focusEvent = focus.detail?.row.event ?? null;
  const focusPos = focusEvent?.position ?? null;
  const focusCamera = useMemo(() => (focusPos ? nearestCamera(focusPos, cams.cameras) : null), [focusPos, cams.cameras]);
  const focusCam = focusCamera ? { cameraId: focusCamera.id, distanceM: focusCamera.distanceM } : null;

  const ctx = { u };
  const panel = (id: SidePanel): ReactNode => {
    switch (id) {
      case 'intake':
        return <IntakePanel answer={stats.today} ctx={ctx} />;
      case 'sources':
        return <SourcesPanel answer={stats.today} ctx={ctx} />;
      case 'categories':
        return <CategoriesPanel answer={stats.today} ctx={ctx} categoryName={catName} top={5} />;
      case 'open':
        return <OpenPanel answer={stats.today} ctx={ctx} />;
      case 'rates':
        return <RatesPanel answer={stats.month} />;
      case 'endedBy':
        return <EndedByPanel answer={stats.month} />;
      case 'duty':
        return <DutyPanel answer={stats.today} />;
      case 'overdue':
        return <OverduePanel answer={stats.overdue} hubNow={stats.hubNow} count={stats.today.data?.overdue ?? null} categoryName={catName} towns={towns} people={peopleNames} ctx={ctx} />;
    }
  };
  const column = (ids: SidePanel[], key: string) => (
    <div className="ws-col" key={key}>
      {ids.map((id) => (
        <div key={id} className="ws-slot" style={{ flexGrow: PANEL_WEIGHT[id] ?? 1 }}>
          {panel(id)}
        </div>
      ))}
    </div>
  );

  const focusCard = ws.focus && (
    <aside className="ws-focus" data-testid="wall-focus" data-event={ws.focus.eventId}>
      <header>
        <span className="ws-focus-tag">{t('ws.focus')}</span>
        {focusEvent && <span className={`ws-tierchip ws-tier-${focusEvent.tier}`}>{tierName(focusEvent.tier)}</span>}
        <h3 className="ws-ellipsis">{focusEvent ? catName(focusEvent.categoryId) : ws.focus.eventId}</h3>
        {focusEvent && <span className="ws-state">{stateName(focusEvent.state)}</span>}
      </header>
      {focusEvent && focus.detail ? (
        <>
          <p className="ws-ellipsis ws-focus-place">{placeName(focus.detail.row)}</p>
          {focusEvent.description && <p className="ws-focus-desc">{focusEvent.description}</p>}
          <p className="ws-ellipsis ws-muted">
            {sourceName(focusEvent.source)} · {t('ws.reportedAt')} {formatTime(focusEvent.reportedAt)}
            {focusEvent.deadline !== undefined && (
              <span className={focus.detail.row.overdue ? 'ws-bad' : ''}>
                {' '}
                · {t('ws.deadline')} {formatTime(focusEvent.deadline)}
              </span>
            )}
            {focus.detail.row.assigneeName && (
              <>
                {' '}
                · {t('ws.assignee')} {focus.detail.row.assigneeName}
              </>
            )}
          </p>
          <p className="ws-ellipsis ws-muted">
            {ws.focus.by && (
              <>
                {t('ws.focusBy')} {ws.focus.by} {hhmm(ws.focus.at)} ·{' '}
              </>
            )}
            {focusCamera ? `${t('ws.focusCamera')} ${cams.byId.get(focusCamera.id)?.name ?? focusCamera.id}` : t('ws.noCamera')}
          </p>
        </>
      ) : (
        <p className="ws-muted">{focus.error ?? t('ws.focusMissing')}</p>
      )}
    </aside>
  );

  const map = (
    <WallMap client={client} orgUnits={props.reference?.orgUnits ?? []} people={people} cameras={cams.cameras} focus={focusPos} wake={wake} u={u} overlay={focusCard} />
  );
  const tiles = (
    <WallTiles
      client={client}
      count={arr.tiles}
      cameras={cams.cameras}
      byId={cams.byId}
      camerasError={cams.error}
      camerasLoaded={cams.loaded}
      setting={ws.cameras}
      focus={focusCam}
      arrangement={shape === 'wide' ? 'block' : 'row'}
    />
  );

  // the grid's columns, left to right
  const cols: { key: string; fr: number; node: ReactNode }[] = [];
  if (shape === 'wide') {
    cols.push({ key: 'tiles', fr: 27, node: <div className="ws-col ws-col-tiles" key="tiles">{tiles}</div> });
    cols.push({ key: 'map', fr: arr.columns.length === 0 ? 73 : arr.columns.length === 1 ? 53 : 33, node: <div className="ws-col ws-col-map" key="map">{map}</div> });
    arr.columns.forEach((c, i) => cols.push({ key: `c${i}`, fr: 20, node: column(c, `c${i}`) }));
  } else {
    const center = (
      <div className="ws-center" key="center">
        {map}
        {tiles}
      </div>
    );
    arr.columns.forEach((c, i) => {
      if (i === arr.leftColumns) cols.push({ key: 'center', fr: 2, node: center });
      cols.push({ key: `c${i}`, fr: 1, node: column(c, `c${i}`) });
    });
    if (arr.columns.length <= arr.leftColumns) cols.push({ key: 'center', fr: 2, node: center });
  }

  const coreLost = !coreUp;
  const hubLost = coreUp && signedIn && link !== 'online';
  return (
    <div
      className={`ws ws-${shape}${arr.ticker ? ' has-ticker' : ''}`}
      data-testid="wall-screen"
      data-shape={shape}
      data-link={coreLost ? 'core-lost' : hubLost ? 'hub-lost' : signedIn ? 'online' : 'signed-out'}
      data-rev={ws.rev}
    >
      <header className="ws-head">
        <div className="ws-title">
          <h1>{t('app.title')}</h1>
          <span className="ws-subtitle">{t('ws.subtitle')}</span>
        </div>
        <span className={`ws-link ws-link-${coreLost || hubLost ? 'lost' : 'ok'}`} data-testid="wall-link">
          <i className="ws-dot" />
          {coreLost || hubLost ? t('ws.linkLost') : t('ws.live')}
        </span>
        <Clock />
      </header>
      {(coreLost || hubLost) && (
        <div className="ws-banner" role="alert" data-testid="wall-banner">
          {coreLost ? t('ws.coreLost') : `${t('ws.hubLost')}${session?.linkSince ? ` · ${t('ws.since')} ${hhmm(session.linkSince)}` : ''}`}
        </div>
      )}
      {!signedIn && session && !coreLost ? (
        <main className="ws-signed-out" data-testid="wall-signed-out">
          <p>{t('ws.signedOut')}</p>
          {props.login}
        </main>
      ) : (
        <main className="ws-body" style={{ gridTemplateColumns: cols.map((c) => `minmax(0, ${c.fr}fr)`).join(' ') }}>
          {cols.map((c) => c.node)}
        </main>
      )}
      {arr.ticker && signedIn && (
        <footer className="ws-foot">
          <TickerPanel items={ticker.items} loaded={ticker.loaded} error={ticker.error} perPage={shape === 'wide' ? 5 : 3} categoryName={catName} />
        </footer>
      )}
    </div>
  );
}
