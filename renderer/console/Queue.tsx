/**
 * The event queue: filters and search above a virtualised list (only the rows on screen are in the
 * DOM, so a cache of 100,000 events scrolls like one of 100). Rows come page by page from the core
 * as the list scrolls (useQueue).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef, type RefObject } from 'react';
import { SOURCES, TIERS, type EventState, type OrgUnit, type Source, type Tier } from '../../shared/schema';
import { QUEUE_SORTS, type QueueRow, type QueueSort } from '../../shared/schema/console';
import { t, tMaybe, useLang, type Lang } from '../i18n';
import { categoryName, formatDuration, placeName, sourceName, stateName, tierName, timeLeft } from './format';
import type { QueueView } from './useQueue';

export const STATE_GROUPS = {
  open: undefined,
  intake: ['reported'],
  handling: ['accepted', 'dispatched', 'acknowledged', 'on_site', 'returned', 'escalated'],
  review: ['feedback', 'reviewed'],
  done: ['closed', 'evaluated', 'rejected', 'merged'],
} as const satisfies Record<string, readonly EventState[] | undefined>;
export type StateGroup = keyof typeof STATE_GROUPS;

export interface QueueControls {
  group: StateGroup;
  tier: Tier | '';
  source: Source | '';
  townId: string;
  text: string;
  sort: QueueSort;
}

export const DEFAULT_CONTROLS: QueueControls = { group: 'open', tier: '', source: '', townId: '', text: '', sort: 'urgency' };

export function QueueFilters(props: {
  value: QueueControls;
  onChange: (v: QueueControls) => void;
  towns: readonly OrgUnit[];
  searchRef: RefObject<HTMLInputElement | null>;
  total: number;
}) {
  useLang();
  const v = props.value;
  const set = <K extends keyof QueueControls>(k: K, x: QueueControls[K]) => props.onChange({ ...v, [k]: x });
  return (
    <div className="filters" role="search">
      <div className="group-tabs" role="tablist" aria-label={t('queue.group')}>
        {(Object.keys(STATE_GROUPS) as StateGroup[]).map((g) => (
          <button
            key={g}
            type="button"
            role="tab"
            aria-selected={v.group === g}
            className={v.group === g ? 'tab active' : 'tab'}
            onClick={() => set('group', g)}
            data-testid={`group-${g}`}
          >
            {t(`queue.group.${g}`)}
          </button>
        ))}
      </div>
      <select aria-label={t('queue.tier')} value={v.tier} onChange={(e) => set('tier', e.target.value as Tier | '')}>
        <option value="">{t('queue.allTiers')}</option>
        {TIERS.map((x) => (
          <option key={x} value={x}>
            {tierName(x)}
          </option>
        ))}
      </select>
      <select aria-label={t('queue.source')} value={v.source} onChange={(e) => set('source', e.target.value as Source | '')}>
        <option value="">{t('queue.allSources')}</option>
        {SOURCES.map((x) => (
          <option key={x} value={x}>
            {sourceName(x)}
          </option>
        ))}
      </select>
      <select aria-label={t('queue.town')} value={v.townId} onChange={(e) => set('townId', e.target.value)}>
        <option value="">{t('queue.allTowns')}</option>
        {props.towns.map((x) => (
          <option key={x.id} value={x.id}>
            {x.name}
          </option>
        ))}
      </select>
      <input
        ref={props.searchRef}
        type="search"
        name="search"
        className="search"
        placeholder={t('queue.searchPlaceholder')}
        aria-label={t('queue.search')}
        value={v.text}
        onChange={(e) => set('text', e.target.value)}
        onKeyDown={(e) => {
          // back to the list with the keyboard: Enter or Esc leave the box, the filter stays
          if (e.key === 'Enter' || e.key === 'Escape') e.currentTarget.blur();
        }}
      />
      <label className="sort">
        {t('queue.sort')}
        <select data-testid="sort-select" value={v.sort} onChange={(e) => set('sort', e.target.value as QueueSort)}>
          {QUEUE_SORTS.map((s) => (
            <option key={s} value={s}>
              {t(`queue.sort.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <span className="count" data-testid="queue-total">
        {t('queue.total')} <b>{props.total}</b>
      </span>
    </div>
  );
}

const ROW_HEIGHT = 36;
const COLUMNS = ['tier', 'category', 'place', 'source', 'age', 'left', 'state', 'assignee'] as const;

export function QueueList(props: {
  queue: QueueView;
  selectedIndex: number;
  openId: string | null;
  highlighted: ReadonlySet<string>;
  now: number;
  onSelect: (index: number, open: boolean) => void;
  readOnly?: boolean;
}) {
  // rows are memoised: the language goes in as a prop so a switch still redraws them
  const lang = useLang();
  const { queue } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({
    count: queue.total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virt.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (queue.total > 0) queue.ensure(first, last);
  }, [first, last, queue.total, queue.ensure, queue.version]);

  useEffect(() => {
    if (props.selectedIndex >= 0 && props.selectedIndex < queue.total) virt.scrollToIndex(props.selectedIndex, { align: 'auto' });
  }, [props.selectedIndex, queue.total, virt]);

  return (
    <div className="queue" role="grid" aria-rowcount={queue.total} aria-label={t('queue.heading')}>
      <div className="qrow qhead" role="row">
        {COLUMNS.map((c) => (
          <div key={c} role="columnheader" className={`qc qc-${c}`}>
            {t(`queue.col.${c}`)}
          </div>
        ))}
      </div>
      <div className="qscroll" ref={scrollRef} data-testid="queue-scroll">
        {queue.total === 0 && !queue.loading && <div className="empty">{queue.error ?? t('queue.empty')}</div>}
        <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
          {items.map((it) => {
            const row = queue.rowAt(it.index);
            return (
              <div key={it.key} className="qslot" style={{ transform: `translateY(${it.start}px)`, height: ROW_HEIGHT }}>
                {row ? (
                  <Row
                    row={row}
                    index={it.index}
                    now={props.now}
                    selected={it.index === props.selectedIndex}
                    open={row.event.id === props.openId}
                    hot={props.highlighted.has(row.event.id)}
                    lang={lang}
                    onSelect={props.onSelect}
                  />
                ) : (
                  <div className="qrow loading-row" aria-busy="true" />
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

const Row = memo(function Row(props: {
  row: QueueRow;
  index: number;
  now: number;
  selected: boolean;
  open: boolean;
  hot: boolean;
  lang: Lang;
  onSelect: (index: number, open: boolean) => void;
}) {
  const { row } = props;
  const e = row.event;
  const left = timeLeft(e, props.now);
  const overdue = row.overdue || (left?.overdue ?? false);
  const cls = ['qrow', `tier-row-${e.tier}`, props.selected && 'selected', props.open && 'open', props.hot && 'hot', row.pending && 'pending', overdue && 'overdue']
    .filter(Boolean)
    .join(' ');
  return (
    <div
      className={cls}
      role="row"
      aria-selected={props.selected}
      data-testid={`row-${e.id}`}
      data-state={e.state}
      data-pending={row.pending ? 'true' : undefined}
      onClick={() => props.onSelect(props.index, true)}
    >
      <div className="qc qc-tier">
        <span className={`tier tier-${e.tier}`}>{tierName(e.tier)}</span>
      </div>
      <div className="qc qc-category" title={e.description}>
        {categoryName(e.categoryId)}
        <span className="qid mono">{e.id}</span>
      </div>
      <div className="qc qc-place" title={placeName(row)}>
        {placeName(row)}
      </div>
      <div className="qc qc-source">{sourceName(e.source)}</div>
      <div className="qc qc-age mono">{formatDuration(props.now - e.reportedAt)}</div>
      <div className={`qc qc-left mono ${overdue ? 'is-overdue' : left?.soon ? 'is-soon' : ''}`}>
        {left?.text ?? '—'}
        {(overdue || e.supervisedAt !== undefined) && <span className="duban">{t('queue.supervised')}</span>}
      </div>
      <div className="qc qc-state">
        <span className={`state state-${e.state}`}>{stateName(e.state)}</span>
        {row.pending && <span className="pending-chip">{t('queue.pending')}</span>}
        {(e.linkedReportIds?.length ?? 0) > 0 && <span className="links badge">+{e.linkedReportIds?.length}</span>}
      </div>
      <div className="qc qc-assignee">{row.assigneeName ?? (e.assigneeId ? e.assigneeId : tMaybe('queue.unassigned', '—'))}</div>
    </div>
  );
});
