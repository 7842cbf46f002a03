/**
 * A sortable table for the statistics view's long lists (a district has a thousand grids and as
 * many grid staff): only the rows in view are drawn (@tanstack/react-virtual), and sorting is a
 * sort of the hub's rows in memory, so a click answers at once.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState, type ReactNode } from 'react';
import { t, useLang } from '../../i18n';

export interface Column<R> {
  id: string;
  label: string;
  /** what the column counts, shown on the header */
  title?: string;
  /** what the column sorts by; null (nothing counted) sorts last whichever way */
  value(row: R): number | string | null;
  /** the cell; default the value as it is */
  render?(row: R): ReactNode;
  /** a total for the footer */
  total?(rows: readonly R[]): ReactNode;
  /** text columns sort A→Z first, figures largest first */
  text?: boolean;
  /** the column's CSS grid track; default the first column wide, the others narrow */
  width?: string;
}

const ROW_HEIGHT = 28;
const collator = new Intl.Collator('zh-CN', { numeric: true });

export function sortBy<R>(rows: readonly R[], col: Pick<Column<R>, 'value'>, desc: boolean, tieBreak: (r: R) => string): R[] {
  return [...rows].sort((a, b) => {
    const x = col.value(a);
    const y = col.value(b);
    if (x === null || y === null) return x === y ? collator.compare(tieBreak(a), tieBreak(b)) : x === null ? 1 : -1;
    const d = typeof x === 'string' || typeof y === 'string' ? collator.compare(String(x), String(y)) : x - y;
    return (desc ? -d : d) || collator.compare(tieBreak(a), tieBreak(b));
  });
}

export function SortableTable<R>(props: {
  rows: readonly R[];
  columns: readonly Column<R>[];
  rowKey(row: R): string;
  label: string;
  initialSort: string;
  /** the first sort's direction; default largest (or Z) first */
  initialDesc?: boolean;
  testId: string;
  /** a class for a row that must stand out (a silent grid in the bulletin) */
  rowClass?(row: R): string | undefined;
}) {
  useLang();
  const [sort, setSort] = useState<{ by: string; desc: boolean }>({ by: props.initialSort, desc: props.initialDesc ?? true });
  const col = props.columns.find((c) => c.id === sort.by) ?? props.columns[0]!;
  const rows = useMemo(() => sortBy(props.rows, col, sort.desc, props.rowKey), [props.rows, col, sort.desc, props.rowKey]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const template = { gridTemplateColumns: props.columns.map((c, i) => c.width ?? (i === 0 ? 'minmax(120px, 2fr)' : 'minmax(56px, 1fr)')).join(' ') };

  return (
    <div className="breakdown" role="table" aria-label={props.label} aria-rowcount={rows.length} data-testid={props.testId}>
      <div className="brow bhead" role="row" style={template}>
        {props.columns.map((c) => {
          const active = sort.by === c.id;
          return (
            <div key={c.id} role="columnheader" className={`bc${c.text ? ' bc-text' : ''}`} aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
              <button type="button" data-testid={`sort-${c.id}`} title={c.title} onClick={() => setSort((s) => ({ by: c.id, desc: s.by === c.id ? !s.desc : !c.text }))}>
                {c.label}
                {active && <span aria-hidden="true">{sort.desc ? ' ▼' : ' ▲'}</span>}
              </button>
            </div>
          );
        })}
      </div>
      <div className="bscroll" ref={scrollRef}>
        {rows.length === 0 && <div className="empty pad">{t('stats.noRows')}</div>}
        <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
          {virt.getVirtualItems().map((it) => {
            const r = rows[it.index]!;
            const extra = props.rowClass?.(r);
            return (
              <div key={props.rowKey(r)} className={extra ? `brow ${extra}` : 'brow'} role="row" data-testid={`${props.testId}-row`} data-id={props.rowKey(r)} style={{ ...template, transform: `translateY(${it.start}px)`, height: ROW_HEIGHT }}>
                {props.columns.map((c) => (
                  <div key={c.id} role="cell" className={`bc${c.text ? ' bc-text' : ''}`} data-col={c.id}>
                    {c.render ? c.render(r) : c.value(r)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
      <div className="brow bfoot" role="row" style={template}>
        {props.columns.map((c, i) => (
          <div key={c.id} role="cell" className={`bc${c.text ? ' bc-text' : ''}`}>
            {i === 0 ? `${t('stats.total')} · ${rows.length.toLocaleString('en-US')} ${t('stats.rows')}` : c.total?.(props.rows)}
          </div>
        ))}
      </div>
    </div>
  );
}
