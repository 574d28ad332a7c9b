import { describe, expect, it } from 'vitest';
import { RNG_STREAMS } from '../src/rng-streams.js';

describe('RNG stream keys', () => {
  it('are distinct, so no two kinds of draw share a stream', () => {
    const keys = Object.values(RNG_STREAMS);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keep the values that runs, checkpoints and bundles were made with', () => {
    const recorded = 'train=1 sample=2 init=3 reference=4 slicedWasserstein=5 scoreError=6 diagnoseData=11 diagnoseProbe=12';
    const later = 'likelihoodProbe=13 likelihoodPoints=14 likelihoodDequantise=15 snapshot=16';
    const classifierAndImages = 'imageFloor=0xf100 classifierShuffle=0x5e1f classifierInit=0xc1a5';
    const written = Object.entries(RNG_STREAMS).map(([name, key]) => `${name}=${key > 0xff ? `0x${key.toString(16)}` : key}`);
    expect(written.join(' ')).toBe(`${recorded} ${later} ${classifierAndImages}`);
  });

  it('are 32-bit integers, as Rng.derive mixes them', () => {
    for (const key of Object.values(RNG_STREAMS)) expect(key | 0).toBe(key);
  });
});
