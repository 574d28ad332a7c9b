import { describe, expect, it } from 'vitest';
import { createTarget, createTargetFromConfig, resolveTargetOptions, TwoPoint } from '../datasets/index.js';
import { Rng } from '../src/rng.js';

const level = { a: 0.8, b: 0.6 };

/** Points spread over both atoms' neighbourhoods and the gap between them. */
function probePoints(d: number, n = 25): Float64Array {
  const rng = Rng.fromSeed(3);
  return Float64Array.from({ length: n * d }, (_, k) => (k % d === 0 ? -2 + (4 * Math.floor(k / d)) / (n - 1) : 0.7 * rng.normal()));
}

describe('two-point target', () => {
  it('samples +-mu e_1 with probability 1/2 each', () => {
    const t = new TwoPoint({ mu: 2, dim: 3 });
    const n = 20000;
    const x = t.sample(n, Rng.fromSeed(1));
    let plus = 0;
    let offAtoms = 0;
    for (let i = 0; i < n; i++) {
      if (Math.abs(x[i * 3]) !== 2 || x[i * 3 + 1] !== 0 || x[i * 3 + 2] !== 0) offAtoms++;
      if (x[i * 3] > 0) plus++;
    }
    expect(offAtoms).toBe(0);
    // Binomial(n, 1/2): 5 standard deviations.
    expect(Math.abs(plus / n - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / n));
    expect(t.dataStd).toBeCloseTo(2 / Math.sqrt(3), 14);
  });

  it('gives log(1/2) on the atoms and -Infinity elsewhere at b = 0', () => {
    const t = new TwoPoint({ mu: 1.5, dim: 2 });
    expect(Array.from(t.logDensity(Float64Array.of(1.5, 0, -1.5, 0, 1.5, 0.1, 0, 0)))).toEqual([
      Math.log(0.5), Math.log(0.5), -Infinity, -Infinity,
    ]);
    expect(Array.from(t.noisedLogDensity(Float64Array.of(0.75, 0, 1.5, 0), { a: 0.5, b: 0 }))).toEqual([Math.log(0.5), -Infinity]);
    expect(() => t.noisedScore(Float64Array.of(0.75, 0), { a: 0.5, b: 0 })).toThrow(/no density/);
  });

  it('has the noised density of the two Gaussians and its exact gradient', () => {
    for (const d of [1, 3]) {
      const t = new TwoPoint({ mu: 1.3, dim: d });
      const x = probePoints(d);
      const logp = t.noisedLogDensity(x, level);
      const score = t.noisedScore(x, level);
      const { a, b } = level;
      for (let i = 0; i < x.length / d; i++) {
        let sqPlus = 0;
        let sqMinus = 0;
        for (let j = 0; j < d; j++) {
          const m = j === 0 ? a * 1.3 : 0;
          sqPlus += (x[i * d + j] - m) ** 2;
          sqMinus += (x[i * d + j] + m) ** 2;
        }
        const norm = Math.pow(2 * Math.PI * b * b, -d / 2);
        const direct = 0.5 * norm * (Math.exp(-sqPlus / (2 * b * b)) + Math.exp(-sqMinus / (2 * b * b)));
        expect(logp[i]).toBeCloseTo(Math.log(direct), 12);
        // Central differences of log p: error O(h^2).
        const h = 1e-5;
        for (let j = 0; j < d; j++) {
          const up = Float64Array.from(x.subarray(i * d, (i + 1) * d));
          const down = Float64Array.from(up);
          up[j] += h;
          down[j] -= h;
          const fd = (t.noisedLogDensity(up, level)[0] - t.noisedLogDensity(down, level)[0]) / (2 * h);
          expect(score[i * d + j]).toBeCloseTo(fd, 6);
        }
      }
    }
  });

  it('satisfies Tweedie and second-order Tweedie: Cov = (b^2/a^2)(I + b^2 Hess log p)', () => {
    const d = 2;
    const t = new TwoPoint({ mu: 1.3, dim: d });
    const { a, b } = level;
    const x = probePoints(d);
    const mean = t.posteriorMean(x, level);
    const score = t.noisedScore(x, level);
    const cov = t.posteriorCovariance(x, level);
    for (let i = 0; i < x.length / d; i++) {
      for (let j = 0; j < d; j++) expect(score[i * d + j]).toBeCloseTo((a * mean[i * d + j] - x[i * d + j]) / (b * b), 12);
      const h = 1e-5;
      for (let j = 0; j < d; j++) {
        const up = Float64Array.from(x.subarray(i * d, (i + 1) * d));
        const down = Float64Array.from(up);
        up[j] += h;
        down[j] -= h;
        const su = t.noisedScore(up, level);
        const sd = t.noisedScore(down, level);
        for (let l = 0; l < d; l++) {
          const hess = (su[l] - sd[l]) / (2 * h);
          const expected = ((b * b) / (a * a)) * ((j === l ? 1 : 0) + b * b * hess);
          expect(cov[i * d * d + j * d + l]).toBeCloseTo(expected, 6);
        }
      }
    }
  });

  it('keeps the posterior variance accurate where tanh rounds to +-1', () => {
    const t = new TwoPoint({ mu: 1 });
    const z = 30; // tanh(30) == 1 in float64, 1 - tanh^2 = 3.5e-26
    const cov = t.posteriorCovariance(Float64Array.of((z * level.b * level.b) / level.a), level);
    expect(cov[0] / (4 * Math.exp(-2 * z))).toBeCloseTo(1, 10);
  });

  it('is in the registry with options mu and dim', () => {
    expect(resolveTargetOptions('two-point')).toEqual({ mu: 1, dim: 1 });
    const t = createTarget('two-point', { mu: 2, dim: 4 });
    expect([t.name, t.dim, t.params]).toEqual(['two-point', 4, { mu: 2, dim: 4 }]);
    expect(() => createTargetFromConfig('two-point', { mu: 0 })).toThrow();
    expect(() => createTargetFromConfig('two-point', { std: 1 })).toThrow();
  });
});
