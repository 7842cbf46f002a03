/**
 * Periods and figures as the statistics view and the report show them: CST calendar dates, rates
 * as percentages with one decimal (the workbook's 0.0%), and a period's name when it has one.
 * Pure (no DOM): the report's summary and its tests use the same words.
 */
import { CST_OFFSET_MS, DAY_MS } from '../../../shared/deadline';
import { LEDGER_PERIODS, ledgerPeriod, type LedgerPeriod } from '../../../shared/ledgers';
import { cstDate, periodOf, PERIOD_KINDS, type Period, type PeriodKind, type Rate } from '../../../shared/stats';

/** the longest period the hub answers (shared/schema/stats.ts) */
export const MAX_PERIOD_DAYS = 400;

export type Lang = 'zh-CN' | 'en';

/** A rate as a percentage with one decimal ("83.3%"), or "—" when nothing was counted. */
export function pct(r: Pick<Rate, 'value'>): string {
  return r.value === null ? '—' : `${(Math.round(r.value * 1000) / 10).toFixed(1)}%`;
}

/** `part` of `whole` as a percentage with one decimal, or "—" when the whole is 0. */
export const share = (part: number, whole: number): string => pct({ value: whole > 0 ? part / whole : null });

/** The CST calendar date of `ms` as YYYY-MM-DD. */
export const cstDay = (ms: number): string => new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 10);

/** The CST wall-clock time of `ms` as YYYY-MM-DD HH:mm. */
export const cstDateTime = (ms: number): string => new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');

/** 00:00 CST of a YYYY-MM-DD date, or null for anything else. */
export function parseCstDay(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = cstDate(y, mo, d);
  // 2026-02-31 would roll into March: not a date
  return cstDay(ms) === s ? ms : null;
}

/** A date in Chinese: 2026年3月1日. */
function zhDate(ms: number): string {
  const [y, m, d] = cstDay(ms).split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** A half-open period [from, to) as the CST days it covers: "2026年3月1日至2026年3月31日", "2026-03-01 – 2026-03-31". */
export function periodLabel(p: Period, lang: Lang): string {
  const last = p.to - 1;
  const oneDay = cstDay(p.from) === cstDay(last);
  if (lang === 'en') return oneDay ? cstDay(p.from) : `${cstDay(p.from)} – ${cstDay(last)}`;
  return oneDay ? zhDate(p.from) : `${zhDate(p.from)}至${zhDate(last)}`;
}

const KIND_NAMES: Record<PeriodKind, { zh: string; en: string }> = {
  today: { zh: '今日', en: 'Today' },
  yesterday: { zh: '昨日', en: 'Yesterday' },
  this_week: { zh: '本周', en: 'This week' },
  last_week: { zh: '上周', en: 'Last week' },
  this_month: { zh: '本月', en: 'This month' },
  last_month: { zh: '上月', en: 'Last month' },
  this_quarter: { zh: '本季度', en: 'This quarter' },
  this_year: { zh: '本年度', en: 'This year' },
};

export const periodKindName = (kind: PeriodKind, lang: Lang): string => KIND_NAMES[kind][lang === 'en' ? 'en' : 'zh'];

export const isPeriodKind = (s: string | null | undefined): s is PeriodKind => (PERIOD_KINDS as readonly string[]).includes(s ?? '');

/** What the period chooser holds: a named period, or custom CST dates (both inclusive). */
export type PeriodChoice = { kind: PeriodKind } | { kind: 'custom'; fromDay: string; toDay: string };

/** The period a choice means now, or why it means none (the words are the view's). */
export function periodOfChoice(c: PeriodChoice, now: number): { period: Period } | { problem: 'dates' | 'order' | 'span' } {
  if (c.kind !== 'custom') return { period: periodOf(c.kind, now) };
  const from = parseCstDay(c.fromDay);
  const last = parseCstDay(c.toDay);
  if (from === null || last === null) return { problem: 'dates' };
  const to = last + DAY_MS;
  if (to <= from) return { problem: 'order' };
  if (to - from > MAX_PERIOD_DAYS * DAY_MS) return { problem: 'span' };
  return { period: { from, to } };
}

/** A whole number with thousands separators, as both languages write them. */
export const num = (n: number): string => n.toLocaleString('en-US');

/**
 * The ledger period (a kind and a CST date in it) that covers exactly these days, if any: ledgers
 * and the three rates are kept by calendar day, week, month, quarter and year.
 */
export function ledgerAskOf(p: Period, townId?: string): { period: LedgerPeriod; date: string; townId?: string } | null {
  const date = cstDay(p.from);
  for (const kind of LEDGER_PERIODS) {
    const l = ledgerPeriod(kind, date);
    if (l.from === p.from && l.to === p.to) return { period: kind, date, ...(townId ? { townId } : {}) };
  }
  return null;
}
