/** How a `callback` timeline entry reads: its phase and what it carries, in the current language. */
import type { Person, TimelineEntry } from '../../../shared/schema';
import { t, tMaybe } from '../../i18n';
import { formatDuration, formatTime } from '../format';

/** "42 s" under a minute, else the console's short duration ("3分"). */
export const callLength = (ms: number): string => (ms < 60_000 ? `${Math.round(ms / 1000)} s` : formatDuration(ms));

export function callbackDetail(e: TimelineEntry, people: Record<string, Person>): string | null {
  const d = e.data ?? {};
  const phase = typeof d.phase === 'string' ? d.phase : '';
  const parts: string[] = [];
  switch (phase) {
    case 'scheduled':
      parts.push(t('tl.callback.scheduled'));
      if (typeof d.dueAt === 'number') parts.push(formatTime(d.dueAt));
      break;
    case 'started': {
      parts.push(t('tl.callback.started'));
      const leader = typeof d.leaderId === 'string' ? (people[d.leaderId]?.name ?? d.leaderId) : null;
      if (leader) parts.push(`→ ${leader}`);
      if (d.recorded === true) parts.push(t('vcall.recordingOn'));
      break;
    }
    case 'connected':
      parts.push(t('tl.callback.connected'));
      if (typeof d.setupMs === 'number') parts.push(`${t('vcall.setup')} ${(d.setupMs / 1000).toFixed(1)} s`);
      if (d.attempt === 2) parts.push(t('vcall.attempt2'));
      break;
    case 'ended':
      parts.push(t('tl.callback.ended'));
      if (typeof d.reason === 'string') parts.push(tMaybe(`vcall.end.${d.reason}`, d.reason));
      if (typeof d.durationMs === 'number') parts.push(callLength(d.durationMs));
      break;
    case 'snapshot': {
      parts.push(t('tl.callback.snapshot'));
      if (typeof d.takenAt === 'number') parts.push(formatTime(d.takenAt));
      const pos = d.position as { lng?: unknown; lat?: unknown } | undefined;
      if (pos && typeof pos.lng === 'number' && typeof pos.lat === 'number') {
        parts.push(`${t('vcall.position')} ${pos.lng.toFixed(5)}, ${pos.lat.toFixed(5)}${typeof d.positionAt === 'number' ? ` (${formatTime(d.positionAt)})` : ''}`);
      }
      break;
    }
    case 'outcome':
      parts.push(tMaybe(`tl.callback.outcome.${String(d.outcome)}`, String(d.outcome)));
      if (d.review === true) parts.push(t('tl.callback.review'));
      break;
    default:
      parts.push(tMaybe(`tl.callback.${phase}`, phase));
  }
  return parts.join(' · ');
}
