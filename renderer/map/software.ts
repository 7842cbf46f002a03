/**
 * WebGL drawn by the CPU (SwiftShader, llvmpipe: a workstation without a usable GPU driver, a
 * virtual desktop) fills every pixel in software, so a moving map costs in proportion to its
 * pixels. There the map draws at a lower resolution while it moves and sharp again once it
 * rests: an operator panning needs the map to follow the hand, and reads it when it stops.
 * How low depends on the machine's CPU, so the resolution is learned: each move's late frames
 * push the next move's resolution down a step, and moves without a late frame bring it back up.
 * Zoomed out, the thousand grid outlines and the communities' lines cost as much again as
 * everything else together (bench/map.ts with BENCH_MAP_HIDE), so at district scale they are left
 * out while the map moves and drawn again the moment it rests.
 */
import type { Map as MlMap } from 'maplibre-gl';

/**
 * The drawing-buffer scales a moving map steps through on a software renderer, sharpest first:
 * 0.5 is a quarter of the pixels; below 0.3 the map turns to mush.
 */
export const SOFTWARE_MOVING_RATIOS: readonly number[] = [0.5, 0.42, 0.35, 0.3];
/**
 * how long the map must rest before it is drawn sharp and whole again: a scroll-wheel zoom or a
 * few quick drags are many short moves, and a full frame between each (with the drawing buffer
 * resized twice) is the slowest frame of all
 */
export const SOFTWARE_SETTLE_MS = 200;

/** a frame is late when it missed a display refresh at 60 Hz: over one and a half refresh intervals apart */
export const LATE_FRAME_MS = 25;

/** How one move went: its frames and how many of them came late. */
export interface MoveFrames {
  frames: number;
  late: number;
}

/** Where a page is on the ladder of SOFTWARE_MOVING_RATIOS, and how many moves in a row had no late frame. */
export interface Quality {
  step: number;
  calm: number;
}

/**
 * The aim is fewer than 5 % of frames late (the 95th percentile within two refreshes); stepping
 * down already above 3 % keeps a margin for the moves that cost more than the last one did.
 */
const STEP_DOWN_ABOVE = 0.03;
/** far behind (a fifth of the frames late, as on the first move on a slow machine): two steps at once */
const STEP_DOWN_TWO_ABOVE = 0.2;
/** moves in a row without a late frame before the next is tried a step sharper */
const CALM_MOVES_TO_STEP_UP = 3;
/** a move shorter than this says too little about the machine (a click's nudge, a resize) */
const MIN_FRAMES = 8;

/** The ladder's next position after `move`. */
export function nextQuality(q: Quality, move: MoveFrames, steps = SOFTWARE_MOVING_RATIOS.length): Quality {
  if (move.frames < MIN_FRAMES) return q;
  const share = move.late / move.frames;
  if (share > STEP_DOWN_ABOVE) return { step: Math.min(steps - 1, q.step + (share > STEP_DOWN_TWO_ABOVE ? 2 : 1)), calm: 0 };
  if (move.late > 0) return { step: q.step, calm: 0 };
  const calm = q.calm + 1;
  return calm >= CALM_MOVES_TO_STEP_UP && q.step > 0 ? { step: q.step - 1, calm: 0 } : { step: q.step, calm };
}

/** the step learned, kept across sessions: the machine is the same tomorrow, and learning costs the first moves' frames */
const STORAGE_KEY = 'gridmap.softwareMovingStep';

function storedQuality(): Quality {
  try {
    const step = Number(localStorage.getItem(STORAGE_KEY));
    if (Number.isInteger(step) && step >= 0 && step < SOFTWARE_MOVING_RATIOS.length) return { step, calm: 0 };
  } catch {
    /* no storage (a locked-down profile): learn again */
  }
  return { step: 0, calm: 0 };
}

/** one ladder per page, and per profile: every map on it runs on the same CPU */
let quality: Quality | undefined;
const current = (): Quality => (quality ??= storedQuality());

function learn(move: MoveFrames): void {
  const before = current();
  quality = nextQuality(before, move);
  if (quality.step === before.step) return;
  try {
    localStorage.setItem(STORAGE_KEY, String(quality.step));
  } catch {
    /* kept for this session only */
  }
}

/** The resolution this page's maps draw at while moving, as a share of the device's pixel ratio. */
export function movingRatio(): number {
  return SOFTWARE_MOVING_RATIOS[current().step]!;
}

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
 * Draws `map` at the learned moving ratio of the device's pixel ratio while it moves (pan, zoom,
 * fly) and at full resolution when it rests, and leaves `detail` out while it moves zoomed out.
 * Answers the cleanup.
 */
export function lowResolutionWhileMoving(map: MlMap, detail: readonly MovingDetail[] = SOFTWARE_MOVING_DETAIL): () => void {
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
  // the frames of the move under way: the first one is the resize's, and says nothing of the move
  let move: MoveFrames = { frames: 0, late: 0 };
  let lastFrame: number | undefined;
  const frame = () => {
    const now = performance.now();
    // a gap of a second is a hidden page or a stalled tab, not a slow frame
    if (lastFrame !== undefined && now - lastFrame < 1000) {
      move.frames++;
      if (now - lastFrame > LATE_FRAME_MS) move.late++;
    }
    lastFrame = now;
  };
  let settle: ReturnType<typeof setTimeout> | undefined;
  const start = () => {
    if (adjusting) return;
    clearTimeout(settle);
    settle = undefined;
    set(full() * movingRatio());
    if (hidden.length === 0) thin();
    lastFrame = undefined;
    map.on('render', frame);
  };
  const rest = () => {
    settle = undefined;
    restore();
    set(full());
  };
  const end = () => {
    if (adjusting) return;
    map.off('render', frame);
    learn(move);
    move = { frames: 0, late: 0 };
    clearTimeout(settle);
    settle = setTimeout(rest, SOFTWARE_SETTLE_MS);
  };
  map.on('movestart', start);
  map.on('moveend', end);
  return () => {
    map.off('movestart', start);
    map.off('moveend', end);
    map.off('render', frame);
    clearTimeout(settle);
    try {
      restore();
    } catch {
      /* the map is already gone */
    }
  };
}
