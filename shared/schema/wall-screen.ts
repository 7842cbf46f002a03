import { z } from 'zod';
import { Id, Timestamp } from './common';

/**
 * The wall screen (指挥中心大屏): what it shows, as the duty chief chose it from the console. The
 * console core keeps one record in its cache (electron/core/console/wall-screen.ts) and tells every
 * page when it changes (the `wallScreen` notice), so the wall follows at once and after a restart.
 */

/** The panels around the map, in the order they are laid out. */
export const WALL_PANELS = ['intake', 'sources', 'categories', 'open', 'rates', 'endedBy', 'duty', 'overdue', 'ticker'] as const;
export const WallPanel = z.enum(WALL_PANELS);
export type WallPanel = z.infer<typeof WallPanel>;

/**
 * `standard`: 16:9 (1920×1080, 3840×2160): panels left and right of the map, camera tiles under it.
 * `wide`: 32:9 (3840×1080): camera tiles left of the map, panels in two columns right of it.
 * `auto` picks by the screen's shape.
 */
export const WALL_SCREEN_LAYOUTS = ['auto', 'standard', 'wide'] as const;
export const WallScreenLayout = z.enum(WALL_SCREEN_LAYOUTS);
export type WallScreenLayout = z.infer<typeof WallScreenLayout>;

/** The most camera tiles a layout has (wide: 2 × 3). */
export const MAX_WALL_SCREEN_TILES = 6;

/** Which cameras the tiles show: a tour through the online cameras, or the ones chosen. */
export const WallScreenCameras = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('tour'), intervalS: z.number().int().min(5, 'at least 5 seconds').max(3600, 'at most an hour') }).strict(),
  z.object({ mode: z.literal('fixed'), cameraIds: z.array(Id).min(1, 'choose at least one camera').max(MAX_WALL_SCREEN_TILES) }).strict(),
]);
export type WallScreenCameras = z.infer<typeof WallScreenCameras>;

/** An event put on the wall (上大屏): the map shows it, its nearest camera comes up, its details show. */
export const WallFocus = z
  .object({
    eventId: Id,
    /** when it was put up (ms since the epoch) */
    at: Timestamp,
    /** who put it up (the principal's display name) */
    by: z.string().max(100).optional(),
  })
  .strict();
export type WallFocus = z.infer<typeof WallFocus>;

const uniquePanels = (ps: readonly string[]) => new Set(ps).size === ps.length;

export const WallScreenState = z
  .object({
    layout: WallScreenLayout,
    /** the panels shown (the map and the cameras always are) */
    panels: z.array(WallPanel).max(WALL_PANELS.length).refine(uniquePanels, 'a panel is listed twice'),
    cameras: WallScreenCameras,
    focus: WallFocus.nullable(),
    /** counts every change: a page ignores a notice older than what it shows */
    rev: z.number().int().min(0),
    updatedAt: Timestamp,
  })
  .strict();
export type WallScreenState = z.infer<typeof WallScreenState>;

/** What a console page changes; what it leaves out stays. `focus: null` takes the event off the wall. */
export const WallScreenPatch = z
  .object({
    layout: WallScreenLayout.optional(),
    panels: z.array(WallPanel).max(WALL_PANELS.length).refine(uniquePanels, 'a panel is listed twice').optional(),
    cameras: WallScreenCameras.optional(),
    focus: z.object({ eventId: Id }).strict().nullable().optional(),
  })
  .strict();
export type WallScreenPatch = z.infer<typeof WallScreenPatch>;

export const DEFAULT_WALL_SCREEN: WallScreenState = {
  layout: 'auto',
  panels: [...WALL_PANELS],
  cameras: { mode: 'tour', intervalS: 20 },
  focus: null,
  rev: 0,
  updatedAt: 0,
};
