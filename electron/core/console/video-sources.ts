/**
 * Where the wall's video comes from: the hub's media origins (`GET /api/video/origins`), and the
 * cameras of the cache with their stream URLs made absolute against them. The hub serves HLS from
 * several origins (ports) because Chromium opens at most 6 HTTP/1.1 connections per origin: 16
 * tiles on one origin would starve each other.
 */
import { z } from 'zod';
import { DomainError } from '../../../shared/errors';
import type { Camera, WallCamera } from '../../../shared/schema';
import { mediaOriginFor, VideoOrigins } from '../../../shared/video';
import type { ConsoleCache } from './cache';
import { HubError, type HubClient } from './hub-client';

export const ORIGINS_PATH = '/api/video/origins';

/** An http(s) origin (scheme, host, port; nothing after it). */
const Origin = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === s.replace(/\/+$/, '');
  } catch {
    return false;
  }
}, 'must be an http(s) origin like http://10.0.0.5:4301');
/** The hub's answer (shared/video.ts), each entry also checked to be an http(s) origin the page may fetch from. */
export const VideoOriginsAnswer = VideoOrigins.extend({ origins: z.array(Origin).min(1).max(64) });

/** How long the hub's answer is trusted before asking again, and how soon to ask again after a failure. */
const FRESH_MS = 5 * 60_000;
const RETRY_MS = 10_000;
const META_KEY = 'video_origins';

export class MediaOrigins {
  private known: { origins: string[]; at: number; fromHub: boolean } | undefined;
  private inflight: Promise<string[]> | undefined;

  constructor(
    private readonly client: HubClient,
    private readonly cache: ConsoleCache,
    private readonly hubUrl: string,
    private readonly now: () => number,
  ) {}

  /** Forgets the hub's answer (a new sign-in, maybe another hub). */
  reset(): void {
    this.known = undefined;
  }

  /**
   * The media origins: the hub's answer while fresh; else asks (with the session). When the hub
   * cannot be asked (offline, no session) the last answer kept in the cache serves, else the hub's
   * own origin; a hub without the route (404) serves its video, if any, from its own origin.
   */
  async get(): Promise<string[]> {
    const k = this.known;
    const t = this.now();
    if (k && t - k.at < (k.fromHub ? FRESH_MS : RETRY_MS)) return k.origins;
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetch(): Promise<string[]> {
    if (!this.client.token) return this.fallback();
    try {
      const answer = await this.client.call('GET', ORIGINS_PATH, VideoOriginsAnswer);
      const origins = [...new Set(answer.origins.map((o) => new URL(o).origin))];
      this.known = { origins, at: this.now(), fromHub: true };
      this.cache.setMeta(META_KEY, JSON.stringify(origins));
      return origins;
    } catch (err) {
      if (err instanceof HubError && err.status === 404) {
        // a hub without video routes: nothing better will come by asking again soon
        this.known = { origins: [this.hubUrl], at: this.now(), fromHub: true };
        return this.known.origins;
      }
      if (!(err instanceof DomainError)) throw err;
      console.warn(`console core: the hub's media origins are unknown for now (${err.message}); using the last known`);
      return this.fallback();
    }
  }

  private fallback(): string[] {
    let origins = [this.hubUrl];
    try {
      const saved = VideoOriginsAnswer.safeParse({ origins: JSON.parse(this.cache.getMeta(META_KEY) ?? 'null') });
      if (saved.success) origins = saved.data.origins;
    } catch {
      /* nothing saved, or garbage: the hub's own origin */
    }
    this.known = { origins, at: this.now(), fromHub: false };
    return origins;
  }
}

/**
 * A stream URL as the page can play it: a path resolves against the camera's media origin, an
 * absolute http(s) URL stays as it is; anything else (another scheme, garbage) is refused.
 */
export function resolveStreamUrl(url: string, origin: string): { url: string } | { problem: string } {
  const raw = url.trim();
  if (raw === '') return { problem: 'no stream URL in the registry' };
  let abs: URL;
  try {
    abs = raw.startsWith('/') && !raw.startsWith('//') ? new URL(raw, origin) : new URL(raw);
  } catch {
    return { problem: `the stream URL ${raw.slice(0, 100)} is neither a path nor an absolute URL` };
  }
  if (abs.protocol !== 'http:' && abs.protocol !== 'https:') return { problem: `the stream URL uses ${abs.protocol}, not http(s)` };
  return { url: abs.href };
}

/** The registry's cameras with both streams resolved against the camera's media origin. */
export function wallCameras(cameras: readonly Camera[], origins: readonly string[]): WallCamera[] {
  return cameras.map((c) => {
    const origin = mediaOriginFor(c.id, origins);
    const main = resolveStreamUrl(c.mainUrl, origin);
    const sub = resolveStreamUrl(c.subUrl, origin);
    const out: WallCamera = { ...c };
    if ('url' in main) out.mainStream = main.url;
    if ('url' in sub) out.subStream = sub.url;
    const problems = [...('problem' in main ? [`main: ${main.problem}`] : []), ...('problem' in sub ? [`sub: ${sub.problem}`] : [])];
    if (problems.length > 0) out.streamProblem = problems.join('; ').slice(0, 300);
    return out;
  });
}

/**
 * Tells when the cache's cameras changed, cheaply (the newest change's seq and the count), so the
 * core can say so to the page without the cache reporting camera changes apart from other
 * reference data.
 */
export class CameraWatch {
  private mark: string;

  constructor(private readonly cache: ConsoleCache) {
    this.mark = this.read();
  }

  private read(): string {
    const r = this.cache.db.prepare('SELECT count(*) AS n, coalesce(max(seq), 0) AS s FROM cameras').get() as { n: number; s: number };
    return `${r.n}:${r.s}`;
  }

  /** true once after the cameras changed */
  changed(): boolean {
    const m = this.read();
    if (m === this.mark) return false;
    this.mark = m;
    return true;
  }
}
