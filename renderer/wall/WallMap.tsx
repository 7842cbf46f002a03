/**
 * The wall's map (指挥一张图, read-only): the district's towns, communities and grids, the open
 * events by tier, the grid staff by status and the cameras, fitted to the district whatever the
 * screen's size. Nothing reacts to a mouse. An event put on the wall is marked and the map centres
 * on it; taken off, the map shows the whole district again.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Map as MlMap } from 'maplibre-gl';
import { lngLatToBasemap } from '../../shared/coords';
import type { Camera, Grid, LngLat, OrgUnit } from '../../shared/schema';
import type { MapConfig, MapEventPoint, MapPerson } from '../../shared/schema/map';
import { errorMessage, type CoreClient } from '../core-client';
import { t, useLang } from '../i18n';
import { MapCanvas } from '../map/MapCanvas';
import { useOverlayData } from '../map/useOverlayData';
import { camerasData, EMPTY, eventsData, gridsData, peopleData, STATUS_COLOR, TIER_COLOR } from '../map/overlays';
import { Panel } from './Panels';

const EVENTS_GAP_MS = 5_000;
/** zoom on an event put on the wall: a few streets around it */
const FOCUS_ZOOM = 14;

declare global {
  interface Window {
    /** what a test or the benchmark reads of the wall's map */
    __gridWallMap?: { map: MlMap; rendered(layers: readonly string[]): number; counts: Record<string, number> };
  }
}

export function WallMap(props: {
  client: CoreClient;
  orgUnits: readonly OrgUnit[];
  people: { people: MapPerson[]; now: number };
  cameras: readonly Camera[];
  focus: LngLat | null;
  /** grows when a link comes back: ask again */
  wake: number;
  /** pixels per 1 % of the screen height (labels follow it) */
  u: number;
  /** drawn over the map (the event put on the wall) */
  overlay?: React.ReactNode;
}) {
  useLang();
  const { client } = props;
  const [config, setConfig] = useState<MapConfig | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const [map, setMap] = useState<MlMap | null>(null);
  const [grids, setGrids] = useState<Grid[]>([]);
  const [events, setEvents] = useState<MapEventPoint[]>([]);
  const counts = useRef<Record<string, number>>({});
  const crs = config?.coords ?? 'wgs84';

  useEffect(() => {
    let live = true;
    client.call('mapConfig', {}).then(
      (c) => {
        if (!live) return;
        setConfig((old) => (old && JSON.stringify(old) === JSON.stringify(c) ? old : c));
        setConfigError(null);
      },
      (err: unknown) => live && setConfigError(errorMessage(err)),
    );
    client.call('mapGrids', {}).then((r) => live && r.grids.length > 0 && setGrids(r.grids), () => {});
    return () => {
      live = false;
    };
  }, [client, props.wake]);

  // open events, asked again when the cache moves (at most every few seconds)
  const gridsLoaded = grids.length > 0;
  const loadEvents = useCallback(() => client.call('mapEvents', { query: { scope: 'open', limit: 50_000 } }).then((r) => setEvents(r.events), () => {}), [client]);
  useEffect(() => {
    void loadEvents();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = client.onNotice((n) => {
      if (n.type !== 'changed' || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        void loadEvents();
        if (!gridsLoaded) client.call('mapGrids', {}).then((r) => r.grids.length > 0 && setGrids(r.grids), () => {});
      }, EVENTS_GAP_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [client, loadEvents, gridsLoaded, props.wake]);

  const put = useOverlayData(map, counts, props.orgUnits, crs);
  useEffect(() => put('grids', gridsData(grids, crs)), [put, grids, crs]);
  useEffect(() => put('events', eventsData(events, crs)), [put, events, crs]);
  useEffect(() => put('people', peopleData(props.people.people, props.people.now, crs)), [put, props.people, crs]);
  useEffect(() => put('cameras', camerasData(props.cameras, crs)), [put, props.cameras, crs]);

  // the whole district, or the event put on the wall; again whenever the screen changes size
  const bounds = config?.bounds;
  const focus = props.focus;
  const frame = useCallback(() => {
    if (!map) return;
    if (focus) {
      const p = lngLatToBasemap(focus, crs);
      map.jumpTo({ center: [p.lng, p.lat], zoom: FOCUS_ZOOM });
    } else if (bounds) {
      map.fitBounds([bounds[0], bounds[1], bounds[2], bounds[3]], { padding: Math.round(props.u * 2), animate: false });
    }
  }, [map, focus, bounds, crs, props.u]);
  useEffect(() => {
    frame();
    put('pick', focus ? { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: (({ lng, lat }) => [lng, lat])(lngLatToBasemap(focus, crs)) } }] } : EMPTY);
  }, [frame, put, focus, crs]);
  useEffect(() => {
    if (!map) return;
    // after the resize, never inside it: fitting from within MapLibre's own resize event re-enters it without end
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onResize = () => {
      clearTimeout(timer);
      timer = setTimeout(frame, 200);
    };
    map.on('resize', onResize);
    return () => {
      clearTimeout(timer);
      map.off('resize', onResize);
    };
  }, [map, frame]);

  // labels and marks readable from across the room: sized by the screen, not by the map's defaults
  useEffect(() => {
    if (!map) return;
    const u = props.u;
    const size = (layer: string, px: number) => map.getLayer(layer) && map.setLayoutProperty(layer, 'text-size', Math.round(px));
    size('town-label', u * 2);
    size('community-label', u * 1.3);
    size('event-cluster-count', u * 1.4);
    if (map.getLayer('pick')) {
      map.setPaintProperty('pick', 'circle-radius', Math.round(u * 1.2));
      map.setPaintProperty('pick', 'circle-stroke-width', Math.max(2, Math.round(u * 0.35)));
    }
  }, [map, props.u]);

  const onReady = useCallback((m: MlMap) => {
    // a wall is watched, not handled
    for (const h of [m.scrollZoom, m.boxZoom, m.dragRotate, m.dragPan, m.keyboard, m.doubleClickZoom, m.touchZoomRotate]) h.disable();
    for (const layer of ['grid-comp-label', 'people-label', 'camera-label', 'track-labels', 'dispatch-labels']) if (m.getLayer(layer)) m.setLayoutProperty(layer, 'visibility', 'none');
    setMap(m);
    window.__gridWallMap = {
      map: m,
      counts: counts.current,
      rendered: (layers) => m.queryRenderedFeatures({ layers: layers.filter((l) => m.getLayer(l)) as string[] }).length,
    };
    return () => {
      setMap(null);
      if (window.__gridWallMap?.map === m) delete window.__gridWallMap;
    };
  }, []);

  const filled = map !== null && grids.length > 0;
  const meta = { fetchedAt: config ? 0 : null, stale: false, error: configError, loaded: config !== null || configError !== null };
  return (
    <Panel id="map" className="ws-map" title={t('ws.panel.map')} meta={meta} filled={config !== null} drawn={filled} extra={<MapLegend />}>
      {config && <MapCanvas config={config} className="ws-map-canvas" onReady={onReady} onError={(m) => console.warn('wall map:', m)} testId="wall-map" />}
      {props.overlay}
    </Panel>
  );
}

function MapLegend() {
  useLang();
  return (
    <span className="ws-kpi ws-map-legend">
      {(['special', 'escalated', 'general'] as const).map((tier) => (
        <span key={tier} className="ws-tierchip">
          <i className="ws-dot" style={{ background: TIER_COLOR[tier] }} />
          {t(`tier.${tier}`)}
        </span>
      ))}
      <span className="ws-tierchip">
        <i className="ws-dot" style={{ background: STATUS_COLOR.free }} />
        {t('ws.legend.people')}
      </span>
      <span className="ws-tierchip">
        <i className="ws-dot" style={{ background: '#e879f9' }} />
        {t('ws.legend.cameras')}
      </span>
    </span>
  );
}
