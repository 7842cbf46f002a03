import { z } from 'zod';

/**
 * Where a camera's HLS comes from. Pure (runs in the renderer, the console core and the hub).
 *
 * A camera in the registry names its streams by URL. An absolute URL is a real video gateway's and is
 * used as is. A relative one (`/hls/<cameraId>/<variant>.m3u8`) is a stream the hub itself serves
 * (the demo cameras); the hub serves it on several origins, because Chromium opens at most six
 * HTTP/1.1 connections per host and port, and a wall of live players (each holding a blocking
 * playlist request under low-latency HLS) starves on one origin. `GET /api/video/origins` lists
 * them; `mediaOriginFor` spreads cameras over them the same way everywhere.
 */

/** `main`: the full-resolution stream (enlarged tile); `sub`: the small one (wall tiles). */
export const HLS_VARIANTS = ['main', 'sub'] as const;
export type HlsVariant = (typeof HLS_VARIANTS)[number];

/** The path of a hub-served camera's media playlist, relative to any of the hub's media origins. */
export const hlsPlaylistPath = (cameraId: string, variant: HlsVariant) => `/hls/${cameraId}/${variant}.m3u8`;

/** A stream URL the hub serves (relative, under /hls/), as opposed to a gateway's absolute URL. */
export const isHubStreamUrl = (url: string) => url.startsWith('/hls/');

/** The answer of `GET /api/video/origins`: the hub's own origin first, then its media listeners. */
export const VideoOrigins = z.object({ origins: z.array(z.string().url()).min(1) }).strict();
export type VideoOrigins = z.infer<typeof VideoOrigins>;

/**
 * The origin a camera's hub-served streams are fetched from: the number a camera id ends with
 * (cam-007 → 7), else an FNV-1a hash of the id, modulo the number of origins. Stable for a camera
 * wherever it is shown (connections and cached segments are reused when it moves between tiles),
 * and numbered cameras spread evenly, so any run of consecutive cameras (cam-001 … cam-016) lands
 * at most ⌈16 / n⌉ streams on one origin.
 */
export function mediaOriginFor(cameraId: string, origins: readonly string[]): string {
  if (origins.length === 0) throw new Error('mediaOriginFor needs at least one origin');
  const digits = /(\d{1,9})$/.exec(cameraId);
  let n: number;
  if (digits) n = Number(digits[1]);
  else {
    n = 0x811c9dc5;
    for (let i = 0; i < cameraId.length; i++) n = Math.imul(n ^ cameraId.charCodeAt(i), 0x01000193) >>> 0;
  }
  return origins[n % origins.length]!;
}

/** A registry stream URL made absolute: a gateway's URL as is, a hub stream against the camera's origin. */
export function resolveStreamUrl(url: string, cameraId: string, origins: readonly string[]): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  return new URL(url, mediaOriginFor(cameraId, origins)).href;
}

/** The URL to play for a camera's variant. */
export function cameraStreamUrl(camera: { id: string; mainUrl: string; subUrl: string }, variant: HlsVariant, origins: readonly string[]): string {
  return resolveStreamUrl(variant === 'main' ? camera.mainUrl : camera.subUrl, camera.id, origins);
}
