import { z } from 'zod';
import { AttachmentHash, Id, Timestamp } from './common';
import { Camera, EventRecord } from './entities';

/**
 * What the video wall asks of the console core (shared/schema/console.ts carries the requests):
 * the cameras with stream URLs the page can play as they are, the console's saved wall layouts,
 * and snapshots uploaded as evidence.
 */

/* ---------- cameras ---------- */

/** An absolute http(s) URL: the page hands it to hls.js as it is. */
export const StreamUrl = z
  .string()
  .max(2000)
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL');

/**
 * A camera as the wall plays it: the registry's record (its `mainUrl`/`subUrl` may be relative to
 * the hub's media origins) with both streams resolved to absolute URLs by the core. A stream the
 * core could not resolve (a URL that is neither a path nor http(s)) is left out, with the reason.
 */
export const WallCamera = Camera.extend({
  mainStream: StreamUrl.optional(),
  subStream: StreamUrl.optional(),
  streamProblem: z.string().max(300).optional(),
});
export type WallCamera = z.infer<typeof WallCamera>;

export const WallCameras = z
  .object({
    cameras: z.array(WallCamera),
    /** the hub's media origins the relative URLs were resolved against (several, for Chromium's 6 connections per origin) */
    origins: z.array(z.string()),
  })
  .strict();
export type WallCameras = z.infer<typeof WallCameras>;

/* ---------- layouts ---------- */

/** Tiles per layout: 1×1 up to 6×6. */
export const WALL_SIZES = [1, 4, 9, 16, 25, 36] as const;
export const WallSize = z.literal(WALL_SIZES);
export type WallSize = z.infer<typeof WallSize>;

export const WallLayoutName = z.string().trim().min(1, 'must not be empty').max(60, 'must be at most 60 characters');

/** The tour: the wall pages through these cameras (all cameras when the list is empty), one page per interval. */
export const WallTour = z
  .object({
    intervalS: z.number().int().min(5, 'at least 5 seconds').max(3600, 'at most an hour'),
    cameraIds: z.array(Id).max(2000),
  })
  .strict();
export type WallTour = z.infer<typeof WallTour>;

const layoutShape = {
  name: WallLayoutName,
  size: WallSize,
  /** the camera on each tile in reading order (null: an empty tile); exactly `size` entries */
  tiles: z.array(Id.nullable()).max(36),
  tour: WallTour.optional(),
};
const tilesMatchSize = (l: { size: number; tiles: unknown[] }) => l.tiles.length === l.size;
const tilesMessage = { message: 'needs exactly one entry per tile (size entries)', path: ['tiles'] };

/** A layout as the page saves it. */
export const WallLayoutInput = z.object(layoutShape).strict().refine(tilesMatchSize, tilesMessage);
export type WallLayoutInput = z.infer<typeof WallLayoutInput>;

/** A saved layout, named and kept per console in its cache. */
export const WallLayout = z
  .object({ ...layoutShape, updatedAt: Timestamp })
  .strict()
  .refine(tilesMatchSize, tilesMessage);
export type WallLayout = z.infer<typeof WallLayout>;

export const MAX_WALL_LAYOUTS = 200;

/* ---------- snapshots as evidence ---------- */

/**
 * The largest snapshot the page may send: its base64 must fit the console host's 1 MiB WebSocket
 * message with room to spare. A 1080p JPEG at the page's quality is well under it.
 */
export const MAX_EVIDENCE_BYTES = 700 * 1024;
export const EVIDENCE_MIMES = ['image/jpeg', 'image/png'] as const;

export const EvidenceUpload = z
  .object({
    mime: z.enum(EVIDENCE_MIMES),
    /** the bytes, base64 (no data: prefix) */
    data: z
      .base64('must be base64')
      .min(4, 'must not be empty')
      .max(Math.ceil(MAX_EVIDENCE_BYTES / 3) * 4, `must be at most ${MAX_EVIDENCE_BYTES} bytes (base64 ${Math.ceil(MAX_EVIDENCE_BYTES / 3) * 4} characters)`),
  })
  .strict();
export type EvidenceUpload = z.infer<typeof EvidenceUpload>;

export const UploadedEvidence = z
  .object({
    hash: AttachmentHash,
    mime: z.string(),
    size: z.number().int().min(0),
    /** the hub was out of reach: kept by the console and uploaded ahead of the command that attaches it */
    pending: z.boolean().optional(),
  })
  .strict();
export type UploadedEvidence = z.infer<typeof UploadedEvidence>;

/* ---------- new events, for alarm linkage ---------- */

/** What the wall needs of an event that just arrived: where, how urgent, from which source. */
export const NewEventBrief = EventRecord.pick({
  id: true,
  categoryId: true,
  tier: true,
  source: true,
  state: true,
  position: true,
  address: true,
  reportedAt: true,
});
export type NewEventBrief = z.infer<typeof NewEventBrief>;
