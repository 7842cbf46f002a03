import { describe, expect, it } from 'vitest';
import type { NewEventBrief } from '../../../shared/schema/wall';
import { DEFAULT_TAXONOMY } from '../../../shared/taxonomy';
import { chooseAlarmCamera, isUrgent, nextAlarm } from './alarm-linkage';

// about 111 m per 0.001° of latitude; at 32° N about 94 m per 0.001° of longitude
const HERE = { lng: 121.0, lat: 32.0 };
const north = (m: number) => ({ lng: HERE.lng, lat: HERE.lat + m / 111_195 });
const cameras = [
  { id: 'cam-near', position: north(120), online: true },
  { id: 'cam-nearer-offline', position: north(50), online: false },
  { id: 'cam-far', position: north(900), online: true },
];
const ev = (over: Partial<NewEventBrief> = {}): NewEventBrief => ({
  id: 'e1',
  categoryId: 'municipal_facilities',
  tier: 'general',
  source: 'field',
  state: 'reported',
  position: HERE,
  reportedAt: 1_000,
  ...over,
});

describe('alarm linkage', () => {
  it('counts special and escalated tiers, and categories filed as special, as urgent', () => {
    expect(isUrgent({ tier: 'special', categoryId: 'municipal_facilities' })).toBe(true);
    expect(isUrgent({ tier: 'escalated', categoryId: 'municipal_facilities' })).toBe(true);
    expect(isUrgent({ tier: 'general', categoryId: 'municipal_facilities' }, DEFAULT_TAXONOMY)).toBe(false);
    // an operator may file a fire as general; the category still makes it urgent
    expect(isUrgent({ tier: 'general', categoryId: 'fire_safety' }, DEFAULT_TAXONOMY)).toBe(true);
  });

  it('links an urgent event to the nearest online camera within the radius', () => {
    const c = chooseAlarmCamera(ev({ tier: 'special' }), cameras);
    expect(c).toMatchObject({ eventId: 'e1', cameraId: 'cam-near', reason: 'urgent' });
    expect(c!.distanceM).toBeGreaterThan(110);
    expect(c!.distanceM).toBeLessThan(130);
  });

  it('links nothing for a general event, or when no camera is within the radius', () => {
    expect(chooseAlarmCamera(ev(), cameras)).toBeNull();
    expect(chooseAlarmCamera(ev({ tier: 'special', position: north(-2000) }), cameras)).toBeNull();
    expect(chooseAlarmCamera(ev({ tier: 'special' }), cameras, { radiusM: 100 })).toBeNull();
  });

  it('links a camera report to its own camera, even offline, and any camera report to a camera nearby', () => {
    const own = chooseAlarmCamera(ev({ source: 'camera', position: north(50) }), cameras);
    expect(own).toMatchObject({ cameraId: 'cam-nearer-offline', reason: 'camera' });
    const nearby = chooseAlarmCamera(ev({ source: 'camera' }), cameras);
    expect(nearby).toMatchObject({ cameraId: 'cam-near', reason: 'camera' });
  });

  it('keeps the newest linked alarm for its hold time, then drops it', () => {
    const a = nextAlarm(null, [ev({ id: 'old', tier: 'special', reportedAt: 1 }), ev({ id: 'new', tier: 'special', reportedAt: 2 }), ev({ id: 'plain', reportedAt: 3 })], cameras, 10_000);
    expect(a).toMatchObject({ eventId: 'new', cameraId: 'cam-near', until: 70_000 });
    // nothing linkable: the current alarm stays until its time is up
    expect(nextAlarm(a, [ev({ id: 'plain2' })], cameras, 20_000)).toBe(a);
    expect(nextAlarm(a, [], cameras, 70_001)).toBeNull();
    // a newer alarm replaces it
    expect(nextAlarm(a, [ev({ id: 'next', source: 'camera', position: north(900) })], cameras, 30_000)).toMatchObject({ eventId: 'next', cameraId: 'cam-far' });
  });
});
