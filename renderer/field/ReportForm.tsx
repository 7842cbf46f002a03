/**
 * Reporting a new event from the field: category, text, photos, a voice note and the spot, taken
 * from the phone's position or tapped on the leader's own grid map.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { polygonContains } from '../../shared/geo';
import type { EventRecord, Grid, LngLat } from '../../shared/schema';
import type { Taxonomy } from '../../shared/taxonomy';
import { getLang, t, useLang } from '../i18n';
import type { FieldApi } from './api';
import { run, uploadAll } from './actions';
import { usePendingIds } from './commands';
import { shortId } from './format';
import type { Fix } from './geo';
import { GridMap } from './GridMap';
import { PhotoPicker, VoiceRecorder } from './media';

interface Spot {
  position: LngLat;
  from: 'gps' | 'map';
  inside: boolean;
}

type Done = { kind: 'reported'; id: string } | { kind: 'merged'; id: string; into: string };

export function ReportForm(props: {
  api: FieldApi;
  taxonomy: Taxonomy;
  grids: readonly Grid[];
  lastFix: Fix | null;
  fixNow(): Promise<Fix>;
  onEvent(e: EventRecord): void;
  afterAction(): void;
}) {
  useLang();
  const ids = usePendingIds();
  const [categoryId, setCategoryId] = useState('');
  const [description, setDescription] = useState('');
  const [photos, setPhotos] = useState<File[]>([]);
  const [voice, setVoice] = useState<Blob | null>(null);
  const [spot, setSpot] = useState<Spot | null>(null);
  const [locating, setLocating] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<Done | null>(null);

  const inGrids = (p: LngLat) => props.grids.some((g) => polygonContains(g.polygon, p));
  const fromFix = (f: Fix): Spot => ({ position: f.position, from: 'gps', inside: inGrids(f.position) });

  // the phone's own position is the default spot until the leader taps the map
  useEffect(() => {
    if (props.lastFix && (!spot || spot.from === 'gps')) setSpot(fromFix(props.lastFix));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.lastFix]);

  const categories = useMemo(() => {
    const byId = new Map(props.taxonomy.categories.map((c) => [c.id, c]));
    const name = (id: string) => {
      const c = byId.get(id);
      return c ? (getLang() === 'en' ? c.name.en : c.name.zh) : id;
    };
    return props.taxonomy.categories.map((c) => ({ id: c.id, label: c.parentId ? `${name(c.parentId)} · ${name(c.id)}` : name(c.id) }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.taxonomy, getLang()]);

  const locate = async () => {
    setLocating(true);
    setError(null);
    try {
      setSpot(fromFix(await props.fixNow()));
    } catch {
      setError(t('field.geo.failed'));
    } finally {
      setLocating(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setDone(null);
    if (!categoryId) return setError(t('field.report.noCategory'));
    if (!description.trim()) return setError(t('field.report.noDescription'));
    if (!spot) return setError(t('field.report.noPosition'));
    setBusy(true);
    setError(null);
    // one event id and command id for this report, kept across retries until the hub answers
    const eventId = ids.get('event');
    const commandId = ids.get('report');
    const out = await run(props.api, async () => ({
      type: 'report',
      commandId,
      eventId,
      categoryId,
      description: description.trim(),
      position: spot.position,
      source: 'field',
      attachments: await uploadAll(props.api, photos, voice),
    }));
    setBusy(false);
    if (!out.ok) {
      if (!out.retry) {
        ids.settle('event');
        ids.settle('report');
      }
      setError(out.message);
      return;
    }
    ids.settle('event');
    ids.settle('report');
    const ev = out.event;
    if (ev) props.onEvent(ev);
    setDone(ev?.state === 'merged' && ev.mergedInto ? { kind: 'merged', id: eventId, into: ev.mergedInto } : { kind: 'reported', id: eventId });
    setCategoryId('');
    setDescription('');
    setPhotos([]);
    setVoice(null);
    if (spot.from === 'map') setSpot(props.lastFix ? fromFix(props.lastFix) : null);
    props.afterAction();
  };

  return (
    <form className="report" onSubmit={submit} aria-label={t('field.tab.report')}>
      {done && (
        <div className={`notice ${done.kind}`} role="status" data-testid="report-done" data-event-id={done.id}>
          {done.kind === 'merged' ? (
            <>
              <b>
                {t('field.report.merged')} <span className="mono" title={done.into}>{shortId(done.into)}</span>
              </b>
              <div>{t('field.report.mergedHint')}</div>
            </>
          ) : (
            <b>
              {t('field.report.sent')} <span className="mono" title={done.id}>{shortId(done.id)}</span>
            </b>
          )}
        </div>
      )}
      <label>
        <span>{t('field.report.category')}</span>
        <select name="category" value={categoryId} onChange={(e) => setCategoryId(e.target.value)}>
          <option value="">{t('field.report.choose')}</option>
          {categories.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('field.report.description')}</span>
        <textarea
          name="description"
          rows={3}
          maxLength={4000}
          placeholder={t('field.report.descriptionPlaceholder')}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </label>
      <PhotoPicker name="report-photo" photos={photos} onChange={setPhotos} />
      <VoiceRecorder voice={voice} onChange={setVoice} />
      <fieldset className="spot">
        <legend>{t('field.report.position')}</legend>
        <div className="spot-line">
          <button type="button" className="secondary" disabled={locating} onClick={locate}>
            {locating ? t('field.geo.locating') : t('field.report.useGps')}
          </button>
          {spot && (
            <span className={`spot-coords ${spot.inside ? 'inside' : 'outside'}`} data-testid="spot">
              {spot.position.lng.toFixed(5)}, {spot.position.lat.toFixed(5)} · {spot.inside ? t('field.geo.inGrid') : t('field.geo.outGrid')}
            </span>
          )}
        </div>
        <div className="hint">{t('field.report.tapMap')}</div>
        <GridMap
          grids={props.grids}
          picked={spot?.position ?? null}
          me={props.lastFix?.position ?? null}
          onPick={(position, inside) => {
            if (!inside) return setError(t('field.report.outside'));
            setError(null);
            setSpot({ position, from: 'map', inside });
          }}
        />
      </fieldset>
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
      <button type="submit" className="primary wide" disabled={busy}>
        {busy ? t('field.act.sending') : t('field.report.submit')}
      </button>
    </form>
  );
}
