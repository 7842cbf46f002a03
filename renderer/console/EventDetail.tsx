/**
 * One event, everything an operator needs to decide: what was reported, where (a small map of its
 * grids), the hotline order, linked reports, who to send (DispatchPanel) and what happened so far
 * (Timeline). The buttons are exactly what shared/workflow.ts allows this operator now.
 */
import type { CommandType, EventRecord } from '../../shared/schema';
import type { CoreLink, EventDetail as Detail } from '../../shared/schema/console';
import { allowedCommands, type Actor } from '../../shared/workflow';
import { t, useLang } from '../i18n';
import { CallActions } from './call/CallActions';
import { CallDock } from './call/CallDock';
import { DetailMap } from './DetailMap';
import { DispatchPanel } from './DispatchPanel';
import { categoryName, formatTime, placeName, roleName, sourceName, stateName, tierName, timeLeft } from './format';
import { Attachments, Timeline } from './Timeline';
import { PutOnWall } from './wallscreen/WallScreenControl';

/** The commands shown as buttons, in the order of the loop; dispatch has its own panel. */
const BUTTONS: readonly { type: CommandType; key?: string; primary?: boolean }[] = [
  { type: 'accept', key: 'a', primary: true },
  { type: 'reject' },
  { type: 'escalate', key: 'e' },
  { type: 'review', key: 'r', primary: true },
  { type: 'return' },
  { type: 'close', key: 'c', primary: true },
  { type: 'evaluate' },
  { type: 'note' },
];

export function EventDetail(props: {
  detail: Detail | null;
  loading: boolean;
  error: string | null;
  actor: Actor;
  now: number;
  busy: boolean;
  onAction: (type: CommandType, event: EventRecord) => void;
  onDispatch: (event: EventRecord, assigneeId: string, top: boolean) => void;
  onSplit: (reportId: string) => void;
  onOpen: (eventId: string) => void;
  onClose: () => void;
  /** the core's link to the hub */
  link?: CoreLink;
}) {
  useLang();
  const d = props.detail;
  if (!d) {
    return (
      <aside className="detail card empty-detail" aria-label={t('detail.heading')}>
        <p className="muted">{props.loading ? t('detail.loading') : (props.error ?? t('detail.none'))}</p>
        <CallDock onOpen={props.onOpen} />
      </aside>
    );
  }
  const row = d.row;
  const e = row.event;
  const allowed = new Set(allowedCommands(e, props.actor, props.now));
  const canDispatch = allowed.has('dispatch') || allowed.has('accept');
  const left = timeLeft(e, props.now);
  const overdue = row.overdue || (left?.overdue ?? false);
  const shapes = d.grids.map((g) => ({ id: g.id, name: g.name, polygon: g.polygon, kind: g.kind }));

  return (
    <aside className="detail card" aria-label={t('detail.heading')} data-testid="detail" data-event={e.id} data-state={e.state}>
      <div className="detail-head">
        <div className="detail-title">
          <span className={`tier tier-${e.tier}`}>{tierName(e.tier)}</span>
          <h2>{categoryName(e.categoryId)}</h2>
          <span className={`state big state-${e.state}`} data-testid="detail-state">
            {stateName(e.state)}
          </span>
          {row.pending && <span className="pending-chip">{t('queue.pending')}</span>}
          {overdue && <span className="duban">{t('queue.supervised')}</span>}
        </div>
        <button type="button" className="ghost" onClick={props.onClose} aria-label={t('detail.close')}>
          ✕
        </button>
      </div>
      <div className="detail-meta">
        <span className="mono">{e.id}</span>
        <span>{sourceName(e.source)}</span>
        <span>{placeName(row)}</span>
        <span>
          {t('detail.reportedAt')} {formatTime(e.reportedAt)}
        </span>
        {e.deadline !== undefined && (
          <span className={overdue ? 'is-overdue' : left?.soon ? 'is-soon' : ''}>
            {t('detail.deadline')} {formatTime(e.deadline)} ({left?.text})
          </span>
        )}
        {row.assigneeName && (
          <span>
            {t('queue.col.assignee')} <b>{row.assigneeName}</b>
          </span>
        )}
      </div>

      <div className="actions" role="toolbar" aria-label={t('detail.actions')}>
        {BUTTONS.filter((b) => allowed.has(b.type)).map((b) => (
          <button
            key={b.type}
            type="button"
            className={b.primary ? 'action primary' : 'action ghost'}
            disabled={props.busy}
            data-testid={`act-${b.type}`}
            onClick={() => props.onAction(b.type, e)}
          >
            {t(`cmd.${b.type}`)}
            {b.key && <kbd>{b.key}</kbd>}
          </button>
        ))}
        <PutOnWall eventId={e.id} />
      </div>
      <CallActions event={e} people={d.people} actor={props.actor} />
      <CallDock onOpen={props.onOpen} />

      <div className="detail-body">
        <section>
          <h3>{t('detail.description')}</h3>
          <p className="description">{e.description || '—'}</p>
          {e.address && (
            <p>
              <span className="muted">{t('detail.address')}</span> {e.address}
              {e.positionUnconfirmed && <span className="reason warn">{t('detail.positionUnconfirmed')}</span>}
            </p>
          )}
          {e.reporterId && d.people[e.reporterId] && (
            <p>
              <span className="muted">{t('detail.reporter')}</span> {d.people[e.reporterId]!.name}{' '}
              <span className="muted">{roleName(d.people[e.reporterId]!.role)}</span>
            </p>
          )}
          {e.reporterContact && (
            <p>
              <span className="muted">{t('detail.caller')}</span> {e.reporterContact.name ?? '—'} <span className="mono">{e.reporterContact.phone ?? ''}</span>
            </p>
          )}
        </section>

        {e.hotline && (
          <section className="hotline" data-testid="hotline">
            <h3>{t('detail.hotline')}</h3>
            <dl>
              <dt>{t('hotline.orderNo')}</dt>
              <dd className="mono">{e.hotline.orderNo}</dd>
              <dt>{t('hotline.type')}</dt>
              <dd>{e.hotline.type}</dd>
              <dt>{t('hotline.caller')}</dt>
              <dd>
                {e.hotline.callerName} <span className="mono">{e.hotline.callerPhone}</span>
              </dd>
              <dt>{t('hotline.receivedAt')}</dt>
              <dd>{formatTime(e.hotline.receivedAt)}</dd>
              <dt>{t('hotline.deadline')}</dt>
              <dd>{formatTime(e.hotline.deadline)}</dd>
              <dt>{t('hotline.address')}</dt>
              <dd>{e.hotline.address}</dd>
              <dt>{t('hotline.content')}</dt>
              <dd>{e.hotline.content}</dd>
            </dl>
          </section>
        )}

        <div className="two-col">
          <section>
            <h3>{t('detail.position')}</h3>
            <DetailMap eventId={e.id} tier={e.tier} point={e.position} shapes={shapes} label={t('detail.position')} />
            <p className="mono muted">
              {e.position.lng.toFixed(5)}, {e.position.lat.toFixed(5)}
            </p>
          </section>
          <section>
            <h3>{t('detail.attachments')}</h3>
            {e.attachments.length === 0 ? (
              <p className="muted">{t('detail.noAttachments')}</p>
            ) : (
              <Attachments hashes={e.attachments} />
            )}
          </section>
        </div>

        {(d.mergedInto || d.linked.length > 0) && (
          <section>
            <h3>{t('detail.linked')}</h3>
            {d.mergedInto && e.state === 'merged' && (
              <p className="links" data-testid={`merged-${e.id}`}>
                {t('detail.mergedInto')}{' '}
                <button type="button" className="link-button mono" onClick={() => props.onOpen(d.mergedInto!.id)}>
                  {d.mergedInto.id}
                </button>{' '}
                {allowed.has('split') && (
                  <button type="button" className="ghost" disabled={props.busy} onClick={() => props.onSplit(e.id)}>
                    {t('cmd.split')}
                  </button>
                )}
              </p>
            )}
            <ul className="linked">
              {d.linked.map((r) => (
                <li key={r.id} data-testid={`merged-${r.id}`}>
                  <button type="button" className="link-button mono" onClick={() => props.onOpen(r.id)}>
                    {r.id}
                  </button>{' '}
                  <span className="muted">{formatTime(r.reportedAt)}</span> {r.description}{' '}
                  {r.state === 'merged' && allowedCommands(r, props.actor).includes('split') && (
                    <button type="button" className="ghost" disabled={props.busy} onClick={() => props.onSplit(r.id)}>
                      {t('cmd.split')}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </section>
        )}

        <section>
          <h3>{t('detail.candidates')}</h3>
          <DispatchPanel
            candidates={d.candidates}
            canDispatch={canDispatch}
            busy={props.busy}
            {...(e.assigneeId ? { currentAssigneeId: e.assigneeId } : {})}
            onDispatch={(id, top) => props.onDispatch(e, id, top)}
          />
        </section>

        <section>
          <h3>
            {t('detail.timeline')} <span className="muted">({d.timeline.length})</span>
          </h3>
          <Timeline entries={d.timeline} people={d.people} shownElsewhere={e.attachments} pendingIds={d.pendingEntryIds ?? []} {...(props.link ? { link: props.link } : {})} />
        </section>
      </div>
    </aside>
  );
}
