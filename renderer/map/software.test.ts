import { describe, expect, it } from 'vitest';
import { nextQuality, SOFTWARE_MOVING_RATIOS } from './software';

const steps = SOFTWARE_MOVING_RATIOS.length;

describe('the moving resolution learned from late frames', () => {
  it('steps down after a move with more than 3 % of its frames late, and not past the last step', () => {
    expect(nextQuality({ step: 0, calm: 2 }, { frames: 60, late: 3 })).toEqual({ step: 1, calm: 0 });
    expect(nextQuality({ step: steps - 1, calm: 0 }, { frames: 60, late: 30 })).toEqual({ step: steps - 1, calm: 0 });
  });

  it('steps down two at once when a fifth of the frames or more came late', () => {
    expect(nextQuality({ step: 0, calm: 0 }, { frames: 50, late: 15 })).toEqual({ step: 2, calm: 0 });
    expect(nextQuality({ step: steps - 2, calm: 0 }, { frames: 50, late: 15 })).toEqual({ step: steps - 1, calm: 0 });
  });

  it('holds its step through a move with a few late frames, and starts counting calm moves again', () => {
    expect(nextQuality({ step: 1, calm: 2 }, { frames: 60, late: 1 })).toEqual({ step: 1, calm: 0 });
  });

  it('steps back up only after three moves in a row without a late frame', () => {
    let q = { step: 2, calm: 0 };
    q = nextQuality(q, { frames: 50, late: 0 });
    q = nextQuality(q, { frames: 50, late: 0 });
    expect(q).toEqual({ step: 2, calm: 2 });
    expect(nextQuality(q, { frames: 50, late: 0 })).toEqual({ step: 1, calm: 0 });
    expect(nextQuality({ step: 0, calm: 5 }, { frames: 50, late: 0 })).toEqual({ step: 0, calm: 6 });
  });

  it('learns nothing from a move too short to say anything', () => {
    expect(nextQuality({ step: 1, calm: 1 }, { frames: 3, late: 3 })).toEqual({ step: 1, calm: 1 });
  });

  it('goes from sharpest to softest', () => {
    expect([...SOFTWARE_MOVING_RATIOS].sort((a, b) => b - a)).toEqual(SOFTWARE_MOVING_RATIOS);
    expect(SOFTWARE_MOVING_RATIOS[0]).toBe(0.5);
  });
});
