/**
 * The field page's call screen (phone-sized, 360 px up): an incoming call from the centre with the
 * event it is about, then the camera's own picture full screen with switch, mute and hang-up, and
 * a plain notice when the centre records the call.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { Taxonomy } from '../../../shared/taxonomy';
import { t, tMaybe, useLang } from '../../i18n';
import { categoryName } from '../format';
import type { FieldCallController } from './controller';
import './call.css';

export function CallScreen(props: { controller: FieldCallController; taxonomy: Taxonomy }) {
  useLang();
  const c = props.controller;
  const s = useSyncExternalStore(
    (cb) => c.subscribe(cb),
    () => c.state,
  );
  const videoRef = useRef<HTMLVideoElement | null>(null);
  useEffect(() => {
    const v = videoRef.current;
    if (v && c.local && v.srcObject !== c.local) {
      v.srcObject = c.local;
      void v.play().catch(() => undefined);
    }
  });
  if (s.phase === 'idle') return null;
  const b = s.brief;
  const inCall = s.phase === 'preparing' || s.phase === 'connecting' || s.phase === 'connected' || s.phase === 'waiting';

  return (
    <div className={`fcall fcall-${s.phase}`} role="dialog" aria-modal="true" aria-label={t('fcall.incoming')} data-testid="fcall" data-phase={s.phase} data-facing={s.facing}>
      {s.recorded && (s.phase !== 'ended') && (
        <div className="fcall-recorded" role="status" data-testid="fcall-recorded">
          {t('fcall.recorded')}
        </div>
      )}
      {s.phase === 'ringing' && b && (
        <div className="fcall-ring">
          <h2>{t('fcall.incoming')}</h2>
          <p className="fcall-from">
            {t('fcall.from')} {b.callerName} · {tMaybe(`role.${b.callerRole}`, b.callerRole)}
          </p>
          <div className="fcall-brief">
            <b>{categoryName(props.taxonomy, b.categoryId)}</b>
            <p>{b.description}</p>
            {b.address && <p className="hint">{b.address}</p>}
          </div>
          <p className="hint">{t('fcall.hint')}</p>
          <div className="fcall-answer">
            <button type="button" className="fcall-decline" data-testid="fcall-decline" onClick={() => c.decline()}>
              {t('fcall.decline')}
            </button>
            <button type="button" className="fcall-accept" data-testid="fcall-accept" onClick={() => void c.accept()}>
              {t('fcall.accept')}
            </button>
          </div>
        </div>
      )}
      {inCall && (
        <div className="fcall-live">
          <video ref={videoRef} autoPlay playsInline muted data-testid="fcall-preview" />
          <div className="fcall-status" role="status">
            {s.phase === 'connected' ? t('fcall.connected') : s.phase === 'waiting' ? t('fcall.waiting') : t('fcall.connecting')}
            {b && <span className="fcall-event"> · {categoryName(props.taxonomy, b.categoryId)}</span>}
          </div>
          <div className="fcall-controls">
            <button type="button" data-testid="fcall-switch" onClick={() => void c.switchCamera()} aria-label={t('fcall.switchCamera')}>
              {t('fcall.switchCamera')} ({s.facing === 'environment' ? t('fcall.rear') : t('fcall.front')})
            </button>
            <button type="button" data-testid="fcall-mute" aria-pressed={s.muted} onClick={() => c.setMuted(!s.muted)}>
              {s.muted ? t('fcall.unmute') : t('fcall.mute')}
            </button>
            <button type="button" className="fcall-hangup" data-testid="fcall-hangup" onClick={() => c.hangup()}>
              {t('fcall.hangup')}
            </button>
          </div>
        </div>
      )}
      {s.phase === 'ended' && (
        <div className="fcall-ended" data-testid="fcall-ended" data-ended={s.ended ?? ''}>
          <h2>{s.ended === 'camera_denied' ? t('fcall.cameraDeniedTitle') : t('fcall.ended')}</h2>
          {s.ended === 'camera_denied' && <p className="warn">{t('fcall.cameraDenied')}</p>}
          {s.ended === 'remote' && s.endReason && <p className="hint">{tMaybe(`vcall.end.${s.endReason}`, s.endReason)}</p>}
          {s.error && <p className="hint">{s.error}</p>}
          <button type="button" className="primary wide" onClick={() => c.dismiss()}>
            {t('fcall.dismiss')}
          </button>
        </div>
      )}
    </div>
  );
}
