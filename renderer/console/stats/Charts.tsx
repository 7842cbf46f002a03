/**
 * The statistics charts (recharts), for the console's statistics view (dark, sized by their card,
 * with tooltips) and the printed report (black on white, fixed sizes, no animation, so that the
 * page is complete the moment it is drawn). Each sits in a <figure data-chart="…">: the report
 * counts them before it says it is ready.
 */
import type { ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, ComposedChart, Legend, Line, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ENDED_BY_LABELS, SOURCE_LABELS } from '../../../shared/labels';
import type { StatsOverview } from '../../../shared/schema/stats';
import { ENDED_BY } from '../../../shared/stats';
import { share, type Lang } from './format';

export type ChartTheme = 'dark' | 'print';

const THEMES = {
  dark: { main: '#3ea6ff', second: '#8da2b8', grid: '#243447', text: '#8da2b8', slices: ['#2ecc71', '#3ea6ff', '#f5b041', '#ff5d5d'] },
  print: { main: '#333333', second: '#9a9a9a', grid: '#d0d0d0', text: '#000000', slices: ['#222222', '#6b6b6b', '#a8a8a8', '#d6d6d6'] },
} as const;

export interface ChartsProps {
  overview: StatsOverview;
  categoryName(id: string): string;
  theme: ChartTheme;
  lang: Lang;
  /** fixed size in CSS pixels (the report); without it a chart fills its card */
  size?: { width: number; height: number };
  /** how many categories the category chart shows */
  topCategories?: number;
}

const L = (lang: Lang, zh: string, en: string) => (lang === 'en' ? en : zh);

/** what recharts hands a pie's label renderer (the parts used here) */
interface PieLabelProps {
  x?: number;
  y?: number;
  textAnchor?: 'start' | 'middle' | 'end' | 'inherit';
  name?: string;
  value?: number | string;
}

/**
 * A chart's figure. `marks` is how many bars or slices it must draw (non-zero values): the report
 * waits for them before it says it is ready, and a chart with nothing to draw says so in words.
 */
function Frame(props: { id: string; title: string; size: ChartsProps['size']; marks: number; empty?: string; children: ReactNode }) {
  if (props.marks === 0 && props.empty) {
    return (
      <figure className="stats-chart" data-chart={props.id} data-marks={0}>
        <figcaption>{props.title}</figcaption>
        <p className="stats-chart-empty" data-empty="">
          {props.empty}
        </p>
      </figure>
    );
  }
  return (
    <figure className="stats-chart" data-chart={props.id} data-marks={props.marks}>
      <figcaption>{props.title}</figcaption>
      {props.size ? (
        props.children
      ) : (
        <div className="stats-chart-body">
          <ResponsiveContainer width="100%" height="100%" minWidth={100} minHeight={100}>
            {props.children as React.ReactElement}
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}

const sized = (size: ChartsProps['size']) => (size ? { width: size.width, height: size.height } : {});

export function IntakeByHourChart(p: ChartsProps) {
  const c = THEMES[p.theme];
  const interactive = p.theme === 'dark';
  const data = p.overview.intakeByHour.map((h) => ({ hour: `${h.hour}`, count: h.count, weekBefore: h.weekBefore }));
  const withWeek = p.overview.intakeByHour.some((h) => h.weekBefore !== null);
  return (
    <Frame id="intake-by-hour" title={L(p.lang, '分时段受理量（北京时间）', 'Intake by hour (CST)')} size={p.size} marks={data.filter((d) => d.count > 0).length}>
      <ComposedChart data={data} {...sized(p.size)} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
        <CartesianGrid stroke={c.grid} vertical={false} />
        <XAxis dataKey="hour" tick={{ fill: c.text, fontSize: 11 }} stroke={c.grid} interval={1} />
        <YAxis allowDecimals={false} tick={{ fill: c.text, fontSize: 11 }} stroke={c.grid} width={36} />
        {interactive && <Tooltip contentStyle={{ background: '#121b26', border: '1px solid #243447' }} />}
        <Legend wrapperStyle={{ fontSize: 11, color: c.text }} />
        <Bar dataKey="count" name={L(p.lang, '受理量', 'Intake')} fill={c.main} isAnimationActive={false} />
        {withWeek && <Line dataKey="weekBefore" name={L(p.lang, '上周同期', 'Week before')} stroke={c.second} strokeDasharray="4 3" dot={false} isAnimationActive={false} />}
      </ComposedChart>
    </Frame>
  );
}

function HorizontalBars(p: ChartsProps & { id: string; title: string; rows: { name: string; count: number }[] }) {
  const c = THEMES[p.theme];
  const interactive = p.theme === 'dark';
  return (
    <Frame id={p.id} title={p.title} size={p.size} marks={p.rows.filter((r) => r.count > 0).length} empty={L(p.lang, '期间无受理事件', 'No events in the period')}>
      <BarChart data={p.rows} layout="vertical" {...sized(p.size)} margin={{ top: 4, right: 36, bottom: 4, left: 4 }}>
        <CartesianGrid stroke={c.grid} horizontal={false} />
        <XAxis type="number" allowDecimals={false} tick={{ fill: c.text, fontSize: 11 }} stroke={c.grid} />
        <YAxis type="category" dataKey="name" width={96} tick={{ fill: c.text, fontSize: 11 }} stroke={c.grid} interval={0} />
        {interactive && <Tooltip contentStyle={{ background: '#121b26', border: '1px solid #243447' }} />}
        <Bar dataKey="count" name={L(p.lang, '受理量', 'Intake')} fill={c.main} maxBarSize={22} isAnimationActive={false} label={{ position: 'right', fill: c.text, fontSize: 11 }} />
      </BarChart>
    </Frame>
  );
}

export function SourceChart(p: ChartsProps) {
  const rows = [...p.overview.bySource]
    .sort((a, b) => b.count - a.count)
    .map((s) => ({ name: SOURCE_LABELS[s.source][p.lang === 'en' ? 'en' : 'zh'], count: s.count }));
  return <HorizontalBars {...p} id="by-source" title={L(p.lang, '按来源', 'By source')} rows={rows} />;
}

export function CategoryChart(p: ChartsProps) {
  const rows = [...p.overview.byCategory]
    .sort((a, b) => b.count - a.count)
    .slice(0, p.topCategories ?? 10)
    .map((x) => ({ name: p.categoryName(x.categoryId), count: x.count }));
  return <HorizontalBars {...p} id="by-category" title={L(p.lang, `按类别（前${p.topCategories ?? 10}）`, `By category (top ${p.topCategories ?? 10})`)} rows={rows} />;
}

export function EndedByChart(p: ChartsProps) {
  const c = THEMES[p.theme];
  const o = p.overview;
  const data = ENDED_BY.map((k) => ({ key: k, name: ENDED_BY_LABELS[k][p.lang === 'en' ? 'en' : 'zh'], count: o.endedBy[k] }));
  // room beside the pie for its labels ("网格内办结 12（60.0%）") on either side
  const radius = p.size ? Math.max(30, Math.min(p.size.height / 2 - 28, p.size.width / 2 - 170)) : '50%';
  return (
    <Frame
      id="ended-by"
      title={L(p.lang, `办结层级（结案${o.closed}件）`, `Where cases ended (${o.closed} closed)`)}
      size={p.size}
      marks={data.filter((d) => d.count > 0).length}
      empty={L(p.lang, '期间无结案事件', 'No events closed in the period')}
    >
      <PieChart {...sized(p.size)}>
        <Pie
          data={data.filter((d) => d.count > 0)}
          dataKey="count"
          nameKey="name"
          outerRadius={radius}
          isAnimationActive={false}
          stroke={p.theme === 'print' ? '#000' : '#121b26'}
          label={(l: PieLabelProps) => (
            <text x={l.x} y={l.y} textAnchor={l.textAnchor} dominantBaseline="central" fill={c.text} fontSize={11}>
              {`${l.name ?? ''} ${l.value ?? 0}（${share(Number(l.value ?? 0), o.closed)}）`}
            </text>
          )}
          labelLine
        >
          {data
            .filter((d) => d.count > 0)
            .map((d) => (
              <Cell key={d.key} fill={c.slices[ENDED_BY.indexOf(d.key)]} />
            ))}
        </Pie>
        {p.theme === 'dark' && <Tooltip contentStyle={{ background: '#121b26', border: '1px solid #243447' }} />}
      </PieChart>
    </Frame>
  );
}
