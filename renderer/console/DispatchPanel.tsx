/**
 * The recommended responders (shared/recommend.ts, computed by the core): the top one a single
 * click away, each alternative one more click, every one with the reasons it is where it is.
 */
import type { Candidate } from '../../shared/schema/console';
import { t, useLang } from '../i18n';
import { formatDuration, metres, roleName } from './format';

type Reason = Candidate['reasons'][number];

function reasonText(r: Reason): string {
  switch (r.kind) {
    case 'responsible':
      return `${t('reason.responsible')} ${r.gridName}`;
    case 'distance':
      return `${t('reason.distance')} ${metres(r.meters)}`;
    case 'fix_age':
      return `${t('reason.fixAge')} ${formatDuration(r.seconds * 1000)}${r.stale ? ` (${t('reason.stale')})` : ''}`;
    case 'no_fix':
      return t('reason.noFix');
    case 'on_duty':
      return r.onDuty ? t('reason.onDuty') : t('reason.offDuty');
    case 'load':
      return `${t('reason.load')} ${r.openAssignments}`;
  }
}

const reasonClass = (r: Reason): string =>
  r.kind === 'no_fix' || (r.kind === 'fix_age' && r.stale) || (r.kind === 'on_duty' && !r.onDuty) ? 'reason warn' : r.kind === 'responsible' ? 'reason good' : 'reason';

export function DispatchPanel(props: {
  candidates: readonly Candidate[];
  canDispatch: boolean;
  busy: boolean;
  currentAssigneeId?: string;
  onDispatch: (assigneeId: string, top: boolean) => void;
}) {
  useLang();
  if (props.candidates.length === 0) return <p className="muted">{t('dispatch.none')}</p>;
  const [top, ...rest] = props.candidates;
  return (
    <div className="dispatch">
      {top && (
        <div className="cand top" data-testid="candidate-top">
          <div className="cand-head">
            <span className="rank">#{top.rank}</span>
            <b>{top.person.name}</b>
            <span className="muted">{roleName(top.person.role)}</span>
            {top.person.phone && <span className="mono muted">{top.person.phone}</span>}
          </div>
          <div className="reasons">
            {top.reasons.map((r, i) => (
              <span key={i} className={reasonClass(r)}>
                {reasonText(r)}
              </span>
            ))}
          </div>
          {props.canDispatch && (
            <button
              type="button"
              className="big"
              data-testid="dispatch-top"
              disabled={props.busy || top.person.id === props.currentAssigneeId}
              onClick={() => props.onDispatch(top.person.id, true)}
            >
              {t('dispatch.to')} {top.person.name} <kbd>d</kbd>
            </button>
          )}
        </div>
      )}
      {rest.length > 0 && (
        <table className="alts">
          <thead>
            <tr>
              <th>#</th>
              <th>{t('dispatch.person')}</th>
              <th>{t('reason.distance')}</th>
              <th>{t('reason.fixAge')}</th>
              <th>{t('reason.load')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rest.map((c) => (
              <tr key={c.person.id} data-testid={`candidate-${c.person.id}`} title={c.reasons.map(reasonText).join(' · ')}>
                <td className="num">{c.rank}</td>
                <td>
                  {c.person.name} <span className="muted">{roleName(c.person.role)}</span>
                  {c.responsibleGridIds.length > 0 && <span className="reason good">{t('reason.responsible')}</span>}
                </td>
                <td className="mono">{c.distanceM !== undefined ? metres(c.distanceM) : '—'}</td>
                <td className="mono">{c.fixAgeS !== undefined ? formatDuration(c.fixAgeS * 1000) : t('reason.noFix')}</td>
                <td className="num">{c.openAssignments}</td>
                <td>
                  {props.canDispatch && (
                    <button type="button" className="ghost" disabled={props.busy || c.person.id === props.currentAssigneeId} onClick={() => props.onDispatch(c.person.id, false)}>
                      {t('cmd.dispatch')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
