/**
 * Taking a phone call (接听来电): the operator types what the caller says and either picks the spot
 * on the map or types the address; the call becomes a `report` with source 'phone'. With only an
 * address the event is placed at the chosen town's centre and marked as a guess, as the hub does
 * for hotline orders, so someone confirms the spot on site.
 */
import { useMemo, useState } from 'react';
import { v7 as uuidv7 } from 'uuid';
import type { Command, LngLat, OrgUnit, ReporterContact } from '../../shared/schema';
import { DEFAULT_TAXONOMY } from '../../shared/taxonomy';
import { attachmentUrl } from '../core-client';
import { getLang, t, useLang } from '../i18n';
import { Dialog } from './Dialog';
import { MiniMap, type MapShape } from './MiniMap';
import type { CameraReport } from './video/VideoWall';

const PHONE = /^[0-9+\- ]{3,20}$/;

export function CallForm(props: {
  orgUnits: readonly OrgUnit[];
  onSend: (c: Command) => Promise<string | null>;
  onClose: () => void;
  onSent: (eventId: string) => void;
  /** "report from this camera" (the video wall): at the camera's spot, source 'camera', its snapshot attached */
  camera?: CameraReport;
  /** the spot already picked on the console's map (WGS-84) */
  initialSpot?: LngLat;
}) {
  useLang();
  const [ids] = useState(() => ({ commandId: uuidv7(), eventId: uuidv7() }));
  const [categoryId, setCategoryId] = useState('');
  const [description, setDescription] = useState('');
  const [callerName, setCallerName] = useState('');
  const [callerPhone, setCallerPhone] = useState('');
  const [address, setAddress] = useState(props.camera?.address ?? '');
  const [townId, setTownId] = useState('');
  const [spot, setSpot] = useState<LngLat | null>(props.camera?.position ?? props.initialSpot ?? null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const towns = useMemo(() => props.orgUnits.filter((o) => o.level === 'subcenter'), [props.orgUnits]);
  const town = towns.find((o) => o.id === townId);
  const shapes = useMemo<MapShape[]>(() => {
    // a town chosen: its communities, fine enough to pick a street; else the whole district by town
    const inTown = townId ? props.orgUnits.filter((o) => o.level === 'community' && o.parentId === townId && o.boundary) : [];
    const list = inTown.length > 0 ? inTown : towns.filter((o) => o.boundary && (!townId || o.id === townId));
    return list.map((o) => ({ id: o.id, name: o.name, polygon: o.boundary!, kind: o.level === 'community' ? 'community' : 'town' }));
  }, [props.orgUnits, towns, townId]);

  const submit = async () => {
    const desc = description.trim();
    if (!categoryId) return setError(t('call.noCategory'));
    if (!desc) return setError(t('call.noDescription'));
    if (callerPhone.trim() && !PHONE.test(callerPhone.trim())) return setError(t('call.badPhone'));
    const position = spot ?? town?.center;
    if (!position) return setError(t('call.noPlace'));
    const contact: ReporterContact = {
      ...(callerName.trim() ? { name: callerName.trim() } : {}),
      ...(callerPhone.trim() ? { phone: callerPhone.trim() } : {}),
    };
    const command: Command = {
      type: 'report',
      ...ids,
      categoryId,
      description: desc,
      position,
      source: props.camera ? 'camera' : 'phone',
      attachments: props.camera ? [...props.camera.attachments] : [],
      ...(address.trim() ? { address: address.trim() } : {}),
      ...(Object.keys(contact).length > 0 ? { reporterContact: contact } : {}),
      ...(spot ? {} : { positionUnconfirmed: true }),
    };
    setBusy(true);
    const err = await props.onSend(command);
    setBusy(false);
    if (err) return setError(err);
    props.onSent(ids.eventId);
    props.onClose();
  };

  const en = getLang() === 'en';
  return (
    <Dialog
      title={props.camera ? t('wall.reportHeading') : t('call.heading')}
      submitLabel={busy ? t('dialog.sending') : t('call.submit')}
      submitDisabled={busy}
      onSubmit={() => void submit()}
      onClose={props.onClose}
      error={error}
      wide
      testId="call-form"
    >
      {props.camera && (
        <div className="call-camera" data-testid="call-camera">
          {t('wall.reportFrom')} <b>{props.camera.cameraName}</b> <span className="mono muted">{props.camera.cameraId}</span>
          {props.camera.attachments.map((h) => (
            <img key={h} src={attachmentUrl(h)} alt={t('wall.reportSnapshot')} height={54} data-testid="call-snapshot" />
          ))}
        </div>
      )}
      <div className="call-grid">
        <div className="call-fields">
          <label className="field">
            <span>{t('call.category')} *</span>
            <select name="category" value={categoryId} onChange={(e) => setCategoryId(e.target.value)}>
              <option value="">{t('call.chooseCategory')}</option>
              {DEFAULT_TAXONOMY.categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {en ? c.name.en : c.name.zh}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('call.description')} *</span>
            <textarea name="description" rows={4} value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
          <div className="row2">
            <label className="field">
              <span>{t('call.callerName')}</span>
              <input name="callerName" value={callerName} onChange={(e) => setCallerName(e.target.value)} />
            </label>
            <label className="field">
              <span>{t('call.callerPhone')}</span>
              <input name="callerPhone" inputMode="tel" value={callerPhone} onChange={(e) => setCallerPhone(e.target.value)} />
            </label>
          </div>
          <label className="field">
            <span>{t('call.address')}</span>
            <input name="address" value={address} onChange={(e) => setAddress(e.target.value)} />
          </label>
          <label className="field">
            <span>{t('call.town')}</span>
            <select
              name="town"
              value={townId}
              onChange={(e) => {
                setTownId(e.target.value);
                setSpot(null);
              }}
            >
              <option value="">{t('queue.allTowns')}</option>
              {towns.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="call-map">
          <span className="muted">{t('call.pickHint')}</span>
          {shapes.length > 0 ? (
            <MiniMap shapes={shapes} point={spot} label={t('call.map')} width={340} onPick={setSpot} testId="call-map" />
          ) : (
            <p className="muted">{t('call.noMap')}</p>
          )}
          <span className="mono muted">
            {spot ? `${spot.lng.toFixed(5)}, ${spot.lat.toFixed(5)}` : town ? t('call.townCentre') : '—'}
          </span>
        </div>
      </div>
    </Dialog>
  );
}
