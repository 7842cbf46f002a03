/**
 * Which tiles play LL-HLS. A low-latency player keeps two requests open at a time (a blocking
 * playlist reload and the part being fetched), a plain one about one; Chromium opens at most 6
 * HTTP/1.1 connections per origin, and requests beyond them queue, which stalls every stream on
 * that origin. So a tile plays low-latency only while at most LL_STREAMS_PER_ORIGIN streams share
 * its origin (and always when enlarged: then it is the only one playing); the rest fetch whole
 * segments, a second or two later but with half the requests. Pure.
 */

/** 2 streams × 2 open requests leaves 2 of Chromium's 6 connections for retries and the odd segment */
export const LL_STREAMS_PER_ORIGIN = 2;

export type LowLatencyMode = 'auto' | 'on' | 'off';

const originOf = (url: string | undefined): string | undefined => {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

/** Per tile: play it low-latency? `urls[i]` is what tile i plays (undefined: nothing). */
export function lowLatencyTiles(urls: readonly (string | undefined)[], full: number | null, mode: LowLatencyMode = 'auto'): boolean[] {
  if (mode !== 'auto') return urls.map(() => mode === 'on');
  if (full !== null) return urls.map((_, i) => i === full);
  const per = new Map<string, number>();
  for (const u of urls) {
    const o = originOf(u);
    if (o) per.set(o, (per.get(o) ?? 0) + 1);
  }
  return urls.map((u) => {
    const o = originOf(u);
    return o !== undefined && (per.get(o) ?? 0) <= LL_STREAMS_PER_ORIGIN;
  });
}

/** `?ll=on|off|auto` on the page, else localStorage `gridConsole.wall.lowLatency`, else auto. */
export function configuredLowLatency(search: string, stored: string | null): LowLatencyMode {
  for (const raw of [new URLSearchParams(search).get('ll'), stored]) if (raw === 'on' || raw === 'off' || raw === 'auto') return raw;
  return 'auto';
}
