import type { EventRecord } from '../../shared/schema';
import { categoryById, type Taxonomy } from '../../shared/taxonomy';
import { getLang, tMaybe, type Lang } from '../i18n';

const formats = new Map<Lang, Intl.DateTimeFormat>();

export function formatTime(ms: number): string {
  const lang = getLang();
  let f = formats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
    formats.set(lang, f);
  }
  return f.format(ms);
}

export function categoryName(tax: Taxonomy, id: string): string {
  const c = categoryById(tax, id);
  if (!c) return id;
  return getLang() === 'en' ? c.name.en : c.name.zh;
}

/** Ids are uuid v7: the tail tells events apart on a small screen. */
export const shortId = (id: string): string => (id.length > 10 ? `…${id.slice(-8)}` : id);

export const stateLabel = (e: EventRecord): string => tMaybe(`state.${e.state}`, e.state);
export const tierLabel = (e: EventRecord): string => tMaybe(`tier.${e.tier}`, e.tier);
