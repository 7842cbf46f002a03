/**
 * The call on screen: the leader's picture large, the event beside it, and what the operator does
 * during and after the call (snapshot, record, mute, end as confirmed, hang up, record the outcome).
 * Failure states say what happened and what to do next, in the operator's words.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { callClock, isLive } from '../../../shared/callback';
import type { LeaderFix } from '../../../shared/schema';
import { errorMessage } from '../../core-client';
import { t, tMaybe, useLang } from '../../i18n';
import { categoryName, formatTime } from '../format';
import { callClient } from './client';
import { recordingSupported } from './recorder';
import type { ConsoleCall } from './session';
import { closeCall } from './store';
import { callLength } from './timeline';

type Outcome = 'confirmed' | 'not_confirmed';

export function CallPanel(props: { call: ConsoleCall; onOpenEvent?: (eventId: string) => void }) {
  useLang();
  const { call } = props;
  const s = call.state;
  const live = isLive(s.phase);
  const [now, setNow] = useState(() => performance.now());
  const [busy, setBusy] = useState<string | null>(null);
  const [msg, setMsg] = useState<{ kind: 'ok' | 'bad'; text: string } | null>(null);
  const [outcome, setOutcome] = useState<Outcome>('confirmed');
  const [note, setNote] = useState('');
  const [saved, setSaved] = useState<Outcome | null>(null);
  const [fix, setFix] = useState<LeaderFix | null>(null);
  const videoRef = useRef<HTMLVideoElement | null>(null);

  useEffect(() => {
    if (!live) return;
    const h = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(h);
  }, [live]);

  // the leader's last known position, beside the picture
  useEffect(() => {
    let on = true;
    const load = () =>
      callClient()
        .call('leaderFix', { personId: call.target.leaderId })
        .then((f) => on && setFix(f), () => undefined);
    load();
    const h = setInterval(load, 30_000);
    return () => {
      on = false;
      clearInterval(h);
    };
  }, [call]);

  const attach = useCallback((v: HTMLVideoElement | null) => {
    videoRef.current = v;
    call.attach(v);
  }, [call]);

  const act = async (what: string, fn: () => Promise<unknown>, ok?: string) => {
    setBusy(what);
    try {
      await fn();
      if (ok) setMsg({ kind: 'ok', text: ok });
    } catch (e) {
      setMsg({ kind: 'bad', text: `${t(`vcall.${what}` as 'vcall.snapshot')}: ${errorMessage(e)}` });
    } finally {
      setBusy(null);
    }
  };

  const saveOutcome = (o: Outcome, text: string) =>
    act(
      'outcome.save',
      async () => {
        if (o === 'not_confirmed' && !text.trim()) throw new Error(t('vcall.outcome.noteNeeded'));
        await call.recordOutcome(o, text);
        setSaved(o);
      },
      t('vcall.outcome.saved'),
    );

  const endConfirmed = () => {
    call.hangup();
    void saveOutcome('confirmed', note);
  };

  const close = () =>
    void act('close', async () => {
      await call.settled();
      closeCall();
    });

  const phaseText = s.phase === 'ended' ? tMaybe(`vcall.end.${s.reason ?? 'failed'}`, s.reason ?? '') : t(`vcall.phase.${s.phase}` as 'vcall.phase.ringing');
  const hint = s.phase === 'ended' ? tMaybe(`vcall.hint.${s.reason ?? ''}`, '') : '';
  const bad = s.phase === 'ended' && s.reason !== 'hangup_operator' && s.reason !== 'hangup_leader';
  const clock = callClock(s, now);
  const canSnap = s.phase === 'connected';

  return (
    <div className="vcall-backdrop" role="dialog" aria-modal="true" aria-label={t('vcall.heading')}>
      <section
        className="vcall"
        data-testid="vcall-panel"
        data-phase={s.phase}
        data-reason={s.reason ?? ''}
        data-attempt={s.attempt}
        data-retried={s.retried ? 'true' : 'false'}
        data-recording={s.recording ? 'true' : 'false'}
        data-first-frame-ms={call.firstFrameMs === null ? '' : Math.round(call.firstFrameMs)}
      >
        <div className="vcall-stage">
          <video ref={attach} data-testid="vcall-video" autoPlay playsInline className={s.phase === 'connected' ? 'on' : ''} />
          {s.phase !== 'connected' && (
            <div className={`vcall-overlay${bad ? ' bad' : ''}`} data-testid="vcall-status" role="status">
              <b>{phaseText}</b>
              {s.phase === 'ended' && s.message && <p className="vcall-why">{s.message}</p>}
              {hint && <p className="vcall-hint">{hint}</p>}
            </div>
          )}
          {s.recording && (
            <span className="vcall-rec" data-testid="vcall-rec">
              ● {t('vcall.recordingOn')}
            </span>
          )}
          {live && <span className="vcall-clock mono">{String(Math.floor(clock / 60)).padStart(2, '0')}:{String(clock % 60).padStart(2, '0')}</span>}
        </div>

        <aside className="vcall-side">
          <header>
            <h2>{t('vcall.heading')}</h2>
            <span className={`vcall-phase phase-${s.phase}`} data-testid="vcall-phase">
              {phaseText}
              {s.attempt === 2 && s.phase !== 'ended' && ` · ${t('vcall.attempt2')}`}
            </span>
          </header>
          <dl className="vcall-event">
            <dt>{t('vcall.event')}</dt>
            <dd>
              <button type="button" className="link-button" onClick={() => props.onOpenEvent?.(call.target.eventId)}>
                {categoryName(call.target.categoryId)}
              </button>{' '}
              <span className="mono muted">{call.target.eventId}</span>
            </dd>
            <dd className="vcall-desc">{call.target.description}</dd>
            {call.target.address && <dd className="muted">{call.target.address}</dd>}
            <dt>{t('vcall.leader')}</dt>
            <dd>
              {call.target.leaderName}
              {fix?.person?.phone && (
                <>
                  {' '}
                  <a className="mono" href={`tel:${fix.person.phone}`}>
                    {fix.person.phone}
                  </a>
                </>
              )}
            </dd>
            <dt>{t('vcall.position')}</dt>
            <dd className="mono" data-testid="vcall-position">
              {fix?.fix ? `${fix.fix.position.lng.toFixed(5)}, ${fix.fix.position.lat.toFixed(5)} · ${formatTime(fix.fix.at)}` : '—'}
            </dd>
          </dl>
          {call.micError && <p className="warn-text">{t('vcall.noMic')}</p>}

          {live && (
            <div className="vcall-controls" role="toolbar" aria-label={t('vcall.heading')}>
              <button type="button" className="action" data-testid="vcall-snapshot" disabled={!canSnap || busy === 'snapshot'} onClick={() => void act('snapshot', () => call.snapshot(), t('vcall.snapshotSaved'))}>
                {t('vcall.snapshot')}
              </button>
              {recordingSupported() && (
                <button type="button" className="action ghost" data-testid="vcall-record" disabled={!canSnap} aria-pressed={s.recording} onClick={() => call.setRecording(!s.recording)}>
                  {s.recording ? t('vcall.recordStop') : t('vcall.recordStart')}
                </button>
              )}
              <button type="button" className="action ghost" data-testid="vcall-mute" disabled={!call.mic} aria-pressed={call.muted} onClick={() => call.setMuted(!call.muted)}>
                {call.muted ? t('vcall.unmute') : t('vcall.mute')}
              </button>
              <label className="vcall-note-live">
                <span>{t('vcall.outcome.note')}</span>
                <textarea name="vcall-note" rows={2} value={note} placeholder={t('vcall.outcome.notePlaceholder')} onChange={(e) => setNote(e.target.value)} />
              </label>
              <button type="button" className="action primary" data-testid="vcall-confirm" disabled={s.phase !== 'connected'} onClick={endConfirmed}>
                {t('vcall.confirmEnd')}
              </button>
              <button type="button" className="action danger" data-testid="vcall-hangup" onClick={() => call.hangup()}>
                {t('vcall.hangup')}
              </button>
            </div>
          )}

          {!live && (
            <div className="vcall-after">
              {saved ? (
                <p className="ok-text" data-testid="vcall-saved" data-outcome={saved}>
                  {t('vcall.outcome.saved')}: {t(`vcall.outcome.${saved}`)}
                </p>
              ) : (
                <form
                  className="vcall-outcome"
                  data-testid="vcall-outcome"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void saveOutcome(outcome, note);
                  }}
                >
                  <h3>{t('vcall.outcome.heading')}</h3>
                  {(['confirmed', 'not_confirmed'] as const).map((o) => (
                    <label key={o} className="radio">
                      <input type="radio" name="vcall-outcome" value={o} checked={outcome === o} onChange={() => setOutcome(o)} data-testid={`vcall-outcome-${o}`} />
                      {t(`vcall.outcome.${o}`)}
                    </label>
                  ))}
                  <textarea name="vcall-note" rows={3} value={note} placeholder={t('vcall.outcome.notePlaceholder')} onChange={(e) => setNote(e.target.value)} />
                  <button type="submit" className="action primary" data-testid="vcall-outcome-save" disabled={busy !== null}>
                    {t('vcall.outcome.save')}
                  </button>
                </form>
              )}
              <button type="button" className="action ghost" data-testid="vcall-close" disabled={busy === 'close'} onClick={close}>
                {t('vcall.close')}
              </button>
              {s.connectedAt !== undefined && s.endedAt !== undefined && <p className="muted" data-testid="vcall-duration">{t('vcall.duration')} {callLength(s.endedAt - s.connectedAt)}</p>}
            </div>
          )}
          {msg && (
            <p className={msg.kind === 'ok' ? 'ok-text' : 'warn-text'} role={msg.kind === 'bad' ? 'alert' : 'status'} data-testid="vcall-msg">
              {msg.text}
            </p>
          )}
        </aside>
      </section>
    </div>
  );
}
