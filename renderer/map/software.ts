/**
 * WebGL drawn by the CPU (SwiftShader, llvmpipe: a workstation without a usable GPU driver, a
 * virtual desktop) fills every pixel in software, so a moving map costs in proportion to its
 * pixels. There the map draws at a lower resolution while it moves and sharp again once it
 * rests: an operator panning needs the map to follow the hand, and reads it when it stops.
 */
import type { Map as MlMap } from 'maplibre-gl';

/** the drawing-buffer scale while moving on a software renderer: a quarter of the pixels */
export const SOFTWARE_MOVING_RATIO = 0.5;

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

/**
 * Draws `map` at `movingRatio` of the device's pixel ratio while it moves (pan, zoom, fly) and at
 * full resolution when it rests. Answers the cleanup.
 */
export function lowResolutionWhileMoving(map: MlMap, movingRatio = SOFTWARE_MOVING_RATIO): () => void {
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
  const start = () => {
    if (!adjusting) set(full() * movingRatio);
  };
  const end = () => {
    if (!adjusting) set(full());
  };
  map.on('movestart', start);
  map.on('moveend', end);
  return () => {
    map.off('movestart', start);
    map.off('moveend', end);
  };
}
