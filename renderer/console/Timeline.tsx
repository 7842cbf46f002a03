/** The event's whole timeline, oldest first: nothing in it is ever edited, so it is shown as is. */
import type { Person, TimelineEntry } from '../../shared/schema';
import { t, tMaybe, useLang } from '../i18n';
import { actorName, formatTime, roleName, stateName } from './format';

function detail(e: TimelineEntry, people: Record<string, Person>): string | null {
  const d = e.data ?? {};
  const assignee = typeof d.assigneeId === 'string' ? (people[d.assigneeId]?.name ?? d.assigneeId) : null;
  if (e.kind === 'dispatch' && assignee) return `→ ${assignee}`;
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

export function Timeline(props: { entries: readonly TimelineEntry[]; people: Record<string, Person> }) {
  useLang();
  return (
    <ol className="timeline" data-testid="timeline">
      {props.entries.map((e) => {
        const extra = detail(e, props.people);
        return (
          <li key={e.id} className={`tl tl-${e.kind}`} data-kind={e.kind}>
            <div className="tl-head">
              <b className="tl-kind">{tMaybe(`cmd.${e.kind}`, e.kind)}</b>
              {e.fromState !== e.toState && <span className={`state state-${e.toState}`}>{stateName(e.toState)}</span>}
              <span className="mono muted">{formatTime(e.at)}</span>
            </div>
            <div className="tl-who">
              {actorName(e, props.people)} <span className="muted">· {roleName(e.actorRole)}</span>
              {e.origin && <span className="muted"> · {e.origin}</span>}
            </div>
            {extra && <div className="tl-data">{extra}</div>}
            {e.note && <div className="tl-note">{e.note}</div>}
            {e.attachments.length > 0 && (
              <div className="tl-att muted">
                {t('detail.attachments')}: {e.attachments.length}
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}
