/**
 * Logging a household visit (走访) from the field: who was visited, a note, photos, and where (the
 * phone's position). The visit id is made once and kept across retries, so a visit whose answer
 * was lost is not logged twice; the ledgers count it (GET /api/stats/ledger).
 */
import { useState, type FormEvent } from 'react';
import type { Visit } from '../../shared/schema';
import { t, useLang } from '../i18n';
import { uploadAll } from './actions';
import { HubError, type FieldApi } from './api';
import { usePendingIds } from './commands';
import { formatTime } from './format';
import type { Fix } from './geo';
import { PhotoPicker } from './media';

export function VisitForm(props: { api: FieldApi; lastFix: Fix | null; fixNow(): Promise<Fix>; afterAction(): void }) {
  useLang();
  const ids = usePendingIds();
  const [household, setHousehold] = useState('');
  const [address, setAddress] = useState('');
  const [note, setNote] = useState('');
  const [photos, setPhotos] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<Visit | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setDone(null);
    if (!household.trim()) return setError(t('field.visit.noHousehold'));
    setBusy(true);
    setError(null);
    const visitId = ids.get('visit');
    try {
      let fix: Fix;
      try {
        fix = await props.fixNow();
      } catch {
        setError(t('field.geo.failed'));
        return;
      }
      const attachments = await uploadAll(props.api, photos, null);
      const r = await props.api.visit({
        visitId,
        household: household.trim(),
        ...(address.trim() ? { address: address.trim() } : {}),
        ...(note.trim() ? { note: note.trim() } : {}),
        position: fix.position,
        at: Date.now(),
        attachments,
      });
      ids.settle('visit');
      setDone(r.visit);
      setHousehold('');
      setAddress('');
      setNote('');
      setPhotos([]);
      props.afterAction();
    } catch (err) {
      // a definite refusal needs a new id once the leader fixes the form; a lost answer keeps it
      const retry = !(err instanceof HubError) || err.code === 'network' || err.status === 0 || err.status >= 500;
      if (!retry) ids.settle('visit');
      setError(err instanceof HubError && err.code === 'network' ? t('field.error.network') : err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="report visit" onSubmit={submit} aria-label={t('field.tab.visit')}>
      {done && (
        <div className="notice reported" role="status" data-testid="visit-done" data-visit-id={done.visitId}>
          <b>
            {t('field.visit.sent')} · {done.household}
          </b>
          <div className="hint">{formatTime(done.at)}</div>
        </div>
      )}
      <label>
        <span>{t('field.visit.household')}</span>
        <input name="household" maxLength={200} placeholder={t('field.visit.householdPlaceholder')} value={household} onChange={(e) => setHousehold(e.target.value)} />
      </label>
      <label>
        <span>{t('field.visit.address')}</span>
        <input name="address" maxLength={300} value={address} onChange={(e) => setAddress(e.target.value)} />
      </label>
      <label>
        <span>{t('field.visit.note')}</span>
        <textarea name="visit-note" rows={3} maxLength={2000} placeholder={t('field.visit.notePlaceholder')} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <PhotoPicker name="visit-photo" photos={photos} onChange={setPhotos} />
      <p className="hint" data-testid="visit-position">
        {props.lastFix
          ? `${t('field.visit.position')} ${props.lastFix.position.lng.toFixed(5)}, ${props.lastFix.position.lat.toFixed(5)}`
          : t('field.visit.positionOnSubmit')}
      </p>
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
      <button type="submit" className="primary wide" disabled={busy}>
        {busy ? t('field.act.sending') : t('field.visit.submit')}
      </button>
    </form>
  );
}
