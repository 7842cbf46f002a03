/** One assignment on the leader's phone, with the step it is waiting for: 签收, 到场, 反馈. */
import { useState, type FormEvent } from 'react';
import type { EventRecord } from '../../shared/schema';
import type { Taxonomy } from '../../shared/taxonomy';
import { t, useLang } from '../i18n';
import type { FieldApi } from './api';
import { run, uploadAll } from './actions';
import { usePendingIds } from './commands';
import { categoryName, formatTime, shortId, stateLabel, tierLabel } from './format';
import type { Fix } from './geo';
import { PhotoPicker } from './media';

export interface TaskDeps {
  api: FieldApi;
  taxonomy: Taxonomy;
  /** the device's position now, asking the browser when no recent fix is at hand */
  fixNow(): Promise<Fix>;
  /** called with the event as a command left it */
  onEvent(e: EventRecord): void;
  /** after every action: the centre sees where the leader is */
  afterAction(): void;
}

export function TaskCard(props: { event: EventRecord; fresh: boolean; deps: TaskDeps }) {
  useLang();
  const e = props.event;
  const { api, taxonomy } = props.deps;
  const ids = usePendingIds();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [feedbackOpen, setFeedbackOpen] = useState(false);
  const [note, setNote] = useState('');
  const [photos, setPhotos] = useState<File[]>([]);

  const act = async (key: string, build: (commandId: string) => Promise<Parameters<FieldApi['command']>[0]>) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    const out = await run(api, () => build(ids.get(`${key}:${e.id}`)));
    setBusy(false);
    if (out.ok || !out.retry) ids.settle(`${key}:${e.id}`);
    if (out.ok) {
      if (out.event) props.deps.onEvent(out.event);
      props.deps.afterAction();
      return true;
    }
    setError(out.message);
    return false;
  };

  const acknowledge = () => act('acknowledge', async (commandId) => ({ type: 'acknowledge', commandId, eventId: e.id }));
  const arrive = () =>
    act('arrive', async (commandId) => {
      let fix: Fix;
      try {
        fix = await props.deps.fixNow();
      } catch {
        throw new Error(t('field.geo.failed'));
      }
      return { type: 'arrive', commandId, eventId: e.id, position: fix.position };
    });
  const sendFeedback = async (ev: FormEvent) => {
    ev.preventDefault();
    if (!note.trim()) return;
    const ok = await act('feedback', async (commandId) => ({
      type: 'feedback',
      commandId,
      eventId: e.id,
      note: note.trim(),
      attachments: await uploadAll(api, photos, null),
    }));
    if (ok) {
      setFeedbackOpen(false);
      setNote('');
      setPhotos([]);
    }
  };

  const canAck = e.state === 'dispatched' || e.state === 'returned';
  const canArrive = e.state === 'acknowledged';
  const canFeedback = e.state === 'acknowledged' || e.state === 'on_site';

  return (
    <article className={`task${props.fresh ? ' fresh' : ''}`} data-event-id={e.id} data-state={e.state}>
      <header className="task-head">
        <span className={`tier tier-${e.tier}`}>{tierLabel(e)}</span>
        <h3>{categoryName(taxonomy, e.categoryId)}</h3>
        <span className={`state state-${e.state}`} data-testid="task-state">
          {stateLabel(e)}
        </span>
      </header>
      <p className="task-desc">{e.description}</p>
      <dl className="task-meta">
        {e.address && (
          <>
            <dt>{t('field.task.address')}</dt>
            <dd>{e.address}</dd>
          </>
        )}
        {e.deadline !== undefined && (
          <>
            <dt>{t('field.task.deadline')}</dt>
            <dd>{formatTime(e.deadline)}</dd>
          </>
        )}
        {e.attachments.length > 0 && (
          <>
            <dt>{t('field.task.attachments')}</dt>
            <dd>{e.attachments.length}</dd>
          </>
        )}
        <dt>#</dt>
        <dd className="mono" title={e.id}>
          {shortId(e.id)}
        </dd>
      </dl>
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
      {!feedbackOpen && (
        <div className="task-actions">
          {canAck && (
            <button type="button" disabled={busy} onClick={acknowledge}>
              {t('cmd.acknowledge')}
            </button>
          )}
          {canArrive && (
            <button type="button" disabled={busy} onClick={arrive}>
              {t('cmd.arrive')}
            </button>
          )}
          {canFeedback && (
            <button type="button" className={canArrive ? 'secondary' : ''} disabled={busy} onClick={() => setFeedbackOpen(true)}>
              {t('cmd.feedback')}
            </button>
          )}
          {busy && <span className="hint">{t('field.act.sending')}</span>}
        </div>
      )}
      {feedbackOpen && (
        <form className="feedback" onSubmit={sendFeedback}>
          <label>
            <span>{t('field.feedback.note')}</span>
            <textarea
              name="note"
              required
              rows={3}
              maxLength={4000}
              placeholder={t('field.feedback.placeholder')}
              value={note}
              onChange={(x) => setNote(x.target.value)}
            />
          </label>
          <PhotoPicker name="feedback-photo" photos={photos} onChange={setPhotos} />
          <div className="task-actions">
            <button type="submit" disabled={busy || !note.trim()}>
              {busy ? t('field.act.sending') : t('field.feedback.submit')}
            </button>
            <button type="button" className="ghost" disabled={busy} onClick={() => setFeedbackOpen(false)}>
              {t('field.act.cancel')}
            </button>
          </div>
        </form>
      )}
    </article>
  );
}
