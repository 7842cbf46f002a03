/** How the console writes times, durations, places and names, in the current language. */
import type { EventRecord, Person, Principal, Source, TimelineEntry } from '../../shared/schema';
import type { QueueRow } from '../../shared/schema/console';
import { categoryById, DEFAULT_TAXONOMY } from '../../shared/taxonomy';
import { getLang, t, tMaybe, type Lang } from '../i18n';

const timeFormats = new Map<string, Intl.DateTimeFormat>();
function fmt(lang: Lang, withDate: boolean): Intl.DateTimeFormat {
  const key = `${lang}|${withDate}`;
  let f = timeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, {
      ...(withDate ? { month: '2-digit', day: '2-digit' } : {}),
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
    });
    timeFormats.set(key, f);
  }
  return f;
}

export function formatTime(ms: number, withDate = true): string {
  return fmt(getLang(), withDate).format(ms);
}

/** "3分" / "2时5分" / "1天4时": short enough for a column, exact enough to act on. */
export function formatDuration(ms: number): string {
  const en = getLang() === 'en';
  const m = Math.floor(Math.abs(ms) / 60_000);
  if (m < 1) return en ? '<1m' : '<1分';
  if (m < 60) return en ? `${m}m` : `${m}分`;
  const h = Math.floor(m / 60);
  if (h < 24) return en ? `${h}h${m % 60}m` : `${h}时${m % 60}分`;
  const d = Math.floor(h / 24);
  return en ? `${d}d${h % 24}h` : `${d}天${h % 24}时`;
}

export interface TimeLeft {
  text: string;
  overdue: boolean;
  /** under an hour left: shown as a warning before it turns red */
  soon: boolean;
}

export function timeLeft(e: EventRecord, now: number): TimeLeft | null {
  if (e.deadline === undefined) return null;
  const left = e.deadline - now;
  if (left < 0) return { text: `${t('queue.overdueBy')}${formatDuration(left)}`, overdue: true, soon: false };
  return { text: formatDuration(left), overdue: false, soon: left < 3_600_000 };
}

export function categoryName(id: string): string {
  const c = categoryById(DEFAULT_TAXONOMY, id);
  if (!c) return id;
  return getLang() === 'en' ? c.name.en : c.name.zh;
}

export const sourceName = (s: Source): string => tMaybe(`source.${s}`, s);
export const stateName = (s: string): string => tMaybe(`state.${s}`, s);
export const tierName = (s: string): string => tMaybe(`tier.${s}`, s);
export const roleName = (r: string): string => tMaybe(`role.${r}`, r === 'system' ? t('role.system') : t('role.other'));
export const principalRole = (p: Principal): string => roleName(p.role);

export function placeName(r: QueueRow): string {
  const parts = [r.townName, r.communityName, r.gridName].filter((x): x is string => !!x);
  return parts.length > 0 ? parts.join(' · ') : (r.event.address ?? '—');
}

export function actorName(entry: TimelineEntry, people: Record<string, Person>): string {
  if (entry.actorRole === 'system') return t('role.system');
  return people[entry.actorId]?.name ?? entry.actorId;
}

export function metres(m: number): string {
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
}
