/**
 * The wall screen's panels: recharts at the size each panel measures (no animation: a wall runs all
 * day on a small PC), big type, and a plain state when there is nothing to draw ("no data", "stale
 * since hh:mm", the error) instead of a blank box. Nothing needs a mouse: no tooltips, no hover.
 *
 * Every panel carries `data-panel`, `data-state` (ok, stale, empty, loading, error) and `data-filled`
 * (it draws figures), which the tests read.
 */
import { useEffect, useLayoutEffect, useMemo, useState, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, ComposedChart, LabelList, Line, Pie, PieChart, XAxis, YAxis } from 'recharts';
import { ENDED_BY_LABELS } from '../../shared/labels';
import type { OrgUnit, OverdueItem, StatsOverview, Tier } from '../../shared/schema';
import type { WallPanel } from '../../shared/schema/wall-screen';
import { cstHour, ENDED_BY } from '../../shared/stats';
import { formatDuration, sourceName, stateName, tierName } from '../console/format';
import { getLang, t, useLang } from '../i18n';
import { TIER_COLOR } from '../map/overlays';
import type { Answer } from './data';
import { hourSeries, openByState, openByTier, overdueRows, pageOf, percentages, topN, type TickerItem } from './layout';

export const COLORS = {
  accent: '#3ea6ff',
  week: '#c4b5fd',
  grid: '#22344a',
  axis: '#9fb3c8',
  text: '#e6eef7',
  ok: '#34d399',
  bad: '#ff5d5d',
  dim: '#2a3b50',
  endedBy: { grid: '#34d399', town: '#3ea6ff', departments: '#f5b041', enforcement: '#ff6b6b' },
} as const;

/** pages of the overdue list and the ticker turn this often */
export const PAGE_MS = 8_000;

const cstTime = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false });
export const hhmm = (ms: number): string => cstTime.format(ms);

/* ---------- sizes ---------- */

/**
 * The element's content size, kept up to date (charts are drawn at exactly this size). A callback
 * ref: the element may appear later than the component (a panel's list shows once it has data).
 */
export function useSize<T extends HTMLElement>(): [(el: T | null) => void, { w: number; h: number }] {
  const [el, setEl] = useState<T | null>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  useLayoutEffect(() => {
    if (!el) return;
    const read = () => {
      const w = Math.floor(el.clientWidth);
      const h = Math.floor(el.clientHeight);
      setSize((s) => (s.w === w && s.h === h ? s : { w, h }));
    };
    read();
    const ro = new ResizeObserver(read);
    ro.observe(el);
    return () => ro.disconnect();
  }, [el]);
  return [setEl, size];
}

/** A page turner: counts up every `ms` while `on` (a list longer than a page). */
export function usePager(on: boolean, ms = PAGE_MS): number {
  const [step, setStep] = useState(0);
  useEffect(() => {
    if (!on) return;
    const h = setInterval(() => setStep((s) => (s + 1) % 1_000_000), ms);
    return () => clearInterval(h);
  }, [on, ms]);
  return step;
}

/* ---------- the frame every panel shares ---------- */

export type PanelId = WallPanel | 'map' | 'cameras';
type Meta = Pick<Answer<unknown>, 'fetchedAt' | 'stale' | 'error'> & { loaded: boolean };

export const metaOf = (a: Answer<unknown>): Meta => ({ fetchedAt: a.fetchedAt, stale: a.stale, error: a.error, loaded: a.data !== null || a.error !== null });

export function Panel(props: {
  id: PanelId;
  title: string;
  meta: Meta;
  /** there is something to draw: the children show (else the panel's state does) */
  filled: boolean;
  /** what `data-filled` says when it differs from `filled` (the map: its canvas shows before it has drawn) */
  drawn?: boolean;
  empty?: string | undefined;
  extra?: ReactNode;
  className?: string;
  children?: ReactNode;
}) {
  useLang();
  const { meta, filled } = props;
  const hasData = meta.fetchedAt !== null;
  const state = !meta.loaded ? 'loading' : !hasData && meta.error ? 'error' : meta.stale ? 'stale' : filled ? 'ok' : 'empty';
  return (
    <section className={`ws-panel ${props.className ?? ''}`} data-panel={props.id} data-state={state} data-filled={(props.drawn ?? filled) ? '1' : '0'} aria-label={props.title}>
      <header className="ws-panel-head">
        <h2>{props.title}</h2>
        {props.extra}
        {meta.stale && meta.fetchedAt !== null && (
          <span className="ws-stale" data-testid={`stale-${props.id}`}>
            {t('ws.staleSince')} {hhmm(meta.fetchedAt)}
          </span>
        )}
      </header>
      <div className="ws-panel-body">
        {filled ? (
          props.children
        ) : (
          <div className="ws-empty">
            {state === 'loading' ? t('ws.loading') : state === 'error' ? `${t('ws.error')}${meta.error}` : (props.empty ?? t('ws.noData'))}
          </div>
        )}
      </div>
    </section>
  );
}

/** The chart area: measured, and the chart drawn only once it has a size. */
function ChartBox(props: { children: (w: number, h: number) => ReactNode; className?: string }) {
  const [ref, size] = useSize<HTMLDivElement>();
  return (
    <div ref={ref} className={`ws-chart ${props.className ?? ''}`}>
      {size.w > 0 && size.h > 0 && props.children(size.w, size.h)}
    </div>
  );
}

interface Ctx {
  /** pixels per 1 % of the screen height: every size in the charts follows it */
  u: number;
}
const tick = (c: Ctx, size = 1.5) => ({ fill: COLORS.axis, fontSize: Math.round(c.u * size) });

/* ---------- intake by hour ---------- */

export function IntakePanel(props: { answer: Answer<StatsOverview>; ctx: Ctx }) {
  useLang();
  const d = props.answer.data;
  const nowHour = d ? cstHour(d.at) : 0;
  const series = useMemo(() => (d ? hourSeries(d.intakeByHour, nowHour) : []), [d, nowHour]);
  const weekSoFar = d ? d.intakeByHour.filter((h) => h.hour <= nowHour).reduce((s, h) => s + (h.weekBefore ?? 0), 0) : 0;
  const filled = d !== null && (d.intake > 0 || d.intakeByHour.some((h) => (h.weekBefore ?? 0) > 0));
  const { u } = props.ctx;
  return (
    <Panel
      id="intake"
      title={t('ws.panel.intake')}
      meta={metaOf(props.answer)}
      filled={filled}
      extra={
        d && (
          <span className="ws-kpi">
            <i className="ws-swatch" style={{ background: COLORS.accent }} />
            {t('ws.today')} <b data-testid="intake-today">{d.intake}</b>
            <i className="ws-swatch ws-swatch-line" style={{ borderColor: COLORS.week }} />
            {t('ws.weekBefore')} <b>{weekSoFar}</b>
          </span>
        )
      }
    >
      <ChartBox>
        {(w, h) => (
          <ComposedChart width={w} height={h} data={series} margin={{ top: u * 0.8, right: u * 0.8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke={COLORS.grid} vertical={false} />
            <XAxis dataKey="hour" tick={tick(props.ctx)} interval={w < u * 60 ? 3 : 1} tickLine={false} axisLine={{ stroke: COLORS.grid }} />
            <YAxis allowDecimals={false} width={u * 4.5} tick={tick(props.ctx)} tickLine={false} axisLine={false} />
            <Bar dataKey="today" fill={COLORS.accent} isAnimationActive={false} />
            <Line dataKey="weekBefore" stroke={COLORS.week} strokeWidth={Math.max(2, u * 0.3)} strokeDasharray={`${u} ${u * 0.6}`} dot={false} isAnimationActive={false} connectNulls />
          </ComposedChart>
        )}
      </ChartBox>
    </Panel>
  );
}

/* ---------- horizontal bars: sources, categories ---------- */

function HBars(props: { rows: { name: string; count: number; color?: string }[]; ctx: Ctx }) {
  const { u } = props.ctx;
  const longest = Math.max(2, ...props.rows.map((r) => [...r.name].length));
  return (
    <ChartBox>
      {(w, h) => (
        <BarChart layout="vertical" width={w} height={h} data={props.rows} margin={{ top: 0, right: u * 5, bottom: 0, left: 0 }} barCategoryGap="18%">
          <XAxis type="number" hide allowDecimals={false} />
          <YAxis type="category" dataKey="name" width={Math.min(w * 0.45, u * 1.6 * longest + u)} tick={tick(props.ctx, 1.6)} tickLine={false} axisLine={false} interval={0} />
          <Bar dataKey="count" isAnimationActive={false} fill={COLORS.accent}>
            {props.rows.map((r) => (
              <Cell key={r.name} fill={r.color ?? COLORS.accent} />
            ))}
            <LabelList dataKey="count" position="right" fill={COLORS.text} fontSize={Math.round(u * 1.6)} />
          </Bar>
        </BarChart>
      )}
    </ChartBox>
  );
}

export function SourcesPanel(props: { answer: Answer<StatsOverview>; ctx: Ctx }) {
  useLang();
  const d = props.answer.data;
  const rows = (d?.bySource ?? [])
    .filter((s) => s.count > 0)
    .sort((a, b) => b.count - a.count)
    .map((s) => ({ name: sourceName(s.source), count: s.count }));
  return (
    <Panel id="sources" title={t('ws.panel.sources')} meta={metaOf(props.answer)} filled={rows.length > 0}>
      <HBars rows={rows} ctx={props.ctx} />
    </Panel>
  );
}

export function CategoriesPanel(props: { answer: Answer<StatsOverview>; ctx: Ctx; categoryName: (id: string) => string; top: number }) {
  useLang();
  const d = props.answer.data;
  const rows = topN(d?.byCategory ?? [], props.top, (r) => r.categoryId).map((r) => ({
    name: r.other ? t('ws.other') : props.categoryName(r.key),
    count: r.count,
    ...(r.other ? { color: COLORS.dim } : {}),
  }));
  return (
    <Panel id="categories" title={t('ws.panel.categories')} meta={metaOf(props.answer)} filled={rows.length > 0}>
      <HBars rows={rows} ctx={props.ctx} />
    </Panel>
  );
}

/* ---------- open events by state and tier ---------- */

const TIERS_DRAWN: readonly Tier[] = ['general', 'escalated', 'special'];

export function OpenPanel(props: { answer: Answer<StatsOverview>; ctx: Ctx }) {
  useLang();
  const d = props.answer.data;
  const rows = useMemo(() => (d ? openByState(d.open).map((r) => ({ ...r, name: stateName(r.state) })) : []), [d]);
  const tiers = d ? openByTier(d.open) : null;
  const total = rows.reduce((s, r) => s + r.total, 0);
  const { u } = props.ctx;
  return (
    <Panel
      id="open"
      title={t('ws.panel.open')}
      meta={metaOf(props.answer)}
      filled={total > 0}
      extra={
        tiers && (
          <span className="ws-kpi">
            <b data-testid="open-total">{total}</b>
            {[...TIERS_DRAWN].reverse().map((tier) => (
              <span key={tier} className="ws-tierchip">
                <i className="ws-swatch" style={{ background: TIER_COLOR[tier] }} />
                {tierName(tier)} {tiers[tier]}
              </span>
            ))}
          </span>
        )
      }
    >
      <ChartBox>
        {(w, h) => (
          <BarChart layout="vertical" width={w} height={h} data={rows} margin={{ top: 0, right: u * 5, bottom: 0, left: 0 }} barCategoryGap="15%">
            <XAxis type="number" hide allowDecimals={false} />
            <YAxis type="category" dataKey="name" width={u * 7} tick={tick(props.ctx, 1.5)} tickLine={false} axisLine={false} interval={0} />
            {TIERS_DRAWN.map((tier, i) => (
              <Bar key={tier} dataKey={tier} stackId="tier" fill={TIER_COLOR[tier]} isAnimationActive={false}>
                {i === TIERS_DRAWN.length - 1 && <LabelList dataKey="total" position="right" fill={COLORS.text} fontSize={Math.round(u * 1.5)} />}
              </Bar>
            ))}
          </BarChart>
        )}
      </ChartBox>
    </Panel>
  );
}

/* ---------- rates this month ---------- */

function Gauge(props: { label: string; rate: StatsOverview['closureRate'] | undefined; color: string; testId: string }) {
  const v = props.rate?.value ?? null;
  const data = v === null ? [{ v: 1, c: COLORS.dim }] : [
    { v: Math.max(v, 0.0001), c: props.color },
    { v: Math.max(1 - v, 0.0001), c: COLORS.dim },
  ];
  return (
    <div className="ws-gauge" data-testid={props.testId}>
      <ChartBox className="ws-gauge-arc">
        {(w, h) => {
          const r = Math.max(4, Math.min(w / 2, h) - 2);
          return (
            <PieChart width={w} height={h} margin={{ top: 0, right: 0, bottom: 0, left: 0 }}>
              <Pie data={data} dataKey="v" cx={w / 2} cy={h - 1} startAngle={180} endAngle={0} innerRadius={r * 0.7} outerRadius={r} stroke="none" isAnimationActive={false}>
                {data.map((d, i) => (
                  <Cell key={i} fill={d.c} />
                ))}
              </Pie>
            </PieChart>
          );
        }}
      </ChartBox>
      <div className="ws-gauge-value">{v === null ? '—' : `${(v * 100).toFixed(1)}%`}</div>
      <div className="ws-gauge-label">
        {props.label}
        {props.rate && props.rate.denominator > 0 && (
          <span className="ws-muted">
            {' '}
            {props.rate.numerator}/{props.rate.denominator}
          </span>
        )}
      </div>
    </div>
  );
}

export function RatesPanel(props: { answer: Answer<StatsOverview> }) {
  useLang();
  const d = props.answer.data;
  const filled = d !== null && (d.closureRate.value !== null || d.onTimeRate.value !== null);
  return (
    <Panel
      id="rates"
      title={t('ws.panel.rates')}
      meta={metaOf(props.answer)}
      filled={filled}
      extra={
        d && d.satisfactionRate.value !== null && (
          <span className="ws-kpi">
            {t('ws.satisfaction')} <b>{(d.satisfactionRate.value * 100).toFixed(1)}%</b>
          </span>
        )
      }
    >
      <div className="ws-gauges">
        <Gauge label={t('ws.closureRate')} rate={d?.closureRate} color={COLORS.ok} testId="rate-closure" />
        <Gauge label={t('ws.onTimeRate')} rate={d?.onTimeRate} color={COLORS.accent} testId="rate-ontime" />
      </div>
    </Panel>
  );
}

/* ---------- where cases ended this month ---------- */

/** the reports' targets (Wujiang): 70 % in the grid, 20 % up to the town or departments, under 10 % by enforcement */
const ENDED_TARGET: Record<(typeof ENDED_BY)[number], string> = { grid: '≥70%', town: '', departments: '', enforcement: '<10%' };

function Donut(props: { parts: { v: number; c: string }[] }) {
  return (
    <ChartBox className="ws-donut">
      {(w, h) => {
        const r = Math.max(4, Math.min(w, h) / 2 - 2);
        return (
          <PieChart width={w} height={h} margin={{ top: 0, right: 0, bottom: 0, left: 0 }}>
            <Pie data={props.parts} dataKey="v" cx={w / 2} cy={h / 2} innerRadius={r * 0.58} outerRadius={r} stroke="none" startAngle={90} endAngle={-270} isAnimationActive={false}>
              {props.parts.map((p, i) => (
                <Cell key={i} fill={p.c} />
              ))}
            </Pie>
          </PieChart>
        );
      }}
    </ChartBox>
  );
}

export function EndedByPanel(props: { answer: Answer<StatsOverview> }) {
  const lang = useLang();
  const d = props.answer.data;
  const counts = ENDED_BY.map((k) => d?.endedBy[k] ?? 0);
  const pct = percentages(counts);
  const filled = d !== null && pct !== null;
  return (
    <Panel id="endedBy" title={t('ws.panel.endedBy')} meta={metaOf(props.answer)} filled={filled}>
      <div className="ws-split">
        <Donut parts={ENDED_BY.map((k, i) => ({ v: counts[i]!, c: COLORS.endedBy[k] })).filter((p) => p.v > 0)} />
        <ul className="ws-legend">
          {ENDED_BY.map((k, i) => (
            <li key={k}>
              <i className="ws-swatch" style={{ background: COLORS.endedBy[k] }} />
              <span className="ws-legend-name">{ENDED_BY_LABELS[k][lang === 'en' ? 'en' : 'zh']}</span>
              <b>{pct ? `${pct[i]}%` : '—'}</b>
              {ENDED_TARGET[k] && (
                <span className="ws-muted ws-target">
                  {t('ws.target')}
                  {ENDED_TARGET[k]}
                </span>
              )}
            </li>
          ))}
        </ul>
      </div>
    </Panel>
  );
}

/* ---------- leaders on duty now ---------- */

export function DutyPanel(props: { answer: Answer<StatsOverview> }) {
  useLang();
  const d = props.answer.data?.leadersOnDuty;
  const filled = d !== undefined && d.total > 0;
  return (
    <Panel id="duty" title={t('ws.panel.duty')} meta={metaOf(props.answer)} filled={filled}>
      {d && (
        <div className="ws-split">
          <Donut
            parts={[
              { v: d.onDuty, c: COLORS.ok },
              { v: Math.max(0, d.total - d.onDuty), c: COLORS.dim },
            ].filter((p) => p.v > 0)}
          />
          <div className="ws-duty">
            <div className="ws-big" data-testid="duty-on">
              {d.onDuty}
            </div>
            <div className="ws-muted">
              {t('ws.onDuty')} · {t('ws.of')} {d.total} · {d.total > 0 ? Math.round((d.onDuty * 100) / d.total) : 0}%
            </div>
          </div>
        </div>
      )}
    </Panel>
  );
}

/* ---------- the overdue list (督办) ---------- */

export function OverduePanel(props: {
  answer: Answer<OverdueItem[]>;
  hubNow: () => number;
  count: number | null;
  categoryName: (id: string) => string;
  towns: ReadonlyMap<string, OrgUnit>;
  people: ReadonlyMap<string, string>;
  ctx: Ctx;
}) {
  useLang();
  const [ref, size] = useSize<HTMLDivElement>();
  const items = props.answer.data ?? [];
  // rows that fit: a row is 3.4 % of the screen's height (the list's CSS says the same)
  const perPage = Math.max(1, Math.floor(size.h / (props.ctx.u * 3.4)));
  const step = usePager(items.length > perPage);
  const rows = overdueRows(items, props.hubNow());
  const page = pageOf(rows, perPage, step);
  return (
    <Panel
      id="overdue"
      title={t('ws.panel.overdue')}
      meta={metaOf(props.answer)}
      filled={items.length > 0}
      empty={props.answer.data ? t('ws.noOverdue') : undefined}
      extra={
        items.length > 0 && (
          <span className="ws-kpi">
            <b className="ws-bad" data-testid="overdue-count">
              {props.count ?? items.length}
            </b>
            {t('ws.items')}
            {page.pages > 1 && (
              <span className="ws-muted">
                {' '}
                {page.page + 1}/{page.pages}
              </span>
            )}
          </span>
        )
      }
    >
      <div ref={ref} className="ws-list" data-testid="overdue-list">
        {page.items.map((r) => {
          const town = r.townId ? props.towns.get(r.townId)?.name : undefined;
          const who = r.assigneeId ? props.people.get(r.assigneeId) : undefined;
          return (
            <div key={r.id} className="ws-row" data-event={r.id}>
              <span className="ws-bad ws-nowrap">
                {t('ws.overdueBy')}
                {formatDuration(r.overdueMs)}
              </span>
              <span className="ws-ellipsis">
                <i className="ws-swatch" style={{ background: TIER_COLOR[r.tier] }} />
                {props.categoryName(r.categoryId)}
              </span>
              <span className="ws-ellipsis ws-muted">{town ?? '—'}</span>
              <span className="ws-ellipsis">{who ?? stateName(r.state)}</span>
            </div>
          );
        })}
      </div>
    </Panel>
  );
}

/* ---------- the ticker of urgent events ---------- */

export function TickerPanel(props: { items: TickerItem[]; loaded: boolean; error: string | null; perPage: number; categoryName: (id: string) => string }) {
  useLang();
  const step = usePager(props.items.length > props.perPage);
  // fresh ones first: what just happened is what the room must see
  const ordered = useMemo(() => [...props.items.filter((x) => x.fresh), ...props.items.filter((x) => !x.fresh)], [props.items]);
  const page = pageOf(ordered, props.perPage, step);
  const meta: Meta = { fetchedAt: props.loaded ? 0 : null, stale: false, error: props.error, loaded: props.loaded || props.error !== null };
  return (
    <Panel id="ticker" className="ws-ticker" title={t('ws.panel.ticker')} meta={meta} filled={props.items.length > 0} empty={t('ws.tickerEmpty')}>
      <ol className="ws-ticker-items" style={{ ['--per' as string]: props.perPage }}>
        {page.items.map((x) => (
          <li key={x.id} className={`ws-tick ws-tick-${x.tier}${x.fresh ? ' ws-fresh' : ''}`} data-event={x.id} data-fresh={x.fresh ? '1' : '0'}>
            {x.fresh && <span className="ws-new">{t('ws.new')}</span>}
            <span className="ws-nowrap">{hhmm(x.reportedAt)}</span>
            <span className="ws-tierchip ws-nowrap">{tierName(x.tier)}</span>
            <span className="ws-ellipsis ws-tick-text">
              <b>{props.categoryName(x.categoryId)}</b> {x.address ?? ''}
            </span>
          </li>
        ))}
      </ol>
    </Panel>
  );
}

/** Category names in the page's language, from the district's taxonomy (the core's reference data). */
export function categoryNamer(categories: readonly { id: string; zh: string; en: string }[], fallback: (id: string) => string): (id: string) => string {
  const byId = new Map(categories.map((c) => [c.id, c]));
  return (id) => {
    const c = byId.get(id);
    return c ? (getLang() === 'en' ? c.en : c.zh) : fallback(id);
  };
}
