/**
 * The wall screen's data, from the console core: the statistics (asked again on `changed` notices,
 * at most once per MIN_GAP_MS, and on a timer), the wall's own state (set from a console), the
 * ticker's urgent events and the event put on the wall. Every hook recovers by itself: when the
 * page's link to the core reopens or the core's link to the hub comes back, it asks again at once.
 *
 * Nothing here grows with time: answers replace answers, the ticker is capped, the fresh marks expire.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { NewEventBrief, OverdueItem, StatsOverview } from '../../shared/schema';
import type { EventDetail } from '../../shared/schema/console';
import type { WallScreenState } from '../../shared/schema/wall-screen';
import { periodOf } from '../../shared/stats';
import { DEFAULT_TAXONOMY } from '../../shared/taxonomy';
import { isUrgent } from '../console/video/alarm-linkage';
import { errorMessage, type CoreClient } from '../core-client';
import { hubClock, mergeTicker, nextRefreshDelay, TICKER_CAP, type TickerItem } from './layout';

/** a burst of changes becomes one refresh, at most this often */
export const MIN_GAP_MS = 8_000;
/** a quiet wall still asks this often (the figures "at this moment" move with the clock) */
export const REFRESH_MS = 30_000;
/** the overdue list asks for this many; the panel pages through them */
export const OVERDUE_LIMIT = 60;
/** an urgent event counts as new on the ticker this long */
export const FRESH_MS = 120_000;

export interface Answer<T> {
  data: T | null;
  /** when the figures were fetched from the hub (the core's `fetchedAt`) */
  fetchedAt: number | null;
  /** the hub could not be asked: these are the last figures it gave */
  stale: boolean;
  error: string | null;
}

const EMPTY: Answer<never> = { data: null, fetchedAt: null, stale: false, error: null };

export interface WallStats {
  today: Answer<StatsOverview>;
  month: Answer<StatsOverview>;
  overdue: Answer<OverdueItem[]>;
  /** the hub's clock, estimated (a demo hub may run on simulated time) */
  hubNow: () => number;
}

/**
 * The three questions of the wall: today's overview, this month's, and the overdue list. `wake`
 * changes when a link comes back: the wall asks at once instead of waiting for the gap.
 */
export function useWallStats(client: CoreClient, active: boolean, wake: number): WallStats {
  const [today, setToday] = useState<Answer<StatsOverview>>(EMPTY);
  const [month, setMonth] = useState<Answer<StatsOverview>>(EMPTY);
  const [overdue, setOverdue] = useState<Answer<OverdueItem[]>>(EMPTY);
  const hubAt = useRef<{ at: number; received: number } | null>(null);
  const hubNow = useCallback(() => hubClock(hubAt.current?.at ?? null, hubAt.current?.received ?? null, Date.now()), []);

  const lastStarted = useRef<number | null>(null);
  const running = useRef(false);
  const again = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const alive = useRef(true);

  const run = useCallback(async () => {
    if (running.current) {
      again.current = true;
      return;
    }
    running.current = true;
    lastStarted.current = Date.now();
    try {
      const now = hubNow();
      const ask = <T>(p: Promise<{ data: T; fetchedAt: number; stale: boolean }>, set: (f: (a: Answer<T>) => Answer<T>) => void, seen?: (d: T) => void) =>
        p.then(
          (r) => {
            if (!alive.current) return;
            seen?.(r.data);
            set(() => ({ data: r.data, fetchedAt: r.fetchedAt, stale: r.stale, error: null }));
          },
          (err: unknown) => {
            if (!alive.current) return;
            // the last figures stay, marked; with none, the panel says why it is empty
            set((a) => ({ ...a, stale: a.data !== null, error: errorMessage(err) }));
          },
        );
      await Promise.all([
        ask(client.call('statsOverview', { period: periodOf('today', now) }), setToday, (d) => {
          hubAt.current = { at: d.at, received: Date.now() };
        }),
        ask(client.call('statsOverview', { period: periodOf('this_month', now) }), setMonth),
        ask(client.call('statsOverdue', { limit: OVERDUE_LIMIT }), setOverdue),
      ]);
    } finally {
      running.current = false;
      if (again.current && alive.current) {
        again.current = false;
        schedule();
      }
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, hubNow]);

  const schedule = useCallback(
    (now = false) => {
      if (!alive.current) return;
      if (now) {
        clearTimeout(timer.current);
        timer.current = undefined;
        void run();
        return;
      }
      if (timer.current) return;
      timer.current = setTimeout(
        () => {
          timer.current = undefined;
          void run();
        },
        nextRefreshDelay(lastStarted.current, Date.now(), MIN_GAP_MS),
      );
    },
    [run],
  );

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, []);

  useEffect(() => {
    if (!active) return;
    schedule(true);
    const h = setInterval(() => schedule(), REFRESH_MS);
    const off = client.onNotice((n) => {
      if (n.type === 'changed') schedule();
    });
    return () => {
      clearInterval(h);
      off();
    };
  }, [client, active, wake, schedule]);

  return { today, month, overdue, hubNow };
}

/** The wall screen's state: asked on start and whenever the link to the core reopens, then kept by notices. */
export function useWallScreenState(client: CoreClient, wake: number): { state: WallScreenState | null; error: string | null } {
  const [state, setState] = useState<WallScreenState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const notices = useRef(0);
  useEffect(
    () =>
      client.onNotice((n) => {
        if (n.type !== 'wallScreen') return;
        notices.current++;
        setState(n.state);
      }),
    [client],
  );
  useEffect(() => {
    let live = true;
    const mine = notices.current;
    client.call('wallScreen', {}).then(
      (s) => {
        // a notice that came meanwhile is at least as new as this answer
        if (live && notices.current === mine) setState(s);
        if (live) setError(null);
      },
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [client, wake]);
  return { state, error };
}

const itemOf = (e: Pick<NewEventBrief, 'id' | 'categoryId' | 'tier' | 'state' | 'reportedAt' | 'address'>, fresh?: boolean): TickerItem => ({
  id: e.id,
  categoryId: e.categoryId,
  tier: e.tier,
  state: e.state,
  reportedAt: e.reportedAt,
  ...(e.address !== undefined ? { address: e.address } : {}),
  ...(fresh ? { fresh } : {}),
});

/**
 * The ticker: the newest open urgent events (special and escalated) from the core's cache, asked
 * again when the cache moves; an urgent event that arrives while the wall watches shows at once,
 * marked new for FRESH_MS.
 */
export function useTicker(client: CoreClient, active: boolean, wake: number): { items: TickerItem[]; loaded: boolean; error: string | null } {
  const [items, setItems] = useState<TickerItem[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fresh = useRef(new Map<string, number>());

  const freshIds = () => {
    const now = Date.now();
    for (const [id, until] of fresh.current) if (until <= now) fresh.current.delete(id);
    return fresh.current;
  };

  const load = useCallback(() => {
    client.call('queue', { filter: { tiers: ['special', 'escalated'] }, sort: 'newest', offset: 0, limit: TICKER_CAP }).then(
      (page) => {
        const f = freshIds();
        setItems(mergeTicker([], page.rows.map((r) => itemOf(r.event, f.has(r.event.id)))));
        setLoaded(true);
        setError(null);
      },
      (err: unknown) => setError(errorMessage(err)),
    );
  }, [client]);

  useEffect(() => {
    if (!active) return;
    load();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const soon = (ms: number) => {
      if (!timer)
        timer = setTimeout(() => {
          timer = undefined;
          load();
        }, ms);
    };
    // the fresh marks run out even when nothing else happens
    const h = setInterval(() => {
      if (freshIds().size === 0) setItems((xs) => (xs.some((x) => x.fresh) ? xs.map((x) => (x.fresh ? itemOf(x) : x)) : xs));
      else soon(0);
    }, 15_000);
    const off = client.onNotice((n) => {
      if (n.type === 'changed') soon(MIN_GAP_MS / 2);
      else if (n.type === 'newEvents') {
        const urgent = n.events.filter((e) => isUrgent(e, DEFAULT_TAXONOMY));
        if (urgent.length === 0) return;
        const until = Date.now() + FRESH_MS;
        for (const e of urgent) fresh.current.set(e.id, until);
        // bounded: at most the newest few dozen marks
        while (fresh.current.size > 4 * TICKER_CAP) fresh.current.delete(fresh.current.keys().next().value as string);
        setItems((xs) => mergeTicker(xs, urgent.map((e) => itemOf(e, true))));
      }
    });
    return () => {
      off();
      clearInterval(h);
      clearTimeout(timer);
    };
  }, [client, active, wake, load]);

  return { items, loaded, error };
}

/** The event put on the wall, from the core's cache, asked again when it changes. */
export function useFocusDetail(client: CoreClient, eventId: string | null, wake: number): { detail: EventDetail | null; error: string | null } {
  const [detail, setDetail] = useState<EventDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const detailRef = useRef(detail);
  detailRef.current = detail;
  useEffect(() => {
    setDetail(null);
    setError(null);
    if (!eventId) return;
    let live = true;
    const load = () =>
      client.call('event', { eventId }).then(
        (d) => {
          if (!live) return;
          setDetail(d);
          setError(null);
        },
        (err: unknown) => live && setError(errorMessage(err)),
      );
    void load();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = client.onNotice((n) => {
      if (n.type !== 'changed' || timer) return;
      // not yet in the cache (the feed is catching up), or changed itself
      if (n.eventIds.includes(eventId) || (!detailRef.current && n.eventIds.length > 0))
        timer = setTimeout(() => {
          timer = undefined;
          void load();
        }, 1000);
    });
    return () => {
      live = false;
      off();
      clearTimeout(timer);
    };
  }, [client, eventId, wake]);
  return { detail, error };
}
