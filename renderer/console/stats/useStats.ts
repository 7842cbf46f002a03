/**
 * The statistics view's data: the hub's figures through the console core (which keeps the last
 * answer to each question and hands it back marked stale while the hub is away). Answers to an
 * older question (the period changed meanwhile) are dropped; the figures refresh every minute
 * while the view is open, and at once when asked.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BreakdownDimension, OverdueItem, StatsAnswer, StatsBreakdown, StatsOverview } from '../../../shared/schema/stats';
import type { Period } from '../../../shared/stats';
import { errorMessage, type CoreClient } from '../../core-client';

const REFRESH_MS = 60_000;
export const OVERDUE_LIMIT = 200;

export interface StatsData {
  overview: StatsAnswer<StatsOverview> | null;
  breakdown: StatsAnswer<StatsBreakdown> | null;
  overdue: StatsAnswer<OverdueItem[]> | null;
  /** assignees' names for the overdue list */
  names: Record<string, string>;
  loading: boolean;
  error: string | null;
  refresh(): void;
}

export function useStats(client: CoreClient, period: Period | null, townId: string | undefined, by: BreakdownDimension): StatsData {
  const [overview, setOverview] = useState<StatsAnswer<StatsOverview> | null>(null);
  const [breakdown, setBreakdown] = useState<StatsAnswer<StatsBreakdown> | null>(null);
  const [overdue, setOverdue] = useState<StatsAnswer<OverdueItem[]> | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const gen = useRef(0);
  const asked = useRef<{ key: string; by: BreakdownDimension | null }>({ key: '', by: null });

  const refresh = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    const h = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(h);
  }, [refresh]);

  const from = period?.from;
  const to = period?.to;
  useEffect(() => {
    if (from === undefined || to === undefined) return;
    const mine = ++gen.current;
    const live = () => gen.current === mine;
    const p = { from, to, ...(townId ? { townId } : {}) };
    // another question: the old figures must not stand in for its answer
    const key = `${from} ${to} ${townId ?? '*'}`;
    if (asked.current.key !== key) {
      setOverview(null);
      setOverdue(null);
      setBreakdown(null);
    } else if (asked.current.by !== by) setBreakdown(null);
    asked.current = { key, by };
    setLoading(true);
    const overviewP = client.call('statsOverview', { period: p });
    const breakdownP = client.call('statsBreakdown', { by, period: p });
    const overdueP = client.call('statsOverdue', { limit: OVERDUE_LIMIT, ...(townId ? { townId } : {}) });
    Promise.allSettled([overviewP, breakdownP, overdueP]).then(async ([o, b, d]) => {
      if (!live()) return;
      const failed = [o, b, d].find((x) => x.status === 'rejected') as PromiseRejectedResult | undefined;
      setError(failed ? errorMessage(failed.reason) : null);
      if (o.status === 'fulfilled') setOverview(o.value);
      if (b.status === 'fulfilled') setBreakdown(b.value);
      if (d.status === 'fulfilled') {
        setOverdue(d.value);
        const ids = [...new Set(d.value.data.flatMap((e) => (e.assigneeId ? [e.assigneeId] : [])))];
        if (ids.length > 0) {
          const n = await client.call('statsNames', { ids: ids.slice(0, 500) }).catch(() => null);
          if (n && live()) setNames(n.names);
        }
      }
      setLoading(false);
    });
  }, [client, from, to, townId, by, tick]);

  return { overview, breakdown, overdue, names, loading, error, refresh };
}

/**
 * One answer asked only while `ask` is given (its tab open, its choices valid), and again whenever
 * `key` (what is asked) or `wake` (a refresh) changes. An answer is shown only for the key it was
 * asked with; an error stays until an answer comes.
 */
export function useKeyedAnswer<T>(client: CoreClient, ask: ((c: CoreClient) => Promise<T>) | null, key: string, wake: number): { answer: T | null; error: string | null } {
  const [got, setGot] = useState<{ key: string; answer: T } | null>(null);
  const [error, setError] = useState<string | null>(null);
  // the question is rebuilt with each render; its key says whether it changed
  const askRef = useRef(ask);
  askRef.current = ask;
  const asking = ask !== null;
  useEffect(() => {
    const a = askRef.current;
    if (!a) return;
    let live = true;
    a(client).then(
      (answer) => {
        if (!live) return;
        setGot({ key, answer });
        setError(null);
      },
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [client, asking, key, wake]);
  return { answer: got && got.key === key ? got.answer : null, error };
}
