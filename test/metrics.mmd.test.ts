import { describe, expect, it } from 'vitest';
import { mmd2 } from '../src/metrics/mmd.js';
import { Rng } from '../src/rng.js';

/** Sum of the three kernels at bandwidths h/2, h, 2h, written out directly. */
function kernel(s: number, h: number): number {
  return [0.5, 1, 2].reduce((acc, scale) => acc + Math.exp(-s / (2 * (scale * h) ** 2)), 0);
}

function sq(x: Float64Array, i: number, y: Float64Array, j: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += (x[i * d + k] - y[j * d + k]) ** 2;
  return s;
}

/** Median pairwise distance of the pooled samples, by sorting. */
function medianDistance(x: Float64Array, y: Float64Array, d: number): number {
  const pooled = Float64Array.from([...x, ...y]);
  const n = pooled.length / d;
  const dists: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) dists.push(Math.sqrt(sq(pooled, i, pooled, j, d)));
  dists.sort((a, b) => a - b);
  const half = dists.length >> 1;
  return dists.length % 2 === 1 ? dists[half] : 0.5 * (dists[half - 1] + dists[half]);
}

describe('mmd2', () => {
  it('two identical two-point sets {0, 1}: k(1) - 3, not 0', () => {
    // Median pooled distance 1. Within terms: k(1) each; cross term: (3 + 3 + 2 k(1)) / 4.
    const x = Float64Array.from([0, 1]);
    const k1 = Math.exp(-2) + Math.exp(-0.5) + Math.exp(-1 / 8);
    expect(mmd2(x, x.slice(), 1)).toBeCloseTo(k1 - 3, 14);
  });

  it('identical samples give -(2/n)(3 - mean off-diagonal kernel)', () => {
    // Within terms average over i != j; the cross term also has the n diagonal pairs, each k(0) = 3.
    const n = 150;
    const d = 3;
    const x = Rng.fromSeed(4).normals(n * d);
    const h = medianDistance(x, x, d);
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) off += kernel(sq(x, i, x, j, d), h);
    const expected = -(2 / n) * (3 - off / (n * (n - 1)));
    expect(mmd2(x, x.slice(), d)).toBeCloseTo(expected, 12);
  });

  it('matches a direct evaluation for unequal sizes', () => {
    const rng = Rng.fromSeed(5);
    const d = 2;
    const x = rng.normals(40 * d);
    const y = rng.normals(25 * d).map((v) => v + 0.5);
    const h = medianDistance(x, y, d);
    const mean = (a: Float64Array, b: Float64Array, same: boolean) => {
      const na = a.length / d;
      const nb = b.length / d;
      let s = 0;
      let count = 0;
      for (let i = 0; i < na; i++)
        for (let j = 0; j < nb; j++) {
          if (same && i === j) continue;
          s += kernel(sq(a, i, b, j, d), h);
          count++;
        }
      return s / count;
    };
    expect(mmd2(x, y, d)).toBeCloseTo(mean(x, x, true) + mean(y, y, true) - 2 * mean(x, y, false), 12);
  });

  it('two samples of one Gaussian: within 4 standard errors of 0; a shift of 1 is far outside', () => {
    // Under equal laws MMD^2_u is a degenerate U-statistic in z_i = (x_i, y_i) with
    // h(z, z') = k(x,x') + k(y,y') - k(x,y') - k(x',y), so its variance is
    // 2 E[h^2] / (n (n - 1)) (first-order term 0). The cross-term diagonal it
    // keeps changes the value by O(n^-1.5), negligible here.
    const n = 400;
    const d = 2;
    const rng = Rng.fromSeed(6);
    const x = rng.normals(n * d);
    const y = rng.normals(n * d);
    const h = medianDistance(x, y, d);
    let h2 = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const v = kernel(sq(x, i, x, j, d), h) + kernel(sq(y, i, y, j, d), h) - kernel(sq(x, i, y, j, d), h) - kernel(sq(x, j, y, i, d), h);
        h2 += v * v;
      }
    const se = Math.sqrt((2 * (h2 / (n * (n - 1)))) / (n * (n - 1)));
    const same = mmd2(x, y, d);
    expect(Math.abs(same), `MMD^2 ${same}, standard error ${se}`).toBeLessThan(4 * se);

    const shifted = y.map((v, k) => (k % d === 0 ? v + 1 : v));
    const far = mmd2(x, shifted, d);
    expect(far, `MMD^2 ${far}, standard error ${se}`).toBeGreaterThan(20 * se);
  });

  it('all points equal: 0', () => {
    const x = new Float64Array(10).fill(2);
    expect(mmd2(x, x.slice(), 2)).toBeCloseTo(0, 15);
  });
});
