/**
 * The queue as a sparse list: pages of rows fetched from the core for the range the list shows,
 * the total from the core's answer. A new filter or sort starts a new generation (answers for an
 * older one are dropped); a `changed` notice refetches the pages already loaded, keeping the old
 * rows on screen until the new ones arrive so the list never flashes empty.
 *
 * Scrolling fast (a flick covers ~1,000 rows a second) outruns fetching only the pages on screen,
 * so the pages ahead in the direction of travel are asked for first, a few at a time (the nearest
 * first: pages flown past are not worth fetching), and pages far behind are dropped so a long
 * scroll does not keep 100,000 rows in memory.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { QueueFilter, QueueRow, QueueSort } from '../../shared/schema/console';
import { errorMessage, type CoreClient } from '../core-client';

export const PAGE_SIZE = 100;
/** pages fetched beyond the visible ones, in the direction of travel / behind it */
const AHEAD = 3;
const BEHIND = 1;
/** requests in flight at once: the core answers in order, more would only queue there */
const MAX_INFLIGHT = 2;
/** pages kept; the farthest from the visible range are dropped beyond this */
const MAX_PAGES = 30;

export interface QueueView {
  total: number;
  rowAt(index: number): QueueRow | undefined;
  indexOf(eventId: string): number;
  /** load the pages covering [start, end] */
  ensure(start: number, end: number): void;
  refresh(): void;
  loading: boolean;
  error: string | null;
  /** bumps on every arrival, for memoised children */
  version: number;
}

export function useQueue(client: CoreClient, filter: QueueFilter, sort: QueueSort, enabled: boolean): QueueView {
  const gen = useRef(0);
  const pages = useRef(new Map<number, QueueRow[]>());
  const inflight = useRef(new Set<number>());
  const [total, setTotal] = useState(0);
  const [version, setVersion] = useState(0);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const args = useRef({ filter, sort });
  args.current = { filter, sort };

  /** the visible range's pages and the direction of travel, for choosing what to fetch next */
  const view = useRef({ first: 0, last: 0, dir: 1 });
  const wanted = useRef<number[]>([]);
  /** loaded pages a `changed` notice made out of date: still shown, fetched again when wanted */
  const stale = useRef(new Set<number>());
  const totalRef = useRef(0);
  /** bumped by each refresh: an answer to a request sent before it is out of date on arrival */
  const epoch = useRef(0);

  const fetchPage = useCallback(
    (page: number) => {
      if (inflight.current.has(page)) return;
      inflight.current.add(page);
      const myGen = gen.current;
      const myEpoch = epoch.current;
      setLoading(true);
      client
        .call('queue', { filter: args.current.filter, sort: args.current.sort, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
        .then(
          (res) => {
            if (myGen !== gen.current) return;
            pages.current.set(page, res.rows);
            if (myEpoch === epoch.current) stale.current.delete(page);
            else stale.current.add(page);
            totalRef.current = res.total;
            setTotal(res.total);
            setError(null);
          },
          (err: unknown) => {
            if (myGen === gen.current) setError(errorMessage(err));
          },
        )
        .finally(() => {
          if (myGen !== gen.current) return;
          inflight.current.delete(page);
          setLoading(inflight.current.size > 0);
          setVersion((v) => v + 1);
          pump.current();
        });
    },
    [client],
  );

  /** Sends the most wanted pages not loaded yet, up to MAX_INFLIGHT at a time. */
  const pump = useRef(() => {});
  pump.current = () => {
    for (const p of wanted.current) {
      if (inflight.current.size >= MAX_INFLIGHT) return;
      if ((!pages.current.has(p) || stale.current.has(p)) && !inflight.current.has(p)) fetchPage(p);
    }
  };

  useEffect(() => {
    if (!enabled) return;
    gen.current += 1;
    pages.current = new Map();
    inflight.current = new Set();
    stale.current = new Set();
    wanted.current = [];
    fetchPage(0);
  }, [enabled, filter, sort, fetchPage]);

  const ensure = useCallback((start: number, end: number) => {
    const first = Math.floor(Math.max(0, start) / PAGE_SIZE);
    const last = Math.floor(Math.max(0, end) / PAGE_SIZE);
    const v = view.current;
    const dir = first > v.first ? 1 : first < v.first ? -1 : v.dir;
    view.current = { first, last, dir };
    // visible pages first, then ahead in the direction of travel, then a page behind
    const order: number[] = [];
    for (let p = first; p <= last; p++) order.push(p);
    for (let k = 1; k <= AHEAD; k++) order.push(dir > 0 ? last + k : first - k);
    for (let k = 1; k <= BEHIND; k++) order.push(dir > 0 ? first - k : last + k);
    // page 0 always: an empty queue's page is what learns that events arrived
    const pageCount = Math.max(1, Math.ceil(totalRef.current / PAGE_SIZE));
    wanted.current = order.filter((p) => p >= 0 && p < pageCount);
    evict(pages.current, first, last);
    pump.current();
  }, []);

  const refresh = useCallback(() => {
    if (pages.current.size === 0) return fetchPage(0);
    epoch.current += 1;
    stale.current = new Set(pages.current.keys());
    // nothing on screen yet (an empty queue): the first page is what is wanted
    if (wanted.current.length === 0) wanted.current = [0];
    pump.current();
  }, [fetchPage]);

  const rowAt = useCallback((i: number) => pages.current.get(Math.floor(i / PAGE_SIZE))?.[i % PAGE_SIZE], []);
  const indexOf = useCallback((eventId: string) => {
    for (const [p, rows] of pages.current) {
      const i = rows.findIndex((r) => r.event.id === eventId);
      if (i >= 0) return p * PAGE_SIZE + i;
    }
    return -1;
  }, []);

  return { total, rowAt, indexOf, ensure, refresh, loading, error, version };
}

/** Drops the loaded pages farthest from the visible ones once more than MAX_PAGES are held. */
function evict(pages: Map<number, QueueRow[]>, first: number, last: number): void {
  if (pages.size <= MAX_PAGES) return;
  const distance = (p: number) => (p < first ? first - p : p > last ? p - last : 0);
  const far = [...pages.keys()].sort((a, b) => distance(b) - distance(a));
  for (const p of far.slice(0, pages.size - MAX_PAGES)) pages.delete(p);
}
