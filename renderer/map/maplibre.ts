/**
 * MapLibre GL, set up once per page for this app: its worker comes from our own origin (the pages'
 * CSP allows scripts and workers from 'self' only, no blob: workers), and the `pmtiles://` protocol
 * reads PMTiles archives (the demo basemap, or a deployment's local file) by HTTP range requests
 * to the console host.
 */
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { PMTiles, Protocol } from 'pmtiles';

let ready = false;
const protocol = new Protocol();

export function setupMaplibre(): typeof maplibregl {
  if (!ready) {
    maplibregl.setWorkerUrl(new URL(workerUrl, location.href).href);
    maplibregl.addProtocol('pmtiles', protocol.tile);
    ready = true;
  }
  return maplibregl;
}

/** An archive's header and metadata (tile type, vector layers), read through the same protocol cache. */
export async function pmtilesInfo(absoluteUrl: string): Promise<{ tileType: number; minZoom: number; maxZoom: number; vectorLayers: string[] }> {
  let p = protocol.get(absoluteUrl);
  if (!p) {
    p = new PMTiles(absoluteUrl);
    protocol.add(p);
  }
  const h = await p.getHeader();
  let vectorLayers: string[] = [];
  if (h.tileType === 1) {
    const meta = (await p.getMetadata()) as { vector_layers?: { id?: unknown }[] };
    vectorLayers = (meta.vector_layers ?? []).map((l) => l.id).filter((id): id is string => typeof id === 'string');
  }
  return { tileType: h.tileType, minZoom: h.minZoom, maxZoom: h.maxZoom, vectorLayers };
}

export { maplibregl };
