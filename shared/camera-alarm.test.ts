import { describe, expect, it } from 'vitest';
import { CAMERA_ALARM_KINDS, cameraAlarmAddress, cameraAlarmCategory, cameraAlarmDescription } from './camera-alarm';
import { CAMERA_ALARM_TYPES, CameraAlarm } from './schema';
import { categoryById, DEFAULT_TAXONOMY } from './taxonomy';

describe('camera alarm mapping', () => {
  it('maps every alarm type the schema accepts to a category of the default taxonomy', () => {
    expect(Object.keys(CAMERA_ALARM_KINDS).sort()).toEqual([...CAMERA_ALARM_TYPES].sort());
    for (const t of CAMERA_ALARM_TYPES) expect(categoryById(DEFAULT_TAXONOMY, cameraAlarmCategory(t)), t).toBeDefined();
  });

  it('maps the obvious ones where a reader expects them', () => {
    expect(cameraAlarmCategory('fire_smoke')).toBe('fire_safety');
    expect(cameraAlarmCategory('garbage')).toBe('sanitation');
    expect(cameraAlarmCategory('straw_burning')).toBe('straw_burning');
    expect(cameraAlarmCategory('illegal_construction')).toBe('illegal_construction');
  });

  it('describes an alarm by its camera unless the platform says more', () => {
    const cam = { id: 'cam-007', name: '金沙路口' };
    expect(cameraAlarmDescription({ type: 'fire_smoke' }, cam)).toContain('烟火');
    expect(cameraAlarmDescription({ type: 'fire_smoke' }, cam)).toContain('cam-007');
    expect(cameraAlarmDescription({ type: 'fire_smoke', description: '仓库冒烟' }, cam)).toBe('仓库冒烟');
    expect(cameraAlarmAddress(cam)).toBe('金沙路口（摄像机 cam-007）');
  });

  it('refuses an unknown type and a snapshot that is not base64, naming the field', () => {
    const ok = { alarmId: 'A1', cameraId: 'cam-001', type: 'crowd', at: 1 };
    expect(CameraAlarm.safeParse(ok).success).toBe(true);
    expect(CameraAlarm.safeParse({ ...ok, type: 'ufo' }).error?.issues[0]?.path).toEqual(['type']);
    expect(CameraAlarm.safeParse({ ...ok, snapshot: 'not base64!' }).error?.issues[0]?.path).toEqual(['snapshot']);
  });
});
