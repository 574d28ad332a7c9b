import { describe, expect, it } from 'vitest';
import { createTarget, createTargetFromConfig, gaussian, resolveTargetOptions } from '../datasets/index.js';
import { Rng } from '../src/rng.js';

describe('gaussian target', () => {
  it('samples N(0, s^2 I)', () => {
    const t = gaussian({ dim: 3, std: 2 });
    const n = 20000;
    const x = t.sample(n, Rng.fromSeed(5));
    for (let j = 0; j < 3; j++) {
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        sum += x[i * 3 + j];
        sq += x[i * 3 + j] ** 2;
      }
      // Mean error 5 sd = 5 * 2 / sqrt(n); variance error 5 sd = 5 * sqrt(2) * 4 / sqrt(n).
      expect(Math.abs(sum / n)).toBeLessThan((5 * 2) / Math.sqrt(n));
      expect(Math.abs(sq / n - 4)).toBeLessThan((5 * Math.SQRT2 * 4) / Math.sqrt(n));
    }
    expect(t.dataStd).toBeCloseTo(2, 14);
  });

  it('has score -x / (a^2 s^2 + b^2) and posterior covariance s^2 b^2 / (a^2 s^2 + b^2) I', () => {
    const t = gaussian({ dim: 2, std: 1.5 });
    const level = { a: 0.6, b: 0.8 };
    const v = 0.36 * 2.25 + 0.64;
    const x = Float64Array.of(0.3, -1.2, 2, 0.5);
    const score = t.noisedScore(x, level);
    x.forEach((xi, k) => expect(score[k]).toBeCloseTo(-xi / v, 14));
    const cov = t.posteriorCovariance(x, level);
    const within = (2.25 * 0.64) / v;
    expect(Array.from(cov).map((c) => Number(c.toFixed(12)))).toEqual([within, 0, 0, within, within, 0, 0, within].map((c) => Number(c.toFixed(12))));
  });

  it('is in the registry with options dim and std', () => {
    expect(resolveTargetOptions('gaussian')).toEqual({ dim: 2, std: 1 });
    const t = createTarget('gaussian', { dim: 5, std: 0.5 });
    expect([t.name, t.dim, t.params['std']]).toEqual(['gaussian', 5, 0.5]);
    expect(() => createTargetFromConfig('gaussian', { std: -1 })).toThrow();
    expect(() => createTargetFromConfig('gaussian', { mu: 1 })).toThrow();
  });
});
