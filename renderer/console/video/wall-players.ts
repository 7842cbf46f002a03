/**
 * The wall's players as one budget: the slot pool (who may play), the pooled <video> elements
 * (reused, at most as many as slots), and a registry of running players that the page's
 * diagnostics read (tests and the benchmark count frames and latency through it).
 */
import { ElementPool, SlotPool } from './player-pool';
import type { PlayerStats, TilePlayer } from './tile-player';

export interface TileDiagnostics extends PlayerStats {
  tile: number;
  cameraId: string;
  quality: 'main' | 'sub';
}

export interface WallPlayers {
  slots: SlotPool;
  videos: ElementPool<HTMLVideoElement>;
  register(tile: number, info: { cameraId: string; quality: 'main' | 'sub'; player: TilePlayer }): () => void;
  diagnostics(): { tiles: TileDiagnostics[]; slots: { capacity: number; holders: number; queued: string[] }; videos: { created: number; inUse: number } };
  setCapacity(cap: number): void;
}

function emptyVideo(v: HTMLVideoElement): void {
  v.pause();
  v.removeAttribute('src');
  // load() with no source drops the decoder and the media player behind the element
  v.load();
  v.remove();
}

export function createWallPlayers(cap: number): WallPlayers {
  const slots = new SlotPool(cap);
  const videos = new ElementPool<HTMLVideoElement>(
    () => {
      const v = document.createElement('video');
      v.className = 'tile-video';
      v.muted = true;
      v.playsInline = true;
      return v;
    },
    emptyVideo,
    slots.capacity,
  );
  const running = new Map<number, { cameraId: string; quality: 'main' | 'sub'; player: TilePlayer }>();
  return {
    slots,
    videos,
    register(tile, info) {
      running.set(tile, info);
      return () => {
        if (running.get(tile) === info) running.delete(tile);
      };
    },
    diagnostics() {
      return {
        tiles: [...running.entries()].sort((a, b) => a[0] - b[0]).map(([tile, r]) => ({ tile, cameraId: r.cameraId, quality: r.quality, ...r.player.stats() })),
        slots: { capacity: slots.capacity, holders: slots.holders, queued: slots.queued() },
        videos: { created: videos.created, inUse: videos.inUse },
      };
    },
    setCapacity(cap) {
      slots.setCapacity(cap);
      videos.setCapacity(slots.capacity);
    },
  };
}

declare global {
  interface Window {
    /** read-only figures of the video wall's players, for tests and the benchmark */
    gridConsoleWall?: { diagnostics: WallPlayers['diagnostics'] };
  }
}

/** Exposes the wall's diagnostics on `window` while the wall exists. */
export function exposeDiagnostics(p: WallPlayers): () => void {
  const handle = { diagnostics: () => p.diagnostics() };
  window.gridConsoleWall = handle;
  return () => {
    if (window.gridConsoleWall === handle) delete window.gridConsoleWall;
  };
}
