/**
 * The breakdown by town, community, grid or leader, the ledger (台账) of grid staff and the
 * three-day bulletin (三天一通报) of grids, as sortable tables (SortableTable: only the rows in view
 * are drawn).
 */
import { useMemo } from 'react';
import type { BulletinRow, LedgerRow } from '../../../shared/schema/ledgers';
import type { BreakdownRow } from '../../../shared/schema/stats';
import { METRIC_DEFINITIONS, type MetricId } from '../../../shared/stats';
import { t, tMaybe, useLang, type Lang, type MessageKey } from '../../i18n';
import { num, pct } from './format';
import { sortBy, SortableTable, type Column } from './SortableTable';

export const BREAKDOWN_COLUMNS = ['name', 'intake', 'accepted', 'closed', 'closureRate', 'onTimeRate', 'open', 'overdue'] as const;
export type BreakdownColumn = (typeof BREAKDOWN_COLUMNS)[number];

/** The value a breakdown column sorts by: rates by their value (nothing counted: null), names in Chinese order. */
function breakdownValue(r: BreakdownRow, c: BreakdownColumn): number | string | null {
  switch (c) {
    case 'name':
      return r.name;
    case 'closureRate':
    case 'onTimeRate':
      return r[c].value;
    default:
      return r[c];
  }
}

/** The breakdown's rows sorted by a column (the report's order too). */
export function sortRows(rows: readonly BreakdownRow[], by: BreakdownColumn, desc: boolean): BreakdownRow[] {
  return sortBy(rows, { value: (r) => breakdownValue(r, by) }, desc, (r) => r.name);
}

const sum = <R,>(rows: readonly R[], f: (r: R) => number) => num(rows.reduce((n, r) => n + f(r), 0));

function breakdownColumns(): Column<BreakdownRow>[] {
  return BREAKDOWN_COLUMNS.map((c): Column<BreakdownRow> => {
    const label = t(`stats.col.${c}` as MessageKey);
    if (c === 'name') return { id: c, label, value: (r) => r.name, text: true };
    if (c === 'closureRate' || c === 'onTimeRate')
      return { id: c, label, value: (r) => r[c].value, render: (r) => <span title={`${r[c].numerator} / ${r[c].denominator}`}>{pct(r[c])}</span> };
    return { id: c, label, value: (r) => r[c], render: (r) => num(r[c]), total: (rows) => sum(rows, (r) => r[c]) };
  });
}

export function BreakdownTable(props: { rows: readonly BreakdownRow[]; label: string }) {
  const lang = useLang();
  const columns = useMemo(breakdownColumns, [lang]);
  return <SortableTable rows={props.rows} columns={columns} rowKey={(r) => r.id} label={props.label} initialSort="intake" testId="breakdown" />;
}

function ledgerColumns(lang: Lang): Column<LedgerRow>[] {
  const word = (id: MetricId) => (lang === 'en' ? METRIC_DEFINITIONS[id].en : METRIC_DEFINITIONS[id].zh);
  const def = (id: MetricId) => (lang === 'en' ? METRIC_DEFINITIONS[id].defEn : METRIC_DEFINITIONS[id].defZh);
  const rate = (id: 'patrol' | 'handledOnTime', metric: MetricId): Column<LedgerRow> => ({
    id,
    label: word(metric),
    title: def(metric),
    value: (r) => r[id].value,
    render: (r) => <span title={`${r[id].numerator} / ${r[id].denominator}`}>{pct(r[id])}</span>,
  });
  const count = (id: 'dutyDays' | 'reported' | 'visits' | 'handled', metric: MetricId): Column<LedgerRow> => ({
    id,
    label: word(metric),
    title: def(metric),
    value: (r) => r[id],
    render: (r) => num(r[id]),
    total: (rows) => sum(rows, (r) => r[id]),
  });
  return [
    { id: 'name', label: t('stats.col.person'), value: (r) => r.name, text: true },
    { id: 'role', label: t('stats.col.role'), value: (r) => tMaybe(`role.${r.role}`, r.role), text: true },
    { id: 'grid', label: t('stats.col.grid'), value: (r) => r.gridName ?? '', text: true },
    { id: 'town', label: t('stats.col.town'), value: (r) => r.townName ?? '', text: true },
    count('dutyDays', 'duty_days'),
    rate('patrol', 'patrol_coverage'),
    count('reported', 'ledger_reported'),
    count('visits', 'visits'),
    count('handled', 'handled'),
    rate('handledOnTime', 'handled_on_time'),
  ];
}

export function LedgerTable(props: { rows: readonly LedgerRow[]; label: string }) {
  const lang = useLang();
  const columns = useMemo(() => ledgerColumns(lang), [lang]);
  return <SortableTable rows={props.rows} columns={columns} rowKey={(r) => r.personId} label={props.label} initialSort="reported" testId="ledger" />;
}

function bulletinColumns(lang: Lang): Column<BulletinRow>[] {
  const word = (id: MetricId) => (lang === 'en' ? METRIC_DEFINITIONS[id].en : METRIC_DEFINITIONS[id].zh);
  const def = (id: MetricId) => (lang === 'en' ? METRIC_DEFINITIONS[id].defEn : METRIC_DEFINITIONS[id].defZh);
  const count = (id: 'reports' | 'eventsInGrid', title?: string): Column<BulletinRow> => ({
    id,
    label: t(`stats.col.${id}`),
    ...(title ? { title } : {}),
    value: (r) => r[id],
    render: (r) => num(r[id]),
    total: (rows) => sum(rows, (r) => r[id]),
  });
  return [
    { id: 'rank', label: t('stats.col.rank'), value: (r) => r.rank, width: 'minmax(48px, 0.5fr)' },
    { id: 'grid', label: t('stats.col.grid'), value: (r) => r.gridName, render: (r) => <span title={r.gridId}>{r.gridName}</span>, text: true, width: 'minmax(120px, 2fr)' },
    { id: 'community', label: t('stats.col.community'), value: (r) => r.communityName ?? '', text: true, width: 'minmax(80px, 1.2fr)' },
    { id: 'town', label: t('stats.col.town'), value: (r) => r.townName ?? '', text: true, width: 'minmax(72px, 1fr)' },
    { id: 'staff', label: t('stats.col.staff'), value: (r) => r.staff.join('、'), render: (r) => <span title={r.staff.join('、')}>{r.staff.join('、')}</span>, text: true, width: 'minmax(80px, 1.5fr)' },
    count('reports', `${word('bulletin_reports')}：${def('bulletin_reports')}`),
    count('eventsInGrid'),
    {
      id: 'silent',
      label: t('stats.col.silent'),
      title: `${word('bulletin_silent')}：${def('bulletin_silent')}`,
      value: (r) => (r.silent ? 1 : 0),
      render: (r) => (r.silent ? <span className="stats-silent-mark">⚠ {t('stats.silentMark')}</span> : ''),
      total: (rows) => num(rows.filter((r) => r.silent).length),
      width: 'minmax(72px, 1fr)',
    },
  ];
}

const bulletinKey = (r: BulletinRow) => r.gridId;
const bulletinRowClass = (r: BulletinRow) => (r.silent ? 'brow-silent' : undefined);

/** The three-day bulletin: grids ranked by their workers' reports, the silent ones (零上报) marked. */
export function BulletinTable(props: { rows: readonly BulletinRow[]; label: string }) {
  const lang = useLang();
  const columns = useMemo(() => bulletinColumns(lang), [lang]);
  return (
    <SortableTable
      rows={props.rows}
      columns={columns}
      rowKey={bulletinKey}
      label={props.label}
      initialSort="rank"
      initialDesc={false}
      testId="bulletin"
      rowClass={bulletinRowClass}
    />
  );
}
