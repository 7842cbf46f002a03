/**
 * Mounted once with the event detail: the call panel over the workspace while a call is on, and
 * the call-back reminders. Reminders are read from the console core's cache (the schedule lives on
 * the event, in the hub's store and every console's cache, so it survives restarts of either); a
 * call-back coming due beeps once and stays listed until someone calls or cancels it.
 */
import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { partitionCallbacks } from '../../../shared/callback';
import type { CallbackItem } from '../../../shared/schema';
import { t, useLang } from '../../i18n';
import { beep } from '../beep';
import { categoryName, formatDuration, formatTime } from '../format';
import { CallPanel } from './CallPanel';
import { startCallFor } from './CallActions';
import { callClient } from './client';
import { useActiveCall } from './store';
import './call.css';

const POLL_MS = 10_000;

function useCallbacks(): { items: CallbackItem[]; now: number } {
  const [items, setItems] = useState<CallbackItem[]>([]);
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const client = callClient();
    let on = true;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      client.call('callbacks', {}).then(
        (r) => {
          if (!on) return;
          setItems(r.items);
          setNow(Date.now());
        },
        () => undefined,
      );
    load();
    const h = setInterval(load, POLL_MS);
    // a schedule set or cleared anywhere arrives as a change: look again soon (one look per burst)
    const off = client.onNotice((n) => {
      if (n.type !== 'changed' || n.eventIds.length === 0 || pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        load();
      }, 300);
    });
    return () => {
      on = false;
      clearInterval(h);
      clearTimeout(pending);
      off();
    };
  }, []);
  return { items, now };
}

function Reminders(props: { onOpen: (eventId: string) => void }) {
  useLang();
  const { items, now } = useCallbacks();
  const { due, soon } = partitionCallbacks(items, now);
  const [error, setError] = useState<string | null>(null);
  // call-backs coming up stay a small pill (the queue and the detail stay usable); due ones open the list
  const [expanded, setExpanded] = useState(false);
  const announced = useRef(new Set<string>());
  useEffect(() => {
    let fresh = false;
    for (const d of due) {
      const key = `${d.eventId}@${d.dueAt}`;
      if (!announced.current.has(key)) {
        announced.current.add(key);
        fresh = true;
      }
    }
    if (fresh) beep();
  }, [due]);
  if (due.length === 0 && soon.length === 0) return null;
  const open = expanded || due.length > 0;
  const row = (c: CallbackItem, kind: 'due' | 'soon') => (
    <li key={c.eventId} data-testid={`vcall-due-${c.eventId}`} data-due={kind} className={`vcall-rem-${kind}`}>
      <div>
        <b>{categoryName(c.categoryId)}</b> <span className="muted">{c.assigneeName ?? c.assigneeId ?? ''}</span>
      </div>
      <div className="muted">
        {formatTime(c.dueAt)}
        {kind === 'due' && now - c.dueAt >= 60_000 && ` · ${t('vcall.due.overdueBy')}${formatDuration(now - c.dueAt)}`}
      </div>
      <div className="vcall-rem-actions">
        {kind === 'due' && (
          <button
            type="button"
            className="action primary"
            data-testid={`vcall-due-call-${c.eventId}`}
            onClick={() => {
              props.onOpen(c.eventId);
              if (!c.assigneeId) return setError(t('vcall.noLeader'));
              setError(
                startCallFor(
                  { eventId: c.eventId, leaderId: c.assigneeId, leaderName: c.assigneeName ?? c.assigneeId, categoryId: c.categoryId, description: c.description },
                  false,
                ),
              );
            }}
          >
            {t('vcall.due.now')}
          </button>
        )}
        <button type="button" className="ghost" onClick={() => props.onOpen(c.eventId)}>
          {t('vcall.due.open')}
        </button>
      </div>
    </li>
  );
  return (
    <section className={`vcall-reminders${due.length > 0 ? ' has-due' : ''}${open ? ' open' : ''}`} aria-label={t('vcall.due.heading')} data-testid="vcall-reminders">
      <button type="button" className="vcall-rem-toggle ghost" data-testid="vcall-reminders-toggle" aria-expanded={open} onClick={() => setExpanded(!expanded)}>
        {t('vcall.due.heading')} {due.length > 0 ? <span className="count">{due.length}</span> : <span className="muted">({soon.length})</span>}
      </button>
      {open && (
        <>
          <ul>
            {due.map((c) => row(c, 'due'))}
            {soon.map((c) => row(c, 'soon'))}
          </ul>
          {soon.length > 0 && due.length === 0 && <p className="muted">{t('vcall.due.soon')}</p>}
          {error && <p className="warn-text">{error}</p>}
        </>
      )}
    </section>
  );
}

export function CallDock(props: { onOpen: (eventId: string) => void }) {
  const call = useActiveCall();
  return createPortal(
    <>
      <Reminders onOpen={props.onOpen} />
      {call && <CallPanel call={call} onOpenEvent={props.onOpen} />}
    </>,
    document.body,
  );
}
