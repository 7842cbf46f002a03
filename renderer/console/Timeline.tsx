/** The event's whole timeline, oldest first: nothing in it is ever edited, so it is shown as is. */
import { useEffect, useState } from 'react';
import type { Person, TimelineEntry } from '../../shared/schema';
import type { CoreLink } from '../../shared/schema/console';
import { AttachmentError, attachmentInfo, type AttachmentInfo } from '../core-client';
import { t, tMaybe, useLang } from '../i18n';
import { callbackDetail } from './call/timeline';
import { actorName, formatTime, roleName, stateName } from './format';

function detail(e: TimelineEntry, people: Record<string, Person>): string | null {
  const d = e.data ?? {};
  const assignee = typeof d.assigneeId === 'string' ? (people[d.assigneeId]?.name ?? d.assigneeId) : null;
  if (e.kind === 'dispatch' && assignee) return `→ ${assignee}`;
  if (e.kind === 'callback') return callbackDetail(e, people);
  if (e.kind === 'reject' && typeof d.reason === 'string') return tMaybe(`reject.${d.reason}`, d.reason);
  if (e.kind === 'evaluate' && typeof d.satisfaction === 'string') return tMaybe(`satisfaction.${d.satisfaction}`, d.satisfaction);
  if (e.kind === 'link' && typeof d.reportId === 'string') return `${t('detail.linkedReport')} ${d.reportId}`;
  if (e.kind === 'unlink' && typeof d.reportId === 'string') return `${t('cmd.split')} ${d.reportId}`;
  if (e.kind === 'escalate' && d.escalation && typeof d.escalation === 'object') {
    const esc = d.escalation as { target?: string };
    return esc.target ? tMaybe(`escalate.${esc.target}`, esc.target) : null;
  }
  return null;
}

/** A dispatch the hub has not taken while the link is down: the leader has to be phoned. */
function Undelivered(props: { entry: TimelineEntry; people: Record<string, Person> }) {
  const id = props.entry.data?.assigneeId;
  const person = typeof id === 'string' ? props.people[id] : undefined;
  return (
    <div className="tl-undelivered warn-text" role="alert" data-testid="undelivered">
      {t('tl.undelivered')} {person?.name ?? (typeof id === 'string' ? id : '')}
      {person?.phone && (
        <>
          {' '}
          <a className="mono" href={`tel:${person.phone}`} data-testid="undelivered-phone">
            {person.phone}
          </a>
        </>
      )}
    </div>
  );
}

export function Timeline(props: {
  entries: readonly TimelineEntry[];
  people: Record<string, Person>;
  /** entries of this console's commands the hub has not confirmed yet */
  pendingIds?: readonly string[];
  /** the core's link: a pending dispatch made while it is down cannot reach the leader */
  link?: CoreLink;
  /** attachments the page shows elsewhere already (the report's own): not repeated here */
  shownElsewhere?: readonly string[];
}) {
  useLang();
  const elsewhere = new Set(props.shownElsewhere ?? []);
  const pending = new Set(props.pendingIds ?? []);
  const linkDown = props.link !== undefined && props.link !== 'online';
  return (
    <ol className="timeline" data-testid="timeline">
      {props.entries.map((e) => {
        const extra = detail(e, props.people);
        const attachments = e.attachments.filter((h) => !elsewhere.has(h));
        return (
          <li key={e.id} className={`tl tl-${e.kind}${pending.has(e.id) ? ' tl-pending' : ''}`} data-kind={e.kind} data-pending={pending.has(e.id) ? 'true' : 'false'}>
            <div className="tl-head">
              <b className="tl-kind">{tMaybe(`cmd.${e.kind}`, e.kind)}</b>
              {e.fromState !== e.toState && <span className={`state state-${e.toState}`}>{stateName(e.toState)}</span>}
              <span className="mono muted">{formatTime(e.at)}</span>
              {pending.has(e.id) ? (
                <span className="pending-chip" data-testid="tl-pending">
                  {t('tl.pending')}
                </span>
              ) : (
                <span className="tl-confirmed muted" data-testid="tl-confirmed" title={t('tl.confirmed')}>
                  ✓
                </span>
              )}
            </div>
            {e.kind === 'dispatch' && pending.has(e.id) && linkDown && <Undelivered entry={e} people={props.people} />}
            <div className="tl-who">
              {actorName(e, props.people)} <span className="muted">· {roleName(e.actorRole)}</span>
              {e.origin && <span className="muted"> · {e.origin}</span>}
            </div>
            {extra && <div className="tl-data">{extra}</div>}
            {e.note && <div className="tl-note">{e.note}</div>}
            {attachments.length > 0 && (
              <div className="tl-att">
                <Attachments hashes={attachments} compact />
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/* ---------- attachments: photos, voice notes, clips ---------- */

const formatSize = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`);

/**
 * One attachment, served by the console host from the hub with the core's session: a photo as a
 * thumbnail that opens larger on click, a voice note or clip with the browser's own controls. Its
 * type comes from the host (`/api/core/attachments/:hash/meta`) before anything is shown.
 */
function AttachmentItem(props: { hash: string; onEnlarge: (a: AttachmentInfo) => void }) {
  useLang();
  const [info, setInfo] = useState<AttachmentInfo | null>(null);
  const [error, setError] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    setInfo(null);
    setError(null);
    attachmentInfo(props.hash).then(
      (a) => live && setInfo(a),
      (err: unknown) => live && setError(err instanceof AttachmentError ? err.status : 0),
    );
    return () => {
      live = false;
    };
  }, [props.hash]);
  const short = `${props.hash.slice(0, 12)}…`;
  if (error !== null) {
    const why = error === 401 ? t('att.signedOut') : error === 404 ? t('att.missing') : t('att.unavailable');
    return (
      <div role="listitem" className="att att-error" data-testid={`att-${props.hash}`} data-kind="error" title={props.hash}>
        <span className="mono muted">{short}</span> <span className="warn-text">{why}</span>
      </div>
    );
  }
  if (!info) {
    return (
      <div role="listitem" className="att att-loading muted" data-testid={`att-${props.hash}`} data-kind="loading" title={props.hash}>
        {t('att.loading')}
      </div>
    );
  }
  const label = `${t(info.kind === 'image' ? 'att.photo' : info.kind === 'audio' ? 'att.voice' : info.kind === 'video' ? 'att.video' : 'att.file')} · ${formatSize(info.size)}`;
  return (
    <div role="listitem" className={`att att-${info.kind}`} data-testid={`att-${props.hash}`} data-kind={info.kind} title={`${label} · ${props.hash}`}>
      {info.kind === 'image' ? (
        <button type="button" className="att-thumb" onClick={() => props.onEnlarge(info)} aria-label={`${label} · ${t('att.enlarge')}`}>
          <img src={info.url} alt={label} loading="lazy" decoding="async" />
        </button>
      ) : info.kind === 'audio' ? (
        <audio controls preload="metadata" src={info.url} aria-label={label} />
      ) : info.kind === 'video' ? (
        // a browser's recorder writes voice notes as webm/mp4, which the hub types as video: the player handles both
        <video controls preload="metadata" src={info.url} aria-label={label} />
      ) : (
        <span className="mono muted">
          {short} · {label}
        </span>
      )}
    </div>
  );
}

/** A photo at full size over the page; a click anywhere or Esc closes it. */
function PhotoViewer(props: { info: AttachmentInfo; onClose: () => void }) {
  useLang();
  const { onClose } = props;
  useEffect(() => {
    // ahead of the page's key table: Esc closes the photo, not the event
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopImmediatePropagation();
      e.preventDefault();
      onClose();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onClose]);
  return (
    <div className="att-viewer" role="dialog" aria-modal="true" aria-label={t('att.photo')} data-testid="att-viewer" onClick={onClose}>
      <img src={props.info.url} alt={t('att.photo')} />
      <button type="button" className="ghost att-viewer-close" onClick={onClose} aria-label={t('att.closeViewer')} autoFocus>
        ✕
      </button>
    </div>
  );
}

/** The attachments of a report or a timeline entry. */
export function Attachments(props: { hashes: readonly string[]; compact?: boolean }) {
  const [enlarged, setEnlarged] = useState<AttachmentInfo | null>(null);
  return (
    <>
      {/* not a <ul>: the timeline's own items are its only <li> */}
      <div role="list" className={props.compact ? 'attachments compact' : 'attachments'} data-testid="attachments">
        {props.hashes.map((h) => (
          <AttachmentItem key={h} hash={h} onEnlarge={setEnlarged} />
        ))}
      </div>
      {enlarged && <PhotoViewer info={enlarged} onClose={() => setEnlarged(null)} />}
    </>
  );
}
