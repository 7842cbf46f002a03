/**
 * WebGL drawn by the CPU (SwiftShader, llvmpipe: a workstation without a usable GPU driver, a
 * virtual desktop) fills every pixel in software, so a moving map costs in proportion to its
 * pixels. There the map draws at a lower resolution while it moves and sharp again once it
 * rests: an operator panning needs the map to follow the hand, and reads it when it stops.
 * Zoomed out, the thousand grid outlines and the communities' lines cost as much again as
 * everything else together (bench/map.ts with BENCH_MAP_HIDE), so at district scale they are left
 * out while the map moves and drawn again the moment it rests.
 */
import type { Map as MlMap } from 'maplibre-gl';

/** the drawing-buffer scale while moving on a software renderer: a quarter of the pixels */
export const SOFTWARE_MOVING_RATIO = 0.5;
/**
 * how long the map must rest before it is drawn sharp and whole again: a scroll-wheel zoom or a
 * few quick drags are many short moves, and a full frame between each (with the drawing buffer
 * resized twice) is the slowest frame of all
 */
export const SOFTWARE_SETTLE_MS = 200;

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i;

let cached: boolean | undefined;

/** Whether this page's WebGL is software-rendered (asked once, of a throwaway context). */
export function softwareWebGL(): boolean {
  if (cached !== undefined) return cached;
  const canvas = document.createElement('canvas');
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  if (!gl) return (cached = false);
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return (cached = SOFTWARE.test(renderer));
}

/** A layer left out while the map moves below a zoom, by its opacity (the operator's switches own its visibility). */
export interface MovingDetail {
  layer: string;
  opacity: 'line-opacity' | 'fill-opacity';
  /** left out only while the map is zoomed out further than this */
  belowZoom: number;
}

/** the grid and community outlines of a district-scale view: dense, thin, and costly in software */
export const SOFTWARE_MOVING_DETAIL: readonly MovingDetail[] = [
  { layer: 'grid-comp-line', opacity: 'line-opacity', belowZoom: 13 },
  { layer: 'community-line', opacity: 'line-opacity', belowZoom: 13 },
  { layer: 'grid-ded-line', opacity: 'line-opacity', belowZoom: 13 },
  { layer: 'grid-ded-fill', opacity: 'fill-opacity', belowZoom: 13 },
];

/**
 * Draws `map` at `movingRatio` of the device's pixel ratio while it moves (pan, zoom, fly) and at
 * full resolution when it rests, and leaves `detail` out while it moves zoomed out. Answers the cleanup.
 */
export function lowResolutionWhileMoving(map: MlMap, movingRatio = SOFTWARE_MOVING_RATIO, detail: readonly MovingDetail[] = SOFTWARE_MOVING_DETAIL): () => void {
  const full = () => window.devicePixelRatio || 1;
  // setPixelRatio resizes the canvas, which fires movestart/moveend itself: those are ours, not a gesture
  let adjusting = false;
  const set = (ratio: number) => {
    if (Math.abs(map.getPixelRatio() - ratio) < 1e-6) return;
    adjusting = true;
    try {
      map.setPixelRatio(ratio);
    } finally {
      adjusting = false;
    }
  };
  // the opacities put back at rest: whatever the style said when the move began
  let hidden: { d: MovingDetail; value: unknown }[] = [];
  const thin = () => {
    const zoom = map.getZoom();
    for (const d of detail) {
      if (zoom >= d.belowZoom || !map.getLayer(d.layer)) continue;
      const value = map.getPaintProperty(d.layer, d.opacity);
      // at once, not faded out over the style's transition (more frames, each one costly here)
      map.setPaintProperty(d.layer, `${d.opacity}-transition`, { duration: 0, delay: 0 });
      map.setPaintProperty(d.layer, d.opacity, 0);
      hidden.push({ d, value });
    }
  };
  const restore = () => {
    for (const { d, value } of hidden) if (map.getLayer(d.layer)) map.setPaintProperty(d.layer, d.opacity, value as never);
    hidden = [];
  };
  let settle: ReturnType<typeof setTimeout> | undefined;
  const start = () => {
    if (adjusting) return;
    clearTimeout(settle);
    settle = undefined;
    set(full() * movingRatio);
    if (hidden.length === 0) thin();
  };
  const rest = () => {
    settle = undefined;
    restore();
    set(full());
  };
  const end = () => {
    if (adjusting) return;
    clearTimeout(settle);
    settle = setTimeout(rest, SOFTWARE_SETTLE_MS);
  };
  map.on('movestart', start);
  map.on('moveend', end);
  return () => {
    map.off('movestart', start);
    map.off('moveend', end);
    clearTimeout(settle);
    try {
      restore();
    } catch {
      /* the map is already gone */
    }
  };
}
