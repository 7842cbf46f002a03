/**
 * The event detail's small map: the event's grid outline(s) and its point over the configured
 * basemap (MapLibre, read-only). One map serves every event the operator opens: Chromium allows
 * only a handful of WebGL contexts per page, and the detail comes and goes (it empties while the
 * next event loads), so the map lives in a module-level element that each mounted detail borrows,
 * and moving to another event only replaces the two sources' data and jumps the camera.
 * Without WebGL (or without a basemap) the SVG MiniMap stands in.
 */
import { useEffect, useLayoutEffect, useState, useSyncExternalStore } from 'react';
import type * as GeoJSON from 'geojson';
import type { GeoJSONSource, Map as MlMap } from 'maplibre-gl';
import { fromBasemap, geometryToBasemap, lngLatToBasemap, type CoordSystem } from '../../shared/coords';
import type { LngLat, Tier } from '../../shared/schema';
import { createCoreClient, type CoreClient } from '../core-client';
import { setupMaplibre } from '../map/maplibre';
import { TIER_COLOR } from '../map/overlays';
import { baseStyle, FONT } from '../map/style';
import { MiniMap, type MapShape } from './MiniMap';

/** What a test reads of the small map: the map's own state. */
export interface DetailMapTestHook {
  map: MlMap;
  /** maps created in this page (one, however many events were opened) */
  created: number;
  /** the drawn point, in WGS-84 */
  point(): LngLat | null;
  /** features drawn now in the point layer */
  renderedPoints(): number;
}
declare global {
  interface Window {
    __detailMap?: DetailMapTestHook;
  }
}

type Phase = 'new' | 'starting' | 'ready' | 'failed';

const POINT_LAYER = 'detail-point';

const shared = {
  phase: 'new' as Phase,
  host: null as HTMLDivElement | null,
  map: null as MlMap | null,
  crs: 'wgs84' as CoordSystem,
  created: 0,
  client: null as CoreClient | null,
  listeners: new Set<() => void>(),
};

function setPhase(p: Phase): void {
  shared.phase = p;
  for (const l of shared.listeners) l();
}
const subscribe = (l: () => void) => {
  shared.listeners.add(l);
  return () => void shared.listeners.delete(l);
};
const getPhase = () => shared.phase;

function hostElement(): HTMLDivElement {
  if (!shared.host) {
    shared.host = document.createElement('div');
    shared.host.className = 'detail-map-gl';
  }
  return shared.host;
}

/** Whether this page can have a WebGL context at all (asked of a throwaway canvas). */
function hasWebGL(): boolean {
  try {
    const canvas = document.createElement('canvas');
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return false;
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return true;
  } catch {
    return false;
  }
}

const EMPTY: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: [] };

/** Creates the page's one small map (once); a failure anywhere leaves the SVG fallback. */
function start(): void {
  if (shared.phase !== 'new') return;
  if (!hasWebGL()) return setPhase('failed');
  setPhase('starting');
  const fail = (err: unknown) => {
    console.warn('detail map:', (err as Error)?.message ?? String(err));
    shared.map?.remove();
    shared.map = null;
    setPhase('failed');
  };
  shared.client ??= createCoreClient();
  shared.client
    .call('mapConfig', {})
    .then(async (config) => {
      const style = await baseStyle(config, location.origin);
      const maplibregl = setupMaplibre();
      shared.crs = config.coords ?? 'wgs84';
      const b = config.bounds;
      const map = new maplibregl.Map({
        container: hostElement(),
        style,
        ...(b ? { bounds: [b[0], b[1], b[2], b[3]] as [number, number, number, number] } : { center: [121, 32], zoom: 10 }),
        attributionControl: { compact: true },
        // read-only: the detail panel scrolls over it, nothing to drag
        interactive: false,
        minZoom: 7,
        maxZoom: 19,
        fadeDuration: 0,
      });
      shared.map = map;
      shared.created++;
      map.on('error', (e) => console.warn('detail map:', (e.error as Error | undefined)?.message ?? 'map error'));
      map.once('load', () => {
        map.addSource('detail-grids', { type: 'geojson', data: EMPTY });
        map.addSource('detail-point', { type: 'geojson', data: EMPTY });
        map.addLayer({ id: 'detail-grid-fill', type: 'fill', source: 'detail-grids', paint: { 'fill-color': '#3ea6ff', 'fill-opacity': 0.12 } });
        map.addLayer({
          id: 'detail-grid-line',
          type: 'line',
          source: 'detail-grids',
          paint: { 'line-color': ['match', ['get', 'kind'], 'comprehensive', '#5b8fd0', '#f5b041'], 'line-width': 1.6 },
        });
        map.addLayer({
          id: 'detail-grid-label',
          type: 'symbol',
          source: 'detail-grids',
          layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 11 },
          paint: { 'text-color': '#b7c7dc', 'text-halo-color': '#0c1523', 'text-halo-width': 1.2 },
        });
        map.addLayer({ id: 'detail-point-halo', type: 'circle', source: 'detail-point', paint: { 'circle-radius': 12, 'circle-color': ['get', 'color'], 'circle-opacity': 0.25 } });
        map.addLayer({ id: POINT_LAYER, type: 'circle', source: 'detail-point', paint: { 'circle-radius': 6, 'circle-color': ['get', 'color'], 'circle-stroke-color': '#111827', 'circle-stroke-width': 1.5 } });
        window.__detailMap = {
          map,
          get created() {
            return shared.created;
          },
          point: () => {
            const data = (map.getSource('detail-point') as GeoJSONSource | undefined)?.serialize().data as GeoJSON.FeatureCollection | undefined;
            const c = (data?.features?.[0]?.geometry as GeoJSON.Point | undefined)?.coordinates;
            if (!c) return null;
            const [lng, lat] = fromBasemap([c[0]!, c[1]!], shared.crs);
            return { lng, lat };
          },
          renderedPoints: () => map.queryRenderedFeatures({ layers: [POINT_LAYER] }).length,
        };
        setPhase('ready');
      });
    })
    .catch(fail);
}

export function DetailMap(props: { eventId: string; tier: Tier; point: LngLat; shapes: readonly MapShape[]; label: string }) {
  const [slot, setSlot] = useState<HTMLDivElement | null>(null);
  const phase = useSyncExternalStore(subscribe, getPhase);
  const failed = phase === 'failed';
  const [drawn, setDrawn] = useState<string | null>(null);

  // borrow the page's map element while mounted
  useLayoutEffect(() => {
    if (failed || !slot) return;
    const host = hostElement();
    slot.appendChild(host);
    shared.map?.resize();
    start();
    return () => {
      if (host.parentNode === slot) slot.removeChild(host);
    };
  }, [failed, slot]);

  const { eventId, tier, point, shapes } = props;
  const shapesKey = shapes.map((s) => s.id).join(',');
  useEffect(() => {
    const map = shared.map;
    if (phase !== 'ready' || !map) return;
    const crs = shared.crs;
    const grids = shapes.map((s) => ({ type: 'Feature', properties: { id: s.id, name: s.name, kind: s.kind }, geometry: geometryToBasemap(s.polygon, crs) }) as GeoJSON.Feature);
    const p = lngLatToBasemap(point, crs);
    (map.getSource('detail-grids') as GeoJSONSource).setData({ type: 'FeatureCollection', features: grids });
    (map.getSource('detail-point') as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { id: eventId, color: TIER_COLOR[tier] ?? TIER_COLOR.general }, geometry: { type: 'Point', coordinates: [p.lng, p.lat] } }],
    });
    map.resize();
    let w = p.lng, s = p.lat, e = p.lng, n = p.lat;
    for (const g of grids)
      for (const [x, y] of ((g.geometry as GeoJSON.Polygon).coordinates[0] ?? []) as [number, number][]) (w = Math.min(w, x), (s = Math.min(s, y)), (e = Math.max(e, x)), (n = Math.max(n, y)));
    if (e - w < 1e-5 && n - s < 1e-5) map.jumpTo({ center: [p.lng, p.lat], zoom: 15 });
    else map.fitBounds([w, s, e, n], { padding: 20, maxZoom: 16, duration: 0 });
    let live = true;
    const done = () => live && setDrawn(eventId);
    map.once('idle', done);
    map.triggerRepaint();
    return () => {
      live = false;
      map.off('idle', done);
    };
    // shapes are a new array each render: their ids say whether they changed
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [phase, eventId, tier, point.lng, point.lat, shapesKey]);

  if (failed) return shapes.length > 0 ? <MiniMap shapes={shapes} point={point} label={props.label} width={260} testId="event-map" /> : <p className="muted">—</p>;
  return <div ref={setSlot} className="detail-map" role="img" aria-label={props.label} data-testid="event-map" data-event={eventId} data-ready={phase === 'ready' && drawn === eventId ? 'true' : 'false'} />;
}
