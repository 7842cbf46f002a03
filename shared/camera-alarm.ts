import type { Camera, CameraAlarm, CameraAlarmType } from './schema';

/* How a camera alarm becomes an event. */

/**
 * Alarm type → taxonomy category and how the desk names it. Data, not code: a type the platform
 * adds needs one row here (the schema's enum and this table are checked against each other).
 */
export const CAMERA_ALARM_KINDS: Readonly<Record<CameraAlarmType, { categoryId: string; zh: string; en: string }>> = {
  intrusion: { categoryId: 'public_order', zh: '区域入侵', en: 'Intrusion' },
  fire_smoke: { categoryId: 'fire_safety', zh: '烟火', en: 'Fire or smoke' },
  crowd: { categoryId: 'public_order', zh: '人员聚集', en: 'Crowd gathering' },
  // no traffic class in the default taxonomy: illegal parking is handled as public order (治安)
  illegal_parking: { categoryId: 'public_order', zh: '违章停车', en: 'Illegal parking' },
  garbage: { categoryId: 'sanitation', zh: '垃圾暴露', en: 'Exposed garbage' },
  illegal_construction: { categoryId: 'illegal_construction', zh: '违法搭建', en: 'Illegal construction' },
  straw_burning: { categoryId: 'straw_burning', zh: '秸秆焚烧', en: 'Straw burning' },
};

export const cameraAlarmCategory = (type: CameraAlarmType): string => CAMERA_ALARM_KINDS[type].categoryId;

/** What the event says when the platform sends no words of its own. */
export function cameraAlarmDescription(alarm: Pick<CameraAlarm, 'type' | 'description'>, camera: Pick<Camera, 'id' | 'name'>): string {
  if (alarm.description) return alarm.description;
  const k = CAMERA_ALARM_KINDS[alarm.type];
  return `视频告警：${k.zh}（${camera.name}，${camera.id}） Camera alarm: ${k.en}`;
}

/** Where the event is, in words: the camera that saw it. */
export const cameraAlarmAddress = (camera: Pick<Camera, 'id' | 'name'>): string => `${camera.name}（摄像机 ${camera.id}）`;
