/**
 * The map's overlays: the district's places, grids, people, events and cameras, drawn over any
 * basemap. Data comes in WGS-84 (as stored) and is converted into the basemap's coordinate system
 * here (shared/coords.ts), once per update, so every click or pick must be converted back.
 *
 * Layers are grouped into what the operator toggles (LAYER_GROUPS); a group shows or hides by the
 * layers' `visibility`, so a hidden layer costs nothing to draw.
 */
import type * as GeoJSON from 'geojson';
import type { FilterSpecification, GeoJSONSource, LayerSpecification, Map as MlMap } from 'maplibre-gl';
import { geometryToBasemap, lngLatToBasemap, type CoordSystem } from '../../shared/coords';
import type { Camera, Grid, OrgUnit } from '../../shared/schema';
import type { MapEventPoint, MapPerson, TrackPoint } from '../../shared/schema/map';
import { FONT } from './style';

export const LAYER_GROUPS = ['towns', 'communities', 'comprehensive', 'dedicated', 'dynamic', 'people', 'events', 'cameras', 'heat'] as const;
export type LayerGroup = (typeof LAYER_GROUPS)[number];

export const DEFAULT_VISIBLE: Record<LayerGroup, boolean> = {
  towns: true,
  communities: true,
  comprehensive: true,
  dedicated: true,
  dynamic: true,
  people: true,
  events: true,
  cameras: true,
  heat: false,
};

/** Which style layers each group shows or hides. */
export const GROUP_LAYERS: Record<LayerGroup, readonly string[]> = {
  towns: ['town-line', 'town-label'],
  communities: ['community-line', 'community-label'],
  comprehensive: ['grid-comp-fill', 'grid-comp-line', 'grid-comp-label'],
  dedicated: ['grid-ded-fill', 'grid-ded-line', 'grid-ded-label'],
  dynamic: ['grid-dyn-fill', 'grid-dyn-line'],
  people: ['people-halo', 'people-circle', 'people-label'],
  events: ['event-clusters', 'event-cluster-count', 'event-points'],
  cameras: ['camera-points', 'camera-label'],
  heat: ['events-heat'],
};

/** Layers a click can land on, most specific first. */
export const CLICKABLE = ['people-circle', 'event-points', 'event-clusters', 'camera-points', 'grid-ded-fill', 'grid-dyn-fill', 'grid-comp-fill'] as const;

export const STATUS_COLOR = { on_site: '#3b82f6', busy: '#f59e0b', free: '#22c55e', off_duty: '#94a3b8' } as const;
export const TIER_COLOR = { general: '#facc15', escalated: '#fb923c', special: '#ef4444' } as const;
/** fix age (minutes) at which a person's dot fades, and at which it counts as stale */
export const FIX_FRESH_MIN = 5;
export const FIX_STALE_MIN = 30;

/** dedicated grids coloured by domain: a few hues cycled over the 15 domains */
const DOMAIN_HUES = ['#a78bfa', '#f472b6', '#2dd4bf', '#fbbf24', '#60a5fa', '#f87171', '#34d399', '#c084fc', '#fb7185', '#38bdf8', '#a3e635', '#e879f9', '#fdba74', '#5eead4', '#93c5fd'];

type FC = GeoJSON.FeatureCollection;
const fc = (features: GeoJSON.Feature[]): FC => ({ type: 'FeatureCollection', features });
const pt = (p: { lng: number; lat: number }, crs: CoordSystem): GeoJSON.Point => {
  const q = lngLatToBasemap(p, crs);
  return { type: 'Point', coordinates: [q.lng, q.lat] };
};
const ringCentre = (g: GeoJSON.Polygon): [number, number] => {
  const r = g.coordinates[0] ?? [];
  let x = 0, y = 0;
  const n = Math.max(1, r.length - 1);
  for (let i = 0; i < n; i++) (x += r[i]![0]!, (y += r[i]![1]!));
  return [x / n, y / n];
};

export function placesData(orgUnits: readonly OrgUnit[], crs: CoordSystem): { towns: FC; communities: FC; townLabels: FC; communityLabels: FC } {
  const lines = (level: OrgUnit['level']) =>
    orgUnits
      .filter((o) => o.level === level && o.boundary)
      .map((o) => ({ type: 'Feature', id: undefined, properties: { id: o.id, name: o.name }, geometry: geometryToBasemap(o.boundary!, crs) }) as GeoJSON.Feature);
  const labels = (level: OrgUnit['level']) =>
    orgUnits.filter((o) => o.level === level && o.center).map((o) => ({ type: 'Feature', properties: { id: o.id, name: o.name }, geometry: pt(o.center!, crs) }) as GeoJSON.Feature);
  return { towns: fc(lines('subcenter')), communities: fc(lines('community')), townLabels: fc(labels('subcenter')), communityLabels: fc(labels('community')) };
}

export function gridsData(grids: readonly Grid[], crs: CoordSystem, domains?: ReadonlySet<string>): FC {
  return fc(
    grids
      .filter((g) => g.kind !== 'dedicated' || !domains || domains.size === 0 || (g.domain !== undefined && domains.has(g.domain)))
      .map((g) => {
        const geometry = geometryToBasemap(g.polygon, crs) as GeoJSON.Polygon;
        const [cx, cy] = ringCentre(geometry);
        return {
          type: 'Feature',
          properties: { id: g.id, name: g.name, kind: g.kind, domain: g.domain ?? '', hue: g.domain ? DOMAIN_HUES[hash(g.domain) % DOMAIN_HUES.length]! : '', cx, cy },
          geometry,
        } as GeoJSON.Feature;
      }),
  );
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

export function peopleData(people: readonly MapPerson[], now: number, crs: CoordSystem): FC {
  return fc(
    people
      .filter((p) => p.position)
      .map((p) => {
        const ageMin = p.at === undefined ? 1e9 : Math.max(0, (now - p.at) / 60_000);
        return {
          type: 'Feature',
          properties: { id: p.id, name: p.name, role: p.role, status: p.status, ageMin, stale: ageMin >= FIX_STALE_MIN },
          geometry: pt(p.position!, crs),
        } as GeoJSON.Feature;
      }),
  );
}

export function eventsData(events: readonly MapEventPoint[], crs: CoordSystem, tiers?: ReadonlySet<string>): FC {
  return fc(
    events
      .filter((e) => !tiers || tiers.has(e.tier))
      .map((e) => ({ type: 'Feature', properties: { id: e.id, tier: e.tier, state: e.state, category: e.categoryId, special: e.tier === 'special' ? 1 : 0, escalated: e.tier === 'escalated' ? 1 : 0 }, geometry: pt(e.position, crs) }) as GeoJSON.Feature),
  );
}

export function camerasData(cameras: readonly Camera[], crs: CoordSystem): FC {
  return fc(cameras.map((c) => ({ type: 'Feature', properties: { id: c.id, name: c.name, online: c.online }, geometry: pt(c.position, crs) }) as GeoJSON.Feature));
}

/** A track as a line plus its points (every point carries its time, every `markEvery`-th a label). */
export function trackData(points: readonly TrackPoint[], crs: CoordSystem, fmt: (at: number) => string): { line: FC; marks: FC } {
  const coords = points.map((p) => {
    const q = lngLatToBasemap(p, crs);
    return [q.lng, q.lat];
  });
  const markEvery = Math.max(1, Math.ceil(points.length / 12));
  const marks = points
    .map((p, i) => ({ p, i }))
    .filter(({ i }) => i % markEvery === 0 || i === points.length - 1)
    .map(({ p, i }) => ({ type: 'Feature', properties: { at: p.at, label: fmt(p.at), i }, geometry: { type: 'Point', coordinates: coords[i]! } }) as GeoJSON.Feature);
  return { line: fc(coords.length >= 2 ? [{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: coords } }] : []), marks: fc(marks) };
}

/** Lines from each candidate's position to the event (dispatch from a marker). */
export function candidateLines(event: { lng: number; lat: number }, candidates: readonly { id: string; name: string; rank: number; position?: { lng: number; lat: number } }[], crs: CoordSystem): FC {
  const to = lngLatToBasemap(event, crs);
  return fc(
    candidates
      .filter((c) => c.position)
      .map((c) => {
        const from = lngLatToBasemap(c.position!, crs);
        return {
          type: 'Feature',
          properties: { id: c.id, name: c.name, rank: c.rank, label: `${c.rank}. ${c.name}` },
          geometry: { type: 'LineString', coordinates: [[from.lng, from.lat], [to.lng, to.lat]] },
        } as GeoJSON.Feature;
      }),
  );
}

export const EMPTY: FC = fc([]);

/** Adds every overlay source and layer (empty), in drawing order, above the basemap. */
export function addOverlays(map: MlMap): void {
  const geo = (id: string, extra: Record<string, unknown> = {}) => map.addSource(id, { type: 'geojson', data: EMPTY, ...extra } as never);
  geo('towns');
  geo('communities');
  geo('town-labels');
  geo('community-labels');
  geo('grids');
  geo('heat');
  geo('events', {
    cluster: true,
    clusterRadius: 50,
    clusterMaxZoom: 14,
    clusterProperties: { special: ['+', ['get', 'special']], escalated: ['+', ['get', 'escalated']] },
  });
  geo('people');
  geo('cameras');
  geo('track-line');
  geo('track-marks');
  geo('track-cursor');
  geo('dispatch-lines');
  geo('pick');

  const kind = (k: string): FilterSpecification => ['==', ['get', 'kind'], k];
  const layers: LayerSpecification[] = [
    // invisible (MapLibre skips drawing a constant 0 opacity) but still answers clicks: a translucent
    // fill over the whole district would cost a full-screen blend every frame in software rendering
    { id: 'grid-comp-fill', type: 'fill', source: 'grids', filter: kind('comprehensive'), paint: { 'fill-color': '#3b82f6', 'fill-opacity': 0 } },
    { id: 'grid-selected', type: 'fill', source: 'grids', filter: ['==', ['get', 'id'], ''], paint: { 'fill-color': '#3b82f6', 'fill-opacity': 0.3 } },
    { id: 'grid-comp-line', type: 'line', source: 'grids', filter: kind('comprehensive'), minzoom: 10, paint: { 'line-color': '#4b6a94', 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.3, 15, 1.2] } },
    { id: 'grid-ded-fill', type: 'fill', source: 'grids', filter: kind('dedicated'), paint: { 'fill-color': ['get', 'hue'], 'fill-opacity': 0.3 } },
    { id: 'grid-ded-line', type: 'line', source: 'grids', filter: kind('dedicated'), paint: { 'line-color': ['get', 'hue'], 'line-width': 1.4 } },
    { id: 'grid-dyn-fill', type: 'fill', source: 'grids', filter: kind('dynamic'), paint: { 'fill-color': '#e11d48', 'fill-opacity': 0.25 } },
    { id: 'grid-dyn-line', type: 'line', source: 'grids', filter: kind('dynamic'), paint: { 'line-color': '#e11d48', 'line-width': 1.6, 'line-dasharray': [2, 1] } },
    { id: 'community-line', type: 'line', source: 'communities', minzoom: 9.5, paint: { 'line-color': '#7c93b5', 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.5, 15, 2], 'line-opacity': 0.8 } },
    { id: 'town-line', type: 'line', source: 'towns', paint: { 'line-color': '#c7d2fe', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 1, 15, 3.5], 'line-dasharray': [3, 1.5] } },
    { id: 'events-heat', type: 'heatmap', source: 'heat', paint: { 'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 8, 8, 15, 30], 'heatmap-intensity': ['interpolate', ['linear'], ['zoom'], 8, 0.6, 15, 2], 'heatmap-opacity': 0.8 } },
    { id: 'track-line', type: 'line', source: 'track-line', paint: { 'line-color': '#22d3ee', 'line-width': 3, 'line-opacity': 0.85 } },
    { id: 'track-marks', type: 'circle', source: 'track-marks', paint: { 'circle-radius': 3.5, 'circle-color': '#0e7490', 'circle-stroke-color': '#a5f3fc', 'circle-stroke-width': 1 } },
    { id: 'dispatch-lines', type: 'line', source: 'dispatch-lines', paint: { 'line-color': ['case', ['==', ['get', 'rank'], 1], '#4ade80', '#a3a3a3'], 'line-width': ['case', ['==', ['get', 'rank'], 1], 3, 1.6], 'line-dasharray': [2, 1.2] } },
    { id: 'camera-points', type: 'circle', source: 'cameras', paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 3, 14, 7], 'circle-color': ['case', ['get', 'online'], '#e879f9', '#6b7280'], 'circle-stroke-color': '#fdf4ff', 'circle-stroke-width': 1.2 } },
    { id: 'event-clusters', type: 'circle', source: 'events', filter: ['has', 'point_count'], paint: { 'circle-color': ['case', ['>', ['get', 'special'], 0], TIER_COLOR.special, ['>', ['get', 'escalated'], 0], TIER_COLOR.escalated, TIER_COLOR.general], 'circle-opacity': 0.85, 'circle-radius': ['interpolate', ['linear'], ['get', 'point_count'], 2, 12, 50, 18, 500, 26], 'circle-stroke-color': '#111827', 'circle-stroke-width': 1.5 } },
    { id: 'event-points', type: 'circle', source: 'events', filter: ['!', ['has', 'point_count']], paint: { 'circle-color': ['match', ['get', 'tier'], 'special', TIER_COLOR.special, 'escalated', TIER_COLOR.escalated, TIER_COLOR.general], 'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 3, 15, 7], 'circle-stroke-color': '#111827', 'circle-stroke-width': 1.2 } },
    { id: 'people-halo', type: 'circle', source: 'people', filter: ['==', ['get', 'status'], 'on_site'], paint: { 'circle-radius': 9, 'circle-color': STATUS_COLOR.on_site, 'circle-opacity': 0.25 } },
    {
      id: 'people-circle',
      type: 'circle',
      source: 'people',
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 2.5, 15, 6.5],
        'circle-color': ['match', ['get', 'status'], 'on_site', STATUS_COLOR.on_site, 'busy', STATUS_COLOR.busy, 'free', STATUS_COLOR.free, STATUS_COLOR.off_duty],
        // fresh fixes solid, older ones fading, stale ones (≥ 30 min) faint
        'circle-opacity': ['interpolate', ['linear'], ['get', 'ageMin'], FIX_FRESH_MIN, 1, FIX_STALE_MIN, 0.45, FIX_STALE_MIN + 0.01, 0.2],
        'circle-stroke-color': '#0b1220',
        'circle-stroke-width': 1,
        'circle-stroke-opacity': ['case', ['get', 'stale'], 0.2, 1],
      },
    },
    { id: 'track-cursor', type: 'circle', source: 'track-cursor', paint: { 'circle-radius': 8, 'circle-color': '#f0abfc', 'circle-stroke-color': '#701a75', 'circle-stroke-width': 2 } },
    { id: 'pick', type: 'circle', source: 'pick', paint: { 'circle-radius': 7, 'circle-color': '#f43f5e', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } },
    // labels last, so nothing draws over them
    { id: 'town-label', type: 'symbol', source: 'town-labels', maxzoom: 13, layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 15 }, paint: { 'text-color': '#e0e7ff', 'text-halo-color': '#0c1523', 'text-halo-width': 1.6 } },
    { id: 'community-label', type: 'symbol', source: 'community-labels', minzoom: 11.5, layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 12 }, paint: { 'text-color': '#cbd5e1', 'text-halo-color': '#0c1523', 'text-halo-width': 1.4 } },
    { id: 'grid-comp-label', type: 'symbol', source: 'grids', filter: kind('comprehensive'), minzoom: 14, layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 11 }, paint: { 'text-color': '#93c5fd', 'text-halo-color': '#0c1523', 'text-halo-width': 1.2 } },
    { id: 'grid-ded-label', type: 'symbol', source: 'grids', filter: kind('dedicated'), minzoom: 13, layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 11 }, paint: { 'text-color': '#f5d0fe', 'text-halo-color': '#0c1523', 'text-halo-width': 1.2 } },
    { id: 'event-cluster-count', type: 'symbol', source: 'events', filter: ['has', 'point_count'], layout: { 'text-field': ['get', 'point_count_abbreviated'], 'text-font': FONT, 'text-size': 12, 'text-allow-overlap': true }, paint: { 'text-color': '#111827' } },
    { id: 'people-label', type: 'symbol', source: 'people', minzoom: 14.5, layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 11, 'text-offset': [0, 1.1], 'text-anchor': 'top' }, paint: { 'text-color': '#e2e8f0', 'text-halo-color': '#0c1523', 'text-halo-width': 1.2 } },
    { id: 'camera-label', type: 'symbol', source: 'cameras', minzoom: 14, layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 11, 'text-offset': [0, 1.2], 'text-anchor': 'top' }, paint: { 'text-color': '#f5d0fe', 'text-halo-color': '#0c1523', 'text-halo-width': 1.2 } },
    { id: 'track-labels', type: 'symbol', source: 'track-marks', layout: { 'text-field': ['get', 'label'], 'text-font': FONT, 'text-size': 11, 'text-offset': [0, -1.2], 'text-anchor': 'bottom' }, paint: { 'text-color': '#a5f3fc', 'text-halo-color': '#0c1523', 'text-halo-width': 1.4 } },
    { id: 'dispatch-labels', type: 'symbol', source: 'dispatch-lines', layout: { 'symbol-placement': 'line-center', 'text-field': ['get', 'label'], 'text-font': FONT, 'text-size': 12 }, paint: { 'text-color': '#bbf7d0', 'text-halo-color': '#0c1523', 'text-halo-width': 1.4 } },
  ];
  for (const l of layers) map.addLayer(l);
}

/** Highlights one grid (or none). */
export function selectGrid(map: MlMap, gridId: string | null): void {
  if (map.getLayer('grid-selected')) map.setFilter('grid-selected', ['==', ['get', 'id'], gridId ?? '']);
}

export function setData(map: MlMap, source: string, data: FC): void {
  (map.getSource(source) as GeoJSONSource | undefined)?.setData(data);
}

export function setGroupVisible(map: MlMap, group: LayerGroup, visible: boolean): void {
  for (const id of GROUP_LAYERS[group]) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
}

/** What the map itself says is shown (read from the style, not from the page's state). */
export function groupVisible(map: MlMap, group: LayerGroup): boolean {
  return GROUP_LAYERS[group].every((id) => map.getLayer(id) !== undefined && (map.getLayoutProperty(id, 'visibility') ?? 'visible') === 'visible');
}
