/**
 * Alarm linkage (报警联动): which camera a new event puts on the wall's alarm tile. An urgent event
 * (tier special or escalated, or a category whose default tier is special) or a camera's own
 * report near a camera brings the nearest online camera up, for a set time, with a highlight.
 * Pure: the wall feeds it the new events and the cameras, and keeps the timer.
 */
import { distanceM } from '../../../shared/geo';
import type { NewEventBrief } from '../../../shared/schema/wall';
import type { Camera } from '../../../shared/schema';
import { categoryById, type Taxonomy } from '../../../shared/taxonomy';

export interface AlarmSettings {
  /** a camera this close to the event is linked (metres) */
  radiusM: number;
  /** how long the alarm tile shows it (ms) */
  holdMs: number;
}

export const DEFAULT_ALARM: AlarmSettings = { radiusM: 300, holdMs: 60_000 };

/** A camera's own report lies on the camera: within this distance the camera is taken as the source. */
const SAME_SPOT_M = 5;

export type AlarmReason = 'urgent' | 'camera';

export interface AlarmChoice {
  eventId: string;
  cameraId: string;
  distanceM: number;
  reason: AlarmReason;
}

/** Urgent: tier special or escalated, or a category the taxonomy files as special by default. */
export function isUrgent(e: Pick<NewEventBrief, 'tier' | 'categoryId'>, taxonomy?: Taxonomy): boolean {
  if (e.tier === 'special' || e.tier === 'escalated') return true;
  return taxonomy ? categoryById(taxonomy, e.categoryId)?.defaultTier === 'special' : false;
}

/**
 * The camera the event should bring up, or null: the event must be urgent or come from a camera,
 * and a camera must stand within the radius. The nearest online camera wins (an offline one shows
 * nothing); a camera's own report takes the camera it came from even when it is offline.
 */
export function chooseAlarmCamera(
  e: NewEventBrief,
  cameras: readonly Pick<Camera, 'id' | 'position' | 'online'>[],
  settings: Pick<AlarmSettings, 'radiusM'> = DEFAULT_ALARM,
  taxonomy?: Taxonomy,
): AlarmChoice | null {
  const fromCamera = e.source === 'camera';
  if (!fromCamera && !isUrgent(e, taxonomy)) return null;
  let best: { c: Pick<Camera, 'id' | 'position' | 'online'>; d: number } | undefined;
  for (const c of cameras) {
    const d = distanceM(e.position, c.position);
    if (d > settings.radiusM) continue;
    // a camera's own report names its camera: the one on the spot, whatever its state
    if (fromCamera && d <= SAME_SPOT_M) return { eventId: e.id, cameraId: c.id, distanceM: d, reason: 'camera' };
    if (!c.online) continue;
    if (!best || d < best.d || (d === best.d && c.id < best.c.id)) best = { c, d };
  }
  if (!best) return null;
  return { eventId: e.id, cameraId: best.c.id, distanceM: best.d, reason: fromCamera ? 'camera' : 'urgent' };
}

/** The alarm the wall shows now: the latest linked event, until its time is up. */
export interface ActiveAlarm extends AlarmChoice {
  until: number;
}

/**
 * Folds a batch of new events into the current alarm: the newest event that links a camera wins
 * (a newer alarm replaces an older one on the single alarm tile); an expired alarm is dropped.
 */
export function nextAlarm(
  current: ActiveAlarm | null,
  events: readonly NewEventBrief[],
  cameras: readonly Pick<Camera, 'id' | 'position' | 'online'>[],
  now: number,
  settings: AlarmSettings = DEFAULT_ALARM,
  taxonomy?: Taxonomy,
): ActiveAlarm | null {
  let out = current && current.until > now ? current : null;
  const newestFirst = [...events].sort((a, b) => b.reportedAt - a.reportedAt || (a.id < b.id ? 1 : -1));
  for (const e of newestFirst) {
    const choice = chooseAlarmCamera(e, cameras, settings, taxonomy);
    if (choice) {
      out = { ...choice, until: now + settings.holdMs };
      break;
    }
  }
  return out;
}
