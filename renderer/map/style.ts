/**
 * The basemap under the overlays, per the basemap setting (shared/schema/map.ts):
 *   demo     the generated vector basemap of the demo district (PMTiles from the console host)
 *   xyz      a raster tile service
 *   style    a vector tile service's own MapLibre style document
 *   pmtiles  a local archive: raster tiles drawn as they are, vector tiles drawn generically
 *            (every source-layer as faint fills, lines and points), since its schema is unknown
 *   mbtiles  a local MBTiles file, tile by tile from the console host: drawn as pmtiles is
 * No style sets `glyphs`: MapLibre (≥ 5.11) then draws label text with the machine's own fonts, so
 * Chinese names need no glyph server and no shipped glyph files (offline, and no CJK PBFs).
 */
import type { LayerSpecification, StyleSpecification } from 'maplibre-gl';
import type { MapConfig } from '../../shared/schema/map';
import { pmtilesInfo } from './maplibre';

export const FONT = ['sans-serif'];

/** A dark, quiet palette: the overlays (grids, people, events) carry the colour. */
export const PALETTE = {
  background: '#0c1523',
  land: '#111d2e',
  water: '#163a5c',
  motorway: '#8a6d3b',
  primary: '#3d4f66',
  secondary: '#2f3e52',
  street: '#26344a',
  boundary: '#7b8ba3',
  label: '#c9d4e3',
  labelHalo: '#0c1523',
};

function demoLayers(): LayerSpecification[] {
  const src = { source: 'base' } as const;
  return [
    // the land is the background: a district-sized fill would be one more full-screen blend per frame
    { id: 'bg', type: 'background', paint: { 'background-color': PALETTE.land } },
    { id: 'base-water', type: 'fill', ...src, 'source-layer': 'water', paint: { 'fill-color': PALETTE.water } },
    {
      id: 'base-roads-minor',
      type: 'line',
      ...src,
      'source-layer': 'roads',
      filter: ['in', ['get', 'kind'], ['literal', ['street', 'secondary']]],
      minzoom: 10,
      paint: { 'line-color': PALETTE.street, 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.6, 15, 4] },
    },
    {
      id: 'base-roads-main',
      type: 'line',
      ...src,
      'source-layer': 'roads',
      filter: ['==', ['get', 'kind'], 'primary'],
      paint: { 'line-color': PALETTE.primary, 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.8, 15, 7] },
    },
    {
      id: 'base-roads-motorway',
      type: 'line',
      ...src,
      'source-layer': 'roads',
      filter: ['==', ['get', 'kind'], 'motorway'],
      paint: { 'line-color': PALETTE.motorway, 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 1.2, 15, 9] },
    },
    {
      id: 'base-boundary',
      type: 'line',
      ...src,
      'source-layer': 'boundary',
      filter: ['==', ['get', 'admin_level'], 2],
      paint: { 'line-color': PALETTE.boundary, 'line-width': 2.2, 'line-opacity': 0.9 },
    },
    {
      id: 'base-road-labels',
      type: 'symbol',
      ...src,
      'source-layer': 'roads',
      minzoom: 13,
      layout: { 'symbol-placement': 'line', 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 11 },
      paint: { 'text-color': '#8ea0b8', 'text-halo-color': PALETTE.labelHalo, 'text-halo-width': 1.2 },
    },
    {
      id: 'base-water-labels',
      type: 'symbol',
      ...src,
      'source-layer': 'water',
      filter: ['has', 'name'],
      minzoom: 10,
      layout: { 'symbol-placement': 'line', 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 12, 'symbol-spacing': 400 },
      paint: { 'text-color': '#6fa3d6', 'text-halo-color': PALETTE.labelHalo, 'text-halo-width': 1 },
    },
  ];
}

type Extent = [number, number, number, number];

const rasterStyle = (tiles: string[], tileSize: number, maxzoom: number, attribution?: string, minzoom = 0, bounds?: Extent): StyleSpecification => ({
  version: 8,
  sources: { base: { type: 'raster', tiles, tileSize, maxzoom, ...(minzoom ? { minzoom } : {}), ...(bounds ? { bounds } : {}), ...(attribution ? { attribution } : {}) } },
  layers: [
    { id: 'bg', type: 'background', paint: { 'background-color': PALETTE.background } },
    { id: 'base-raster', type: 'raster', source: 'base' },
  ],
});

/** Vector tiles of an unknown schema: every source-layer as faint fills, lines and points. */
function genericVectorLayers(sourceLayers: readonly string[]): LayerSpecification[] {
  const layers: LayerSpecification[] = [{ id: 'bg', type: 'background', paint: { 'background-color': PALETTE.background } }];
  for (const l of sourceLayers) {
    layers.push(
      { id: `base-${l}-fill`, type: 'fill', source: 'base', 'source-layer': l, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': PALETTE.land, 'fill-opacity': 0.6 } },
      { id: `base-${l}-line`, type: 'line', source: 'base', 'source-layer': l, paint: { 'line-color': PALETTE.primary, 'line-width': 0.8 } },
      { id: `base-${l}-point`, type: 'circle', source: 'base', 'source-layer': l, filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 1.5, 'circle-color': PALETTE.boundary } },
    );
  }
  return layers;
}

/** The basemap style for a setting; the overlays are added on top once it has loaded. */
export async function baseStyle(config: MapConfig, origin: string): Promise<StyleSpecification | string> {
  const b = config.basemap;
  switch (b.kind) {
    case 'demo':
      return {
        version: 8,
        sources: { base: { type: 'vector', url: `pmtiles://${new URL(config.pmtilesUrl ?? '/basemap/demo.pmtiles', origin).href}`, attribution: '演示底图 (generated)' } },
        layers: demoLayers(),
      };
    case 'xyz':
      return rasterStyle(b.tiles, b.tileSize, b.maxzoom, b.attribution);
    case 'style':
      return b.url;
    case 'pmtiles': {
      const url = new URL(config.pmtilesUrl ?? '/basemap/local.pmtiles', origin).href;
      const info = await pmtilesInfo(url);
      if (info.tileType !== 1) return rasterStyle([`pmtiles://${url}/{z}/{x}/{y}`], 256, info.maxZoom);
      return { version: 8, sources: { base: { type: 'vector', url: `pmtiles://${url}` } }, layers: genericVectorLayers(info.vectorLayers) };
    }
    case 'mbtiles': {
      const m = config.mbtiles;
      if (!m) throw new Error(config.basemapError ?? 'The MBTiles basemap cannot be read; check the file in the basemap settings.');
      // string concatenation: URL() would percent-encode the template's braces
      const tiles = [`${new URL(origin).origin}${m.tilesUrl}`];
      if (m.format !== 'pbf') return rasterStyle(tiles, 256, m.maxzoom, m.attribution, m.minzoom, m.bounds);
      return {
        version: 8,
        sources: { base: { type: 'vector', tiles, minzoom: m.minzoom, maxzoom: m.maxzoom, ...(m.bounds ? { bounds: m.bounds } : {}), ...(m.attribution ? { attribution: m.attribution } : {}) } },
        layers: genericVectorLayers(m.vectorLayers),
      };
    }
  }
}
