import { describe, expect, it } from 'vitest';
import { energyDistance } from '../src/metrics/energy.js';
import { covError, meanError, sampleCovariance } from '../src/metrics/moments.js';
import { slicedWasserstein2, w2Squared1d } from '../src/metrics/sliced-wasserstein.js';
import { Rng } from '../src/rng.js';

const shift = (x: Float64Array, v: number[]) => x.map((t, k) => t + v[k % v.length]);

/** Mean pairwise distance over i != j, by brute force. */
function meanWithin(x: Float64Array, d: number): number {
  const n = x.length / d;
  let s = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      let q = 0;
      for (let k = 0; k < d; k++) q += (x[i * d + k] - x[j * d + k]) ** 2;
      s += Math.sqrt(q);
    }
  return s / (n * (n - 1));
}

describe('energyDistance', () => {
  it('two Diracs: 2 |p - q|', () => {
    expect(energyDistance(Float64Array.from([0, 0]), Float64Array.from([3, 4]), 2)).toBeCloseTo(10, 14);
  });

  it('two-point sets {0, 1} and {s, 1 + s}: U-statistics by hand', () => {
    // Cross distances |0 - s|, |0 - 1 - s|, |1 - s|, |1 - 1 - s|; within each set the one pair is 1 apart.
    const s = 0.25;
    const cross = (s + (1 + s) + (1 - s) + s) / 4;
    expect(energyDistance(Float64Array.from([0, 1]), Float64Array.from([s, 1 + s]), 1)).toBeCloseTo(2 * cross - 1 - 1, 14);
  });

  it('identical samples: -(2/n) E_U|X - X\'| (the cross term includes the n zero diagonal pairs)', () => {
    const n = 200;
    const x = Rng.fromSeed(20).normals(n * 3);
    expect(energyDistance(x, x.slice(), 3)).toBeCloseTo(-(2 / n) * meanWithin(x, 3), 12);
  });

  it('is positive and grows with the shift between two Gaussian samples', () => {
    const rng = Rng.fromSeed(21);
    const n = 600;
    const d = 2;
    const x = rng.normals(n * d);
    const y = rng.normals(n * d);
    // Energy distance is MMD^2 with kernel -|x - y|: under equal laws a degenerate
    // U-statistic with h(z, z') = |x - y'| + |x' - y| - |x - x'| - |y - y'|, whose
    // standard error is sqrt(2 E[h^2] / (n (n - 1))).
    const dist = (a: Float64Array, i: number, b: Float64Array, j: number) => Math.hypot(a[i * d] - b[j * d], a[i * d + 1] - b[j * d + 1]);
    let h2 = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        h2 += (dist(x, i, y, j) + dist(x, j, y, i) - dist(x, i, x, j) - dist(y, i, y, j)) ** 2;
      }
    const se = Math.sqrt((2 * h2) / (n * (n - 1)) / (n * (n - 1)));
    const values = [0, 0.5, 1, 2].map((a) => energyDistance(x, shift(y, [a, 0]), d));
    expect(Math.abs(values[0]), `unshifted ${values[0]}, se ${se}`).toBeLessThan(4 * se);
    for (let k = 1; k < values.length; k++) expect(values[k] - values[k - 1], `se ${se}`).toBeGreaterThan(4 * se);
  });
});

describe('slicedWasserstein2', () => {
  it('1-D W2 of sorted samples: exact for unequal sizes', () => {
    expect(w2Squared1d(Float64Array.from([0, 1, 2]), Float64Array.from([0, 1, 2]))).toBe(0);
    // Equal sizes: mean squared difference of order statistics.
    expect(w2Squared1d(Float64Array.from([0, 1]), Float64Array.from([1, 3]))).toBeCloseTo((1 + 4) / 2, 15);
    // {0, 1} against {0, 1, 2}: quantile steps at 1/2 and at 1/3, 2/3;
    // on (0,1/3) 0 vs 0, (1/3,1/2) 0 vs 1, (1/2,2/3) 1 vs 1, (2/3,1) 1 vs 2.
    expect(w2Squared1d(Float64Array.from([0, 1]), Float64Array.from([0, 1, 2]))).toBeCloseTo(1 / 6 + 1 / 3, 15);
  });

  it('identical samples: 0', () => {
    const x = Rng.fromSeed(22).normals(300 * 3);
    expect(slicedWasserstein2(x, x.slice(), 3, Rng.fromSeed(1))).toBe(0);
  });

  it('an exact translation by v: each projection shifts by <theta, v>, so SW2^2 = mean <theta, v>^2', () => {
    const d = 4;
    const v = [3, 0, -1, 2];
    const x = Rng.fromSeed(23).normals(500 * d);
    const K = 256;
    const sw = slicedWasserstein2(x, shift(x, v), d, Rng.fromSeed(5), K);
    // The same directions, drawn as the metric draws them.
    const rng = Rng.fromSeed(5);
    let mean = 0;
    for (let r = 0; r < K; r++) {
      const t = Array.from({ length: d }, () => rng.normal());
      const norm = Math.hypot(...t);
      mean += t.reduce((s, tk, k) => s + (tk / norm) * v[k], 0) ** 2 / K;
    }
    expect(sw * sw).toBeCloseTo(mean, 10);
    // And mean <theta, v>^2 estimates |v|^2 / d: <theta, v>^2 / |v|^2 ~ Beta(1/2, (d-1)/2),
    // variance 2 (d - 1) / (d^2 (d + 2)); allow 4 standard errors over K directions.
    const v2 = v.reduce((s, t) => s + t * t, 0);
    const se = v2 * Math.sqrt((2 * (d - 1)) / (d * d * (d + 2)) / K);
    expect(Math.abs(sw * sw - v2 / d)).toBeLessThan(4 * se);
  });

  it('independent samples: within SW2(x, y0) of the exact-translation value (triangle inequality)', () => {
    // With fixed directions SW2 is a metric and translation invariant, so
    // |SW2(x, y0 + v) - SW2(x, x + v)| <= SW2(x + v, y0 + v) = SW2(x, y0).
    const d = 3;
    const v = [1, 2, 0];
    const rng = Rng.fromSeed(24);
    const x = rng.normals(1000 * d);
    const y0 = rng.normals(1000 * d);
    const sw = (a: Float64Array, b: Float64Array) => slicedWasserstein2(a, b, d, Rng.fromSeed(6));
    const floor = sw(x, y0);
    expect(Math.abs(sw(x, shift(y0, v)) - sw(x, shift(x, v)))).toBeLessThanOrEqual(floor + 1e-12);
  });
});

describe('mean and covariance errors', () => {
  it('identical samples: 0; a translation leaves the covariance error at 0', () => {
    const x = Rng.fromSeed(25).normals(100 * 3);
    expect(meanError(x, x.slice(), 3)).toBe(0);
    expect(covError(x, x.slice(), 3)).toBe(0);
    expect(covError(x, shift(x, [5, -2, 1]), 3)).toBeLessThan(1e-12);
    expect(meanError(x, shift(x, [3, 0, 4]), 3)).toBeCloseTo(5, 12);
  });

  it('hand-computed covariance: the square (0,0), (2,0), (0,2), (2,2)', () => {
    // Centred coordinates are +-1 each, independent: unbiased variance 4/3, covariance 0.
    const square = Float64Array.from([0, 0, 2, 0, 0, 2, 2, 2]);
    expect(Array.from(sampleCovariance(square, 2))).toEqual([4 / 3, 0, 0, 4 / 3]);
    const point = new Float64Array(8).fill(1);
    expect(covError(square, point, 2)).toBeCloseTo(Math.sqrt(2) * (4 / 3), 14);
    // Scaling by 2 multiplies the covariance by 4: error 3 x |cov|_F.
    expect(covError(square, square.map((t) => 2 * t), 2)).toBeCloseTo(3 * Math.sqrt(2) * (4 / 3), 14);
  });

  it('mean error of shifted Gaussians: |v| up to sampling error', () => {
    // (mean_x - mean_y - v) / sqrt(2/n) is standard normal in R^d, whose norm
    // exceeds sqrt(d) + 4 with probability below e^-8 (Gaussian concentration).
    const d = 3;
    const n = 2000;
    const v = [1, -2, 2];
    const rng = Rng.fromSeed(26);
    const x = rng.normals(n * d);
    const y = shift(rng.normals(n * d), v);
    expect(Math.abs(meanError(x, y, d) - 3)).toBeLessThan((Math.sqrt(d) + 4) * Math.sqrt(2 / n));
  });
});
