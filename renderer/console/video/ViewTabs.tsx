/** The console's views: the event queue with its detail, the video wall (key v switches to it and back), the map, the statistics. */
import { t, useLang } from '../../i18n';

export type ConsoleView = 'queue' | 'wall' | 'map' | 'stats';

export function ViewTabs(props: { view: ConsoleView; onView: (v: ConsoleView) => void; wallAlarm: boolean }) {
  useLang();
  const tab = (v: ConsoleView, label: string) => (
    <button type="button" role="tab" aria-selected={props.view === v} onClick={() => props.onView(v)} data-testid={`view-${v}`}>
      {label}
      {v === 'wall' && props.wallAlarm && <span className="alarm-dot" aria-label={t('wall.alarmActive')} />}
    </button>
  );
  return (
    <nav className="view-tabs" role="tablist" aria-label={t('wall.views')}>
      {tab('queue', t('wall.viewQueue'))}
      {tab('wall', t('wall.viewWall'))}
      {tab('map', t('map.view'))}
      {tab('stats', t('stats.view'))}
      <span className="muted view-key">
        <kbd>v</kbd>
      </span>
    </nav>
  );
}
