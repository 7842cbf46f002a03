/**
 * The queue as a sparse list: pages of rows fetched from the core for the range the list shows,
 * the total from the core's answer. A new filter or sort starts a new generation (answers for an
 * older one are dropped); a `changed` notice refetches the pages already loaded, keeping the old
 * rows on screen until the new ones arrive so the list never flashes empty.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { QueueFilter, QueueRow, QueueSort } from '../../shared/schema/console';
import { errorMessage, type CoreClient } from '../core-client';

export const PAGE_SIZE = 100;

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

  const fetchPage = useCallback(
    (page: number) => {
      if (inflight.current.has(page)) return;
      inflight.current.add(page);
      const myGen = gen.current;
      setLoading(true);
      client
        .call('queue', { filter: args.current.filter, sort: args.current.sort, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
        .then(
          (res) => {
            if (myGen !== gen.current) return;
            pages.current.set(page, res.rows);
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
        });
    },
    [client],
  );

  useEffect(() => {
    if (!enabled) return;
    gen.current += 1;
    pages.current = new Map();
    inflight.current = new Set();
    fetchPage(0);
  }, [enabled, filter, sort, fetchPage]);

  const ensure = useCallback(
    (start: number, end: number) => {
      for (let p = Math.floor(Math.max(0, start) / PAGE_SIZE); p <= Math.floor(Math.max(0, end) / PAGE_SIZE); p++) {
        if (!pages.current.has(p)) fetchPage(p);
      }
    },
    [fetchPage],
  );

  const refresh = useCallback(() => {
    const loaded = [...pages.current.keys()];
    for (const p of loaded.length > 0 ? loaded : [0]) fetchPage(p);
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
