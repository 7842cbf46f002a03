/**
 * Alarm linkage (报警联动) for a page with camera tiles: the newest urgent event near a camera
 * (nextAlarm) becomes the active alarm until its time is up. `onNew` hears of each new alarm's
 * event, once (the console's wall toasts it).
 */
import { useEffect, useRef, useState } from 'react';
import type { WallCamera } from '../../../shared/schema/wall';
import { DEFAULT_TAXONOMY } from '../../../shared/taxonomy';
import type { CoreClient } from '../../core-client';
import { DEFAULT_ALARM, nextAlarm, type ActiveAlarm } from './alarm-linkage';

export function useAlarmLinkage(client: CoreClient, cameras: readonly WallCamera[], onNew?: (alarm: ActiveAlarm, camera: WallCamera | undefined) => void): ActiveAlarm | null {
  const [alarm, setAlarm] = useState<ActiveAlarm | null>(null);
  // the notice handler is registered once: it reads the latest cameras, alarm and callback from refs
  const camerasRef = useRef(cameras);
  camerasRef.current = cameras;
  const onNewRef = useRef(onNew);
  onNewRef.current = onNew;
  const alarmRef = useRef<ActiveAlarm | null>(null);
  alarmRef.current = alarm;
  useEffect(
    () =>
      client.onNotice((n) => {
        if (n.type !== 'newEvents') return;
        const current = alarmRef.current;
        const next = nextAlarm(current, n.events, camerasRef.current, Date.now(), DEFAULT_ALARM, DEFAULT_TAXONOMY);
        if (next === current) return;
        alarmRef.current = next;
        setAlarm(next);
        if (next && next.eventId !== current?.eventId) onNewRef.current?.(next, camerasRef.current.find((c) => c.id === next.cameraId));
      }),
    [client],
  );
  useEffect(() => {
    if (!alarm) return;
    const h = setTimeout(() => setAlarm((a) => (a === alarm ? null : a)), Math.max(0, alarm.until - Date.now()));
    return () => clearTimeout(h);
  }, [alarm]);
  return alarm;
}
