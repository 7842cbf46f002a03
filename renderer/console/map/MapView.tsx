/**
 * The console's map (指挥一张图): the district's places, grids, people, events and cameras in
 * layers over an offline basemap. Click a grid, a person, an event or a camera for its panel; pick
 * the spot of a phoned-in event; dispatch from an event marker with the candidates drawn as lines.
 * Everything comes from the console core (its cache; the track and patrol coverage from the hub).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type * as GeoJSON from 'geojson';
import type { GeoJSONSource, Map as MlMap, MapMouseEvent } from 'maplibre-gl';
import { fromBasemap, lngLatToBasemap } from '../../../shared/coords';
import type { Camera, Command, EventRecord, Grid, LngLat, OrgUnit, Tier } from '../../../shared/schema';
import type { EventDetail } from '../../../shared/schema/console';
import type { BasemapInput, GridInfo, MapConfig, MapEventPoint, MapPerson, PersonInfo } from '../../../shared/schema/map';
import { allowedCommands, type Actor } from '../../../shared/workflow';
import { errorMessage, type CoreClient } from '../../core-client';
import { t, useLang, type MessageKey } from '../../i18n';
import { MapCanvas } from '../../map/MapCanvas';
import { movingRatio } from '../../map/software';
import { useOverlayData } from '../../map/useOverlayData';
import {
  camerasData,
  candidateLines,
  CLICKABLE,
  DEFAULT_VISIBLE,
  EMPTY,
  eventsData,
  gridsData,
  groupVisible,
  LAYER_GROUPS,
  peopleData,
  selectGrid,
  setGroupVisible,
  trackData,
  type LayerGroup,
} from '../../map/overlays';
import { CallForm } from '../CallForm';
import { BasemapSettings, CameraPanel, EventPanel, GridPanel, HEAT_PERIOD_MS, LayerPanel, PersonPanel, type HeatPeriod } from './panels';
import './map.css';

const k = (s: string) => s as MessageKey;
const PEOPLE_POLL_MS = 5_000;
const EVENTS_THROTTLE_MS = 1_500;
const PLAY_STEP_MS = 400;

type Selection = { kind: 'grid'; id: string } | { kind: 'person'; id: string } | { kind: 'event'; id: string } | { kind: 'camera'; camera: Camera } | null;

/** What a test or a benchmark reads of the map: the map's own state, never the page's. */
export interface MapTestHook {
  map: MlMap;
  config: MapConfig;
  groupVisible(g: LayerGroup): boolean;
  /** features drawn now in these layers */
  rendered(layers: readonly string[]): number;
  /** a WGS-84 position as page (CSS pixel) coordinates, for a click */
  pagePoint(p: LngLat): { x: number; y: number };
  /** the track cursor's position (WGS-84), if a track is shown */
  trackCursor(): LngLat | null;
  /** counts of the last data handed to each source */
  counts: Record<string, number>;
  /** the share of the device's pixel ratio the map draws at while moving (software WebGL: learned per page) */
  movingRatio(): number;
}
declare global {
  interface Window {
    __gridMap?: MapTestHook;
  }
}

const hhmm = new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false });

export function MapView(props: {
  client: CoreClient;
  actor: Actor;
  orgUnits: readonly OrgUnit[];
  onSend: (c: Command) => Promise<string | null>;
  onDispatch: (event: EventRecord, assigneeId: string) => Promise<void>;
  onOpenEvent: (eventId: string) => void;
  onToast: (kind: 'ok' | 'bad' | 'info', text: string) => void;
  /** hands a camera to the video wall, when the console has one */
  onOpenCamera?: (cameraId: string) => void;
}) {
  useLang();
  const { client } = props;
  const [config, setConfig] = useState<MapConfig | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const [map, setMap] = useState<MlMap | null>(null);
  const [visible, setVisible] = useState(DEFAULT_VISIBLE);
  const [tiers, setTiers] = useState<Set<Tier>>(() => new Set(['general', 'escalated', 'special']));
  const [domain, setDomain] = useState('');
  const [heatPeriod, setHeatPeriod] = useState<HeatPeriod>('7d');
  const [heatCategory, setHeatCategory] = useState('');
  const [grids, setGrids] = useState<Grid[]>([]);
  const [cameras, setCameras] = useState<Camera[]>([]);
  const [people, setPeople] = useState<{ people: MapPerson[]; now: number }>({ people: [], now: Date.now() });
  const [events, setEvents] = useState<MapEventPoint[]>([]);
  const [heat, setHeat] = useState<MapEventPoint[]>([]);
  const [sel, setSel] = useState<Selection>(null);
  const [gridInfo, setGridInfo] = useState<GridInfo | null>(null);
  const [personInfo, setPersonInfo] = useState<PersonInfo | null>(null);
  const [detail, setDetail] = useState<EventDetail | null>(null);
  const [loading, setLoading] = useState(false);
  const [hours, setHours] = useState(4);
  const [cursor, setCursor] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [picking, setPicking] = useState(false);
  const [callSpot, setCallSpot] = useState<LngLat | null>(null);
  const [settings, setSettings] = useState(false);
  const [busy, setBusy] = useState(false);
  const crs = config?.coords ?? 'wgs84';
  const counts = useRef<Record<string, number>>({});

  /* ---------- data from the core ---------- */
  useEffect(() => {
    let live = true;
    client.call('mapConfig', {}).then(
      (c) => live && setConfig(c),
      (err: unknown) => live && setConfigError(errorMessage(err)),
    );
    client.call('mapGrids', {}).then((r) => live && setGrids(r.grids), () => {});
    client.call('reference', {}).then((r) => live && setCameras(r.cameras), () => {});
    return () => {
      live = false;
    };
  }, [client]);

  useEffect(() => {
    let live = true;
    const load = () => client.call('mapPeople', {}).then((r) => live && setPeople(r), () => {});
    load();
    const h = setInterval(load, PEOPLE_POLL_MS);
    return () => {
      live = false;
      clearInterval(h);
    };
  }, [client]);

  const selRef = useRef<Selection>(null);
  selRef.current = sel;
  const loadEvents = useCallback(() => client.call('mapEvents', { query: { scope: 'open', limit: 50_000 } }).then((r) => setEvents(r.events), () => {}), [client]);
  const reloadSelection = useRef<() => void>(() => {});
  useEffect(() => {
    void loadEvents();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = client.onNotice((n) => {
      if (n.type !== 'changed') return;
      if (n.eventIds.length === 0 && grids.length > 0) return;
      if (!timer)
        timer = setTimeout(() => {
          timer = undefined;
          void loadEvents();
        }, EVENTS_THROTTLE_MS);
      const s = selRef.current;
      if (s?.kind === 'event' && n.eventIds.includes(s.id)) reloadSelection.current();
      if (grids.length === 0) client.call('mapGrids', {}).then((r) => setGrids(r.grids), () => {});
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [client, loadEvents, grids.length]);

  useEffect(() => {
    if (!visible.heat) return;
    const to = Date.now();
    client
      .call('mapEvents', { query: { scope: 'period', from: to - HEAT_PERIOD_MS[heatPeriod], to, limit: 100_000, ...(heatCategory ? { categoryId: heatCategory } : {}) } })
      .then((r) => setHeat(r.events), (err: unknown) => props.onToast('bad', errorMessage(err)));
  }, [client, visible.heat, heatPeriod, heatCategory, events.length]); // eslint-disable-line react-hooks/exhaustive-deps

  /* ---------- the layers' data into the map ---------- */
  const put = useOverlayData(map, counts, props.orgUnits, crs);
  useEffect(() => put('grids', gridsData(grids, crs, domain ? new Set([domain]) : undefined)), [put, grids, crs, domain]);
  useEffect(() => put('people', peopleData(people.people, people.now, crs)), [put, people, crs]);
  useEffect(() => put('events', eventsData(events, crs, tiers)), [put, events, crs, tiers]);
  useEffect(() => put('heat', eventsData(heat, crs)), [put, heat, crs]);
  useEffect(() => put('cameras', camerasData(cameras, crs)), [put, cameras, crs]);
  useEffect(() => {
    if (!map) return;
    for (const g of LAYER_GROUPS) setGroupVisible(map, g, visible[g]);
  }, [map, visible]);

  /* ---------- selection ---------- */
  const peopleById = useMemo(() => new Map(people.people.map((p) => [p.id, p])), [people]);
  const load = useCallback(
    (s: Selection) => {
      setGridInfo(null);
      setPersonInfo(null);
      setDetail(null);
      setPlaying(false);
      if (!s || s.kind === 'camera') return;
      setLoading(true);
      const done = () => setLoading(false);
      const failed = (err: unknown) => {
        done();
        props.onToast('bad', errorMessage(err));
      };
      if (s.kind === 'grid') client.call('gridInfo', { gridId: s.id }).then((i) => (selRef.current === s && setGridInfo(i), done()), failed);
      if (s.kind === 'person')
        client.call('personInfo', { personId: s.id, hours }).then((i) => {
          if (selRef.current !== s) return;
          setPersonInfo(i);
          setCursor(Math.max(0, (i.track?.points.length ?? 1) - 1));
          done();
        }, failed);
      if (s.kind === 'event') client.call('event', { eventId: s.id }).then((d) => (selRef.current === s && setDetail(d), done()), failed);
    },
    [client, hours], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const select = useCallback(
    (s: Selection) => {
      selRef.current = s;
      setSel(s);
      load(s);
    },
    [load],
  );
  reloadSelection.current = () => {
    const s = selRef.current;
    if (s?.kind === 'event') client.call('event', { eventId: s.id }).then((d) => selRef.current === s && setDetail(d), () => {});
  };
  // a new period of track
  useEffect(() => {
    const s = selRef.current;
    if (s?.kind === 'person') load(s);
  }, [hours]); // eslint-disable-line react-hooks/exhaustive-deps

  // the selected grid stands out
  useEffect(() => {
    if (map) selectGrid(map, sel?.kind === 'grid' ? sel.id : null);
  }, [map, sel]);

  // the track and its cursor
  const points = personInfo?.track?.points ?? [];
  useEffect(() => {
    if (!map) return;
    const d = trackData(points, crs, (at) => hhmm.format(at));
    put('track-line', d.line);
    put('track-marks', d.marks);
  }, [map, personInfo, crs]); // eslint-disable-line react-hooks/exhaustive-deps
  const cursorPoint = points[Math.min(cursor, points.length - 1)];
  useEffect(() => {
    if (!map) return;
    if (!cursorPoint) return put('track-cursor', EMPTY);
    const q = lngLatToBasemap(cursorPoint, crs);
    put('track-cursor', { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { at: cursorPoint.at }, geometry: { type: 'Point', coordinates: [q.lng, q.lat] } }] });
  }, [map, cursorPoint, crs, put]);
  useEffect(() => {
    if (!playing) return;
    const h = setInterval(() => {
      setCursor((c) => {
        if (c >= points.length - 1) {
          setPlaying(false);
          return c;
        }
        return c + 1;
      });
    }, PLAY_STEP_MS);
    return () => clearInterval(h);
  }, [playing, points.length]);
  // fit the track when one arrives
  useEffect(() => {
    if (!map || points.length < 2) return;
    let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
    for (const p of points) {
      const q = lngLatToBasemap(p, crs);
      w = Math.min(w, q.lng), s = Math.min(s, q.lat), e = Math.max(e, q.lng), n = Math.max(n, q.lat);
    }
    map.fitBounds([w, s, e, n], { padding: 80, maxZoom: 16, duration: 0 });
  }, [map, personInfo]); // eslint-disable-line react-hooks/exhaustive-deps

  // dispatch lines: from each candidate's last fix to the event
  useEffect(() => {
    if (!map) return;
    if (!detail) return put('dispatch-lines', EMPTY);
    const cands = detail.candidates.map((c) => {
      const pos = peopleById.get(c.person.id)?.position;
      return { id: c.person.id, name: c.person.name, rank: c.rank, ...(pos ? { position: pos } : {}) };
    });
    put('dispatch-lines', candidateLines(detail.row.event.position, cands, crs));
  }, [map, detail, peopleById, crs, put]);

  /* ---------- clicks ---------- */
  const pickingRef = useRef(false);
  pickingRef.current = picking;
  const onClick = useRef<(e: MapMouseEvent) => void>(() => {});
  onClick.current = (e: MapMouseEvent) => {
    if (!map) return;
    if (pickingRef.current) {
      const [lng, lat] = fromBasemap([e.lngLat.lng, e.lngLat.lat], crs);
      const spot = { lng: Math.round(lng * 1e7) / 1e7, lat: Math.round(lat * 1e7) / 1e7 };
      setPicking(false);
      const q = lngLatToBasemap(spot, crs);
      put('pick', { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [q.lng, q.lat] } }] });
      setCallSpot(spot);
      return;
    }
    const layers = CLICKABLE.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
    const f = map.queryRenderedFeatures(e.point, { layers: [...layers] })[0];
    if (!f) return select(null);
    const id = String(f.properties?.id ?? '');
    switch (f.layer.id) {
      case 'people-circle':
        return select({ kind: 'person', id });
      case 'event-points':
        return select({ kind: 'event', id });
      case 'event-clusters': {
        const src = map.getSource('events') as GeoJSONSource;
        void src.getClusterExpansionZoom(Number(f.properties?.cluster_id)).then((z) => map.easeTo({ center: (f.geometry as GeoJSON.Point).coordinates as [number, number], zoom: z }));
        return;
      }
      case 'camera-points': {
        const c = cameras.find((x) => x.id === id);
        return select(c ? { kind: 'camera', camera: c } : null);
      }
      default:
        return select({ kind: 'grid', id });
    }
  };

  const onReady = useCallback((m: MlMap) => {
    const click = (e: MapMouseEvent) => onClick.current(e);
    m.on('click', click);
    const hover = () => (m.getCanvas().style.cursor = pickingRef.current ? 'crosshair' : '');
    m.on('mousemove', hover);
    setMap(m);
    return () => {
      m.off('click', click);
      m.off('mousemove', hover);
      setMap(null);
    };
  }, []);

  // Esc leaves pick mode
  useEffect(() => {
    if (!picking) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setPicking(false);
    window.addEventListener('keydown', onKey);
    if (map) map.getCanvas().style.cursor = 'crosshair';
    return () => {
      window.removeEventListener('keydown', onKey);
      if (map) map.getCanvas().style.cursor = '';
    };
  }, [picking, map]);

  /* ---------- the test hook ---------- */
  useEffect(() => {
    if (!map || !config) return;
    const hook: MapTestHook = {
      map,
      config,
      counts: counts.current,
      movingRatio,
      groupVisible: (g) => groupVisible(map, g),
      rendered: (layers) => map.queryRenderedFeatures({ layers: layers.filter((l) => map.getLayer(l)) as string[] }).length,
      pagePoint: (p) => {
        const q = lngLatToBasemap(p, config.coords);
        const pt = map.project([q.lng, q.lat]);
        const r = map.getCanvas().getBoundingClientRect();
        return { x: r.left + pt.x, y: r.top + pt.y };
      },
      trackCursor: () => {
        const f = (map.getSource('track-cursor') as GeoJSONSource | undefined)?.serialize().data as GeoJSON.FeatureCollection | undefined;
        const c = (f?.features?.[0]?.geometry as GeoJSON.Point | undefined)?.coordinates;
        if (!c) return null;
        const [lng, lat] = fromBasemap([c[0]!, c[1]!], config.coords);
        return { lng, lat };
      },
    };
    window.__gridMap = hook;
    return () => {
      if (window.__gridMap === hook) delete window.__gridMap;
    };
  }, [map, config]);

  /* ---------- actions ---------- */
  const ev = detail?.row.event;
  const canDispatch = ev ? allowedCommands(ev, props.actor).some((c) => c === 'dispatch' || c === 'accept') : false;
  const dispatch = async (assigneeId: string) => {
    if (!ev) return;
    setBusy(true);
    try {
      await props.onDispatch(ev, assigneeId);
      reloadSelection.current();
    } finally {
      setBusy(false);
    }
  };
  const saveBasemap = async (b: BasemapInput): Promise<string | null> => {
    try {
      await client.call('setBasemap', { basemap: b as never });
      props.onToast('ok', t(k('map.settings.saved')));
      // the page's CSP (a new tile service's origin) comes with the next load of the page
      setTimeout(() => location.reload(), 300);
      return null;
    } catch (err) {
      return errorMessage(err);
    }
  };

  const layerCounts: Partial<Record<LayerGroup, number>> = {
    comprehensive: grids.filter((g) => g.kind === 'comprehensive').length,
    dedicated: grids.filter((g) => g.kind === 'dedicated').length,
    dynamic: grids.filter((g) => g.kind === 'dynamic').length,
    people: people.people.filter((p) => p.position).length,
    events: events.length,
    cameras: cameras.length,
    heat: heat.length,
  };

  return (
    <main className="content map-view" data-testid="map-view" data-ready={map ? 'true' : 'false'}>
      <div className="map-side">
        <div className="map-tools">
          <button type="button" className={picking ? 'action primary' : 'action'} onClick={() => setPicking((p) => !p)} data-testid="map-pick">
            {t(k('map.pick'))}
          </button>
          <button type="button" className="ghost" onClick={() => setSettings((s) => !s)} data-testid="map-basemap">
            {t(k('map.basemap'))}
          </button>
        </div>
        {picking && <p className="map-hint">{t(k('map.pickHint'))}</p>}
        <LayerPanel
          visible={visible}
          onToggle={(g, on) => setVisible((v) => ({ ...v, [g]: on }))}
          tiers={tiers}
          onTiers={setTiers}
          domain={domain}
          onDomain={setDomain}
          heatPeriod={heatPeriod}
          onHeatPeriod={setHeatPeriod}
          heatCategory={heatCategory}
          onHeatCategory={setHeatCategory}
          counts={layerCounts}
        />
      </div>
      <div className="map-main">
        {config ? (
          <MapCanvas config={config} onReady={onReady} testId="map-canvas" onError={(m) => console.warn('map error', m)} />
        ) : (
          <p className="muted map-loading">{configError ?? t(k('map.loading'))}</p>
        )}
      </div>
      {settings && config && <BasemapSettings config={config} onSave={saveBasemap} onClose={() => setSettings(false)} />}
      {!settings && sel?.kind === 'grid' && (
        <GridPanel info={gridInfo} loading={loading} onClose={() => select(null)} onEvent={(id) => select({ kind: 'event', id })} onPerson={(id) => select({ kind: 'person', id })} />
      )}
      {!settings && sel?.kind === 'person' && (
        <PersonPanel
          info={personInfo}
          loading={loading}
          now={people.now}
          hours={hours}
          onHours={setHours}
          cursor={cursor}
          onCursor={(i) => (setPlaying(false), setCursor(i))}
          playing={playing}
          onPlay={(on) => {
            if (on && cursor >= points.length - 1) setCursor(0);
            setPlaying(on);
          }}
          onClose={() => select(null)}
          onEvent={(id) => select({ kind: 'event', id })}
        />
      )}
      {!settings && sel?.kind === 'event' && (
        <EventPanel detail={detail} loading={loading} busy={busy} canDispatch={canDispatch} onDispatch={(id) => void dispatch(id)} onOpen={() => props.onOpenEvent(sel.id)} onClose={() => select(null)} />
      )}
      {!settings && sel?.kind === 'camera' && <CameraPanel camera={sel.camera} {...(props.onOpenCamera ? { onOpenWall: props.onOpenCamera } : {})} onClose={() => select(null)} />}
      {callSpot && (
        <CallForm
          orgUnits={props.orgUnits}
          initialSpot={callSpot}
          onSend={props.onSend}
          onClose={() => {
            setCallSpot(null);
            put('pick', EMPTY);
          }}
          onSent={(id) => {
            props.onToast('ok', `${t('call.sent')} ${id}`);
            select({ kind: 'event', id });
            void loadEvents();
          }}
        />
      )}
    </main>
  );
}
