import { describe, expect, it } from 'vitest';
import type { MixtureInfo } from '../datasets/target.js';
import { componentCounts, modeCoverage, weightTV } from '../src/metrics/modes.js';
import { Rng } from '../src/rng.js';

const square: MixtureInfo = {
  weights: [0.25, 0.25, 0.25, 0.25],
  means: [
    [5, 5],
    [-5, 5],
    [-5, -5],
    [5, -5],
  ],
  stds: [0.5, 0.5, 0.5, 0.5],
};

/** n points around one mean, jittered well inside its component. */
function around(mean: number[], n: number, rng: Rng): number[] {
  return Array.from({ length: n }, () => mean.map((m) => m + 0.1 * rng.normal())).flat();
}

describe('mode coverage and weight TV', () => {
  it('all points in one mode of 4: coverage 1/4, TV 3/4', () => {
    const x = Float64Array.from(around([5, 5], 100, Rng.fromSeed(40)));
    expect(componentCounts(x, 2, square)).toEqual([100, 0, 0, 0]);
    expect(modeCoverage(x, 2, square)).toBe(0.25);
    expect(weightTV(x, 2, square)).toBeCloseTo(0.75, 15);
  });

  it('balanced assignment: coverage 1, TV 0', () => {
    const rng = Rng.fromSeed(41);
    const x = Float64Array.from(square.means.flatMap((m) => around(m, 25, rng)));
    expect(modeCoverage(x, 2, square)).toBe(1);
    expect(weightTV(x, 2, square)).toBe(0);
  });

  it('unequal weights: half the expected count is the coverage threshold', () => {
    const mixture: MixtureInfo = { weights: [0.5, 0.3, 0.2], means: [[0], [10], [20]], stds: [1, 1, 1] };
    // Counts 5, 1, 4 of 10: expected 5, 3, 2, so halves 2.5, 1.5, 1 -> the middle one is missed.
    const x = Float64Array.from([0, 0, 0, 0, 0, 10, 20, 20, 20, 20]);
    expect(componentCounts(x, 1, mixture)).toEqual([5, 1, 4]);
    expect(modeCoverage(x, 1, mixture)).toBeCloseTo(2 / 3, 15);
    expect(weightTV(x, 1, mixture)).toBeCloseTo(0.5 * (0 + 0.2 + 0.2), 15);
    // Exactly half the expected count counts as covered: 3 of 12 against 0.5 x 0.5 x 12 = 3.
    const y = Float64Array.from([0, 0, 0, 10, 10, 10, 10, 10, 20, 20, 20, 20]);
    expect(modeCoverage(y, 1, { ...mixture, weights: [0.5, 0.25, 0.25] })).toBe(1);
  });

  it('assigns by responsibility, not distance: log w_k + log N(x; mu_k, s_k^2)', () => {
    const mixture: MixtureInfo = { weights: [0.5, 0.5], means: [[0], [3]], stds: [1, 0.1] };
    // At 2: -2^2/2 = -2 for the wide component against -1/(2 0.01) - log 0.1 = -47.7.
    // At 2.95: -4.35 against -0.125 + 2.30 = 2.18.
    expect(componentCounts(Float64Array.from([2, 2.95]), 1, mixture)).toEqual([1, 1]);
    // Weights matter: at 1.5 between N(0, 1) and N(3, 1) a 0.9 weight wins.
    const weighted: MixtureInfo = { weights: [0.1, 0.9], means: [[0], [3]], stds: [1, 1] };
    expect(componentCounts(Float64Array.from([1.4]), 1, weighted)).toEqual([0, 1]);
  });
});
