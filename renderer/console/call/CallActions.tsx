/**
 * The event detail's call-back controls: call the assigned leader now (optionally recorded from the
 * start), or schedule the call-back ("call back in 15 minutes") and see or cancel the one set.
 */
import { useState } from 'react';
import { v7 as uuidv7 } from 'uuid';
import { CALLBACK_DELAYS_MIN, DEFAULT_CALLBACK_DELAY_MIN, isLive } from '../../../shared/callback';
import { isOpenState, type EventRecord, type Person } from '../../../shared/schema';
import { allowedCommands, type Actor } from '../../../shared/workflow';
import { errorMessage } from '../../core-client';
import { t, useLang } from '../../i18n';
import { formatTime } from '../format';
import { callClient } from './client';
import { recordingSupported } from './recorder';
import type { CallTarget } from './session';
import { placeCall, useActiveCall } from './store';

/** Places a call on the event's leader; answers what went wrong for the operator, or null. */
export function startCallFor(target: CallTarget, recorded: boolean): string | null {
  return placeCall(target, recorded) ? null : t('vcall.busy');
}

export function CallActions(props: { event: EventRecord; people: Record<string, Person>; actor: Actor }) {
  useLang();
  const e = props.event;
  const active = useActiveCall();
  const [recorded, setRecorded] = useState(false);
  const [delay, setDelay] = useState<number>(DEFAULT_CALLBACK_DELAY_MIN);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  if (!allowedCommands(e, props.actor).includes('callback') || !isOpenState(e.state)) return null;
  const leader = e.assigneeId ? props.people[e.assigneeId] : undefined;
  const onCall = active !== null && isLive(active.state.phase);

  const send = async (body: { phase: 'scheduled'; afterMinutes: number } | { phase: 'unscheduled' }) => {
    setSending(true);
    setError(null);
    try {
      await callClient().call('command', { command: { type: 'callback', commandId: uuidv7(), eventId: e.id, attachments: [], ...body } });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSending(false);
    }
  };

  return (
    <div className="vcall-actions" data-testid="vcall-actions">
      {e.assigneeId ? (
        <>
          <button
            type="button"
            className="action primary"
            data-testid="act-vcall"
            title={t('vcall.callTitle')}
            disabled={onCall}
            onClick={() =>
              setError(
                startCallFor(
                  {
                    eventId: e.id,
                    leaderId: e.assigneeId!,
                    leaderName: leader?.name ?? e.assigneeId!,
                    categoryId: e.categoryId,
                    description: e.description,
                    ...(e.address ? { address: e.address } : {}),
                  },
                  recorded,
                ),
              )
            }
          >
            {t('vcall.call')}
          </button>
          {recordingSupported() && (
            <label className="vcall-check">
              <input type="checkbox" name="vcall-record" checked={recorded} onChange={(ev) => setRecorded(ev.target.checked)} />
              {t('vcall.record')}
            </label>
          )}
          {e.callbackDueAt !== undefined ? (
            <span className="vcall-due" data-testid="vcall-scheduled" data-due-at={e.callbackDueAt}>
              {t('vcall.scheduled')} {formatTime(e.callbackDueAt)}{' '}
              <button type="button" className="ghost" data-testid="vcall-unschedule" disabled={sending} onClick={() => void send({ phase: 'unscheduled' })}>
                {t('vcall.unschedule')}
              </button>
            </span>
          ) : (
            <span className="vcall-schedule">
              <select name="vcall-delay" value={delay} onChange={(ev) => setDelay(Number(ev.target.value))} aria-label={t('vcall.scheduleIn')}>
                {CALLBACK_DELAYS_MIN.map((m) => (
                  <option key={m} value={m}>
                    {m} {t('vcall.scheduleIn')}
                  </option>
                ))}
              </select>
              <button type="button" className="ghost" data-testid="vcall-schedule" disabled={sending} onClick={() => void send({ phase: 'scheduled', afterMinutes: delay })}>
                {t('vcall.schedule')}
              </button>
            </span>
          )}
        </>
      ) : (
        <span className="muted">{t('vcall.noLeader')}</span>
      )}
      {error && (
        <span className="warn-text" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
