import { describe, expect, it } from 'vitest';
import { constantRateOffsetsMs, pickWeighted, programSequence, rampRates, seededRandom } from '../../bench/load/schedule.js';

describe('arrival schedule', () => {
  it('starts rate × duration requests at even intervals', () => {
    const offsets = constantRateOffsetsMs(4, 1000);
    expect(offsets).toEqual([0, 250, 500, 750]);
    expect(constantRateOffsetsMs(300, 10_000)).toHaveLength(3000);
    expect(constantRateOffsetsMs(3, 1000)).toHaveLength(3);
  });

  it('schedules nothing for a zero rate or duration', () => {
    expect(constantRateOffsetsMs(0, 1000)).toEqual([]);
    expect(constantRateOffsetsMs(10, 0)).toEqual([]);
  });

  it('ramps geometrically up to the ceiling and step bound', () => {
    expect(rampRates(25, 1.5, 2000, 4)).toEqual([25, 38, 56, 84]);
    expect(rampRates(100, 2, 300, 10)).toEqual([100, 200]);
  });
});

describe('program choice', () => {
  it('picks by weight', () => {
    expect(pickWeighted([1, 3], 0)).toBe(0);
    expect(pickWeighted([1, 3], 0.24)).toBe(0);
    expect(pickWeighted([1, 3], 0.26)).toBe(1);
    expect(pickWeighted([1, 3], 0.999)).toBe(1);
    expect(() => pickWeighted([0, 0], 0.5)).toThrow(RangeError);
  });

  it('draws the same sequence from the same seed, in proportion to the weights', () => {
    const mix = [
      { programId: 'a', weight: 3 },
      { programId: 'b', weight: 1 },
    ];
    const first = programSequence(mix, 4000, 7);
    expect(programSequence(mix, 4000, 7)).toEqual(first);
    const shareA = first.filter((id) => id === 'a').length / first.length;
    expect(shareA).toBeGreaterThan(0.72);
    expect(shareA).toBeLessThan(0.78);
  });

  it('returns values in [0, 1)', () => {
    const random = seededRandom(1);
    for (let i = 0; i < 1000; i++) {
      const u = random();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
  });
});
