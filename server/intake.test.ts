import { describe, expect, it } from 'vitest';
import { Id } from '../shared/schema';
import { intakeIds } from './intake';

describe('intake ids', () => {
  it('keeps a short id-safe key readable and hashes anything else, always a valid id', () => {
    expect(intakeIds('camera', 'ALM-1')).toEqual({ eventId: 'camera-ALM-1', commandId: 'intake:camera-ALM-1' });
    for (const key of ['报警 1', 'x'.repeat(64), 'a/b', 'ALM-1']) {
      const { eventId, commandId } = intakeIds('open311', key);
      expect(Id.safeParse(eventId).success, eventId).toBe(true);
      expect(Id.safeParse(commandId).success, commandId).toBe(true);
    }
    expect(intakeIds('open311', '报警 1').eventId).toMatch(/^open311\.[0-9a-f]{40}$/);
  });

  it('is stable for a key and distinct across keys and intakes', () => {
    expect(intakeIds('camera', 'a b')).toEqual(intakeIds('camera', 'a b'));
    expect(intakeIds('camera', 'a b').eventId).not.toBe(intakeIds('camera', 'a c').eventId);
    expect(intakeIds('camera', 'k').eventId).not.toBe(intakeIds('open311', 'k').eventId);
  });
});
