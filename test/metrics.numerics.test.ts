import { describe, expect, it } from 'vitest';
import { fastExp } from '../src/metrics/fast-exp.js';
import { erf, erfc, normalCdf, normalCdfIntegral, normalPdf, normalQuantile } from '../src/metrics/normal.js';
import { medianInPlace, pooledMedianDistance, selectInPlace } from '../src/metrics/pairwise.js';
import { Rng } from '../src/rng.js';

describe('quickselect and median', () => {
  it('selectInPlace returns every order statistic of a sort, with and without ties', () => {
    const rng = Rng.fromSeed(1);
    for (const [n, levels] of [[101, 0], [100, 0], [64, 3], [7, 1]] as const) {
      const values = Float64Array.from({ length: n }, () => (levels > 0 ? rng.int(levels) : rng.normal()));
      const sorted = values.slice().sort();
      for (let k = 0; k < n; k++) expect(selectInPlace(values.slice(), k)).toBe(sorted[k]);
    }
  });

  it('median averages the two middle values for an even count', () => {
    expect(medianInPlace(Float64Array.from([5, 1, 3]))).toBe(3);
    expect(medianInPlace(Float64Array.from([4, 1, 3, 2]))).toBe(2.5);
    // Median of distances from squared distances {1, 4, 9, 16}: (2 + 3) / 2, not sqrt(6.5).
    expect(medianInPlace(Float64Array.from([16, 1, 9, 4]), Math.sqrt)).toBe(2.5);
  });

  it('pooled median distance of {0, 1} and {0, 1} on a line is 1', () => {
    // Pooled pairs: distances 1, 0, 1, 1, 0, 1 -> sorted 0 0 1 1 1 1, median 1.
    expect(pooledMedianDistance(Float64Array.from([0, 1]), Float64Array.from([0, 1]), 1)).toBe(1);
  });

  it('pooled median distance matches brute force (odd and even pair counts), and a strided subsample is deterministic', () => {
    const rng = Rng.fromSeed(2);
    // 60 + 51 points give 6105 pairs (odd), 60 + 52 give 6216 (even).
    for (const m of [51, 52]) {
      const x = rng.normals(60 * 2);
      const y = rng.normals(m * 2);
      const pooled = [...x, ...y];
      const total = 60 + m;
      const dists: number[] = [];
      for (let i = 0; i < total; i++)
        for (let j = i + 1; j < total; j++) dists.push(Math.hypot(pooled[2 * i] - pooled[2 * j], pooled[2 * i + 1] - pooled[2 * j + 1]));
      dists.sort((a, b) => a - b);
      const half = dists.length >> 1;
      const exact = dists.length % 2 === 1 ? dists[half] : 0.5 * (dists[half - 1] + dists[half]);
      expect(pooledMedianDistance(x, y, 2)).toBeCloseTo(exact, 12);
      expect(pooledMedianDistance(x, y, 2, 40)).toBe(pooledMedianDistance(x, y, 2, 40));
    }
  });
});

describe('fastExp', () => {
  it('agrees with Math.exp to 1e-15 relative over the range Sinkhorn uses', () => {
    const rng = Rng.fromSeed(3);
    let worst = 0;
    for (let k = 0; k < 200_000; k++) {
      const x = -700 + 709 * rng.uniform();
      worst = Math.max(worst, Math.abs(fastExp(x) / Math.exp(x) - 1));
    }
    expect(worst).toBeLessThan(1e-15);
    expect(fastExp(0)).toBe(1);
  });

  it('underflows to 0, overflows to Infinity and propagates NaN', () => {
    expect(fastExp(-709)).toBe(0);
    expect(fastExp(-1e6)).toBe(0);
    expect(fastExp(710)).toBe(Infinity);
    expect(fastExp(1e6)).toBe(Infinity);
    expect(fastExp(NaN)).toBeNaN();
  });
});

describe('normal distribution helpers', () => {
  it('erf and erfc match reference values (CPython math.erf/erfc)', () => {
    const erfs: [number, number][] = [
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
    ];
    for (const [x, v] of erfs) {
      expect(erf(x)).toBeCloseTo(v, 15);
      expect(erf(-x)).toBeCloseTo(-v, 15);
    }
    // The tails keep relative accuracy.
    const erfcs: [number, number][] = [
      [3, 2.2090496998585438e-5],
      [5, 1.5374597944280351e-12],
      [10, 2.088487583762545e-45],
    ];
    for (const [x, v] of erfcs) expect(Math.abs(erfc(x) / v - 1)).toBeLessThan(1e-13);
    expect(erfc(-3)).toBeCloseTo(2 - 2.2090496998585438e-5, 15);
  });

  it('normalQuantile inverts normalCdf', () => {
    for (const p of [1e-12, 1e-6, 0.01, 0.02425, 0.3, 0.5, 0.7, 0.99, 1 - 1e-9]) {
      const u = normalQuantile(p);
      expect(Math.abs(normalCdf(u) - p) / Math.min(p, 1 - p)).toBeLessThan(1e-11);
    }
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
  });

  it('normalCdfIntegral is the antiderivative of Phi vanishing at -infinity', () => {
    expect(normalCdfIntegral(0)).toBeCloseTo(normalPdf(0), 15);
    expect(normalCdfIntegral(-40)).toBe(0);
    // d/du Psi = Phi (central differences, error O(h^2)).
    const h = 1e-5;
    for (const u of [-3, -1, 0, 0.7, 2.5]) {
      expect((normalCdfIntegral(u + h) - normalCdfIntegral(u - h)) / (2 * h)).toBeCloseTo(normalCdf(u), 9);
    }
  });
});
