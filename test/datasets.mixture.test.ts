import { describe, expect, it } from 'vitest';
import {
  createTarget,
  createTargetFromConfig,
  describeTargets,
  resolveTargetOptions,
  TARGET_NAMES,
} from '../datasets/index.js';
import { GaussianMixture, gmm, grid9, ring8 } from '../datasets/mixture.js';
import type { MixtureInfo, PathCoefficients, Target } from '../datasets/target.js';
import { Rng } from '../src/rng.js';

/** Noise levels from the data (b = 0) through tiny b to the prior (a = 0). */
const LEVELS: PathCoefficients[] = [
  { a: 1, b: 0 },
  { a: 1, b: 1e-3 },
  { a: 0.999, b: 0.05 },
  { a: 0.8, b: 0.6 },
  { a: 0.1, b: 1 },
  { a: 0, b: 1 },
];

const targets: GaussianMixture[] = [grid9(), ring8(), gmm({ components: 10, dim: 10, seed: 1 })];

/** Noised target samples plus a few points far from every mode. */
function testPoints(target: Target, path: PathCoefficients, seed: number): Float64Array {
  const rng = Rng.fromSeed(seed);
  const d = target.dim;
  const clean = target.sample(12, rng);
  const far = 3;
  const out = new Float64Array((12 + far) * d);
  for (let i = 0; i < 12 * d; i++) out[i] = path.a * clean[i] + path.b * rng.normal();
  for (let i = 12 * d; i < out.length; i++) out[i] = 40 * rng.normal();
  return out;
}

function row(x: Float64Array, i: number, d: number): Float64Array {
  return x.slice(i * d, (i + 1) * d);
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function maxAbsDiff(u: ArrayLike<number>, v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < u.length; i++) m = Math.max(m, Math.abs(u[i] - v[i]));
  return m;
}

/** Central differences of f: R^d -> R at one point. */
function gradientFd(f: (x: Float64Array) => number, x: Float64Array, step: number): Float64Array {
  const g = new Float64Array(x.length);
  for (let j = 0; j < x.length; j++) {
    const plus = x.slice();
    const minus = x.slice();
    plus[j] += step;
    minus[j] -= step;
    g[j] = (f(plus) - f(minus)) / (2 * step);
  }
  return g;
}

/** Exact mean and covariance of a mixture: sum w (s^2 I + mu mu^T) - mean mean^T. */
function mixtureMoments({ weights, means, stds }: MixtureInfo): { mean: number[]; cov: number[][] } {
  const d = means[0].length;
  const mean = new Array<number>(d).fill(0);
  weights.forEach((w, k) => means[k].forEach((m, j) => (mean[j] += w * m)));
  const cov = mean.map((_, j) =>
    mean.map((__, l) => {
      let c = -mean[j] * mean[l];
      weights.forEach((w, k) => (c += w * (means[k][j] * means[k][l] + (j === l ? stds[k] ** 2 : 0))));
      return c;
    }),
  );
  return { mean, cov };
}

describe.each(targets.map((t) => [`${t.name} (d = ${t.dim})`, t] as const))('%s', (_, target) => {
  const d = target.dim;

  it('noisedScore is the gradient of noisedLogDensity (central differences)', () => {
    LEVELS.forEach((path, level) => {
      const x = testPoints(target, path, 100 + level);
      const score = target.noisedScore(x, path);
      for (let i = 0; i < x.length / d; i++) {
        const fd = gradientFd((p) => target.noisedLogDensity(p, path)[0], row(x, i, d), 1e-5);
        // Truncation ~ step^2 |third derivative| (v_k >= 0.25 here), rounding ~ 1e-16 |log p| / step.
        expect(maxAbsDiff(fd, row(score, i, d))).toBeLessThan(1e-5 * (1 + norm(row(score, i, d))));
      }
    });
  });

  it('obeys Tweedie: score = (a E[x0 | x] - x) / b^2', () => {
    for (const [level, path] of LEVELS.entries()) {
      if (path.b === 0) continue;
      const x = testPoints(target, path, 200 + level);
      const score = target.noisedScore(x, path);
      const mean = target.posteriorMean(x, path);
      const tweedie = x.map((xi, i) => (path.a * mean[i] - xi) / path.b ** 2);
      // (a mean - x) cancels to O(b^2 score): rounding ~ 1e-16 |x| / b^2.
      for (let i = 0; i < x.length / d; i++) {
        const scale = 1 + norm(row(score, i, d)) + (1e-15 * norm(row(x, i, d))) / path.b ** 2;
        expect(maxAbsDiff(row(tweedie, i, d), row(score, i, d))).toBeLessThan(1e-9 * scale);
      }
    }
  });

  it('obeys second-order Tweedie: Cov = (b^2 / a^2)(I + b^2 Hess log p)', () => {
    for (const path of [
      { a: 0.8, b: 0.6 },
      { a: 0.95, b: 0.3 },
    ]) {
      const x = testPoints(target, path, 300);
      const cov = target.posteriorCovariance(x, path);
      const step = 1e-4;
      for (let i = 0; i < x.length / d; i++) {
        const point = row(x, i, d);
        for (let l = 0; l < d; l++) {
          const plus = point.slice();
          const minus = point.slice();
          plus[l] += step;
          minus[l] -= step;
          const sPlus = target.noisedScore(plus, path);
          const sMinus = target.noisedScore(minus, path);
          for (let j = 0; j < d; j++) {
            const hessian = (sPlus[j] - sMinus[j]) / (2 * step);
            const expected = (path.b ** 2 / path.a ** 2) * ((j === l ? 1 : 0) + path.b ** 2 * hessian);
            // FD error ~ step^2 * |third derivative of the score| ~ 1e-8 for these variances.
            expect(Math.abs(cov[i * d * d + j * d + l] - expected)).toBeLessThan(1e-6);
          }
        }
      }
    }
  });

  it('gives a symmetric positive semi-definite posterior covariance', () => {
    const path = { a: 0.9, b: 0.4 };
    const x = testPoints(target, path, 400);
    const cov = target.posteriorCovariance(x, path);
    const rng = Rng.fromSeed(1);
    for (let i = 0; i < x.length / d; i++) {
      const block = cov.subarray(i * d * d, (i + 1) * d * d);
      for (let j = 0; j < d; j++) for (let l = 0; l < d; l++) expect(block[j * d + l]).toBeCloseTo(block[l * d + j], 12);
      const u = rng.normals(d);
      let quad = 0;
      for (let j = 0; j < d; j++) for (let l = 0; l < d; l++) quad += u[j] * block[j * d + l] * u[l];
      expect(quad).toBeGreaterThanOrEqual(-1e-12);
    }
  });

  it('reaches the prior at a = 0, b = 1: score -x, posterior = the mixture itself', () => {
    const path = { a: 0, b: 1 };
    const x = testPoints(target, path, 500);
    const score = target.noisedScore(x, path);
    for (let i = 0; i < x.length; i++) expect(score[i]).toBeCloseTo(-x[i], 12);
    const { mean, cov } = mixtureMoments(target.mixture);
    const postMean = target.posteriorMean(x, path);
    const postCov = target.posteriorCovariance(x, path);
    for (let i = 0; i < x.length / d; i++) {
      for (let j = 0; j < d; j++) {
        expect(postMean[i * d + j]).toBeCloseTo(mean[j], 10);
        for (let l = 0; l < d; l++) expect(postCov[i * d * d + j * d + l]).toBeCloseTo(cov[j][l], 9);
      }
    }
    const logp = target.noisedLogDensity(x, path);
    for (let i = 0; i < x.length / d; i++) {
      const expected = -0.5 * d * Math.log(2 * Math.PI) - 0.5 * norm(row(x, i, d)) ** 2;
      expect(logp[i]).toBeCloseTo(expected, 9);
    }
  });

  it('logDensity matches an independent log-sum-exp and noisedLogDensity at a = 1, b = 0', () => {
    const x = testPoints(target, { a: 1, b: 0 }, 600);
    const logp = target.logDensity(x);
    const viaPath = target.noisedLogDensity(x, { a: 1, b: 0 });
    const { weights, means, stds } = target.mixture;
    for (let i = 0; i < x.length / d; i++) {
      const point = row(x, i, d);
      const terms = weights.map((w, k) => {
        const sq = point.reduce((acc, xj, j) => acc + (xj - means[k][j]) ** 2, 0);
        return Math.log(w) - 0.5 * d * Math.log(2 * Math.PI * stds[k] ** 2) - sq / (2 * stds[k] ** 2);
      });
      const max = Math.max(...terms);
      const expected = max + Math.log(terms.reduce((acc, t) => acc + Math.exp(t - max), 0));
      expect(logp[i]).toBeCloseTo(expected, 9);
      expect(viaPath[i]).toBe(logp[i]);
    }
  });

  it('stays finite far from every mode and at tiny b', () => {
    for (const path of [
      { a: 1, b: 0 },
      { a: 1, b: 1e-3 },
      { a: 1e-3, b: 1 },
    ]) {
      const x = new Float64Array(d).fill(1e3);
      for (const out of [
        target.noisedLogDensity(x, path),
        target.noisedScore(x, path),
        target.posteriorMean(x, path),
        target.posteriorCovariance(x, path),
      ]) {
        expect(out.every(Number.isFinite)).toBe(true);
      }
    }
  });

  it('samples with the exact mean and covariance (within 5 standard errors)', () => {
    const n = 20_000;
    const x = target.sample(n, Rng.fromSeed(7));
    const { mean, cov } = mixtureMoments(target.mixture);
    const sampleMean = mean.map((_, j) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i * d + j];
      return s / n;
    });
    for (let j = 0; j < d; j++) expect(Math.abs(sampleMean[j] - mean[j])).toBeLessThan(5 * Math.sqrt(cov[j][j] / n));
    for (let j = 0; j < d; j++) {
      for (let l = j; l < d; l++) {
        // Standard error of a sample covariance: sd of the centred products / sqrt(n).
        let s = 0;
        let s2 = 0;
        for (let i = 0; i < n; i++) {
          const p = (x[i * d + j] - mean[j]) * (x[i * d + l] - mean[l]);
          s += p;
          s2 += p * p;
        }
        const m = s / n;
        const se = Math.sqrt((s2 / n - m * m) / n);
        expect(Math.abs(m - cov[j][l])).toBeLessThan(5 * se);
      }
    }
    // dataStd: root-mean-square per-coordinate std, from the exact moments.
    const meanVariance = cov.reduce((acc, r, j) => acc + r[j], 0) / d;
    expect(target.dataStd).toBeCloseTo(Math.sqrt(meanVariance), 12);
  });

  it('records every parameter: params rebuild the same target', () => {
    const params = JSON.parse(JSON.stringify(target.params)) as Record<string, unknown>;
    const rebuilt = new GaussianMixture(target.name, params as unknown as MixtureInfo);
    const x = testPoints(target, { a: 0.7, b: 0.5 }, 800);
    const original = target.noisedLogDensity(x, { a: 0.7, b: 0.5 });
    // Equal up to the last bit: weights are renormalised on the way in.
    rebuilt.noisedLogDensity(x, { a: 0.7, b: 0.5 }).forEach((l, i) => expect(l).toBeCloseTo(original[i], 10));
    for (const p of target.parameterDescriptions) expect(params).toHaveProperty(p.name);
  });
});

describe('mixture factories', () => {
  it('grid9: nine modes on {-5, 0, 5}^2 with variance 0.3, equal weights', () => {
    const t = grid9();
    expect(t.dim).toBe(2);
    expect(t.mixture.means).toHaveLength(9);
    expect(t.mixture.means).toContainEqual([-5, 5]);
    expect(t.mixture.means).toContainEqual([0, 0]);
    for (const s of t.mixture.stds) expect(s * s).toBeCloseTo(0.3, 14);
    for (const w of t.mixture.weights) expect(w).toBeCloseTo(1 / 9, 14);
    // Per axis: 0.3 within, (25 + 0 + 25) / 3 between.
    expect(t.dataStd).toBeCloseTo(Math.sqrt(0.3 + 50 / 3), 12);
  });

  it('grid9: exp(logDensity) integrates to 1', () => {
    const t = grid9();
    const h = 0.04;
    const side = Math.round(18 / h) + 1;
    const x = new Float64Array(side * side * 2);
    for (let i = 0; i < side; i++) {
      for (let j = 0; j < side; j++) {
        x[2 * (i * side + j)] = -9 + i * h;
        x[2 * (i * side + j) + 1] = -9 + j * h;
      }
    }
    const total = t.logDensity(x).reduce((acc, l) => acc + Math.exp(l), 0) * h * h;
    // Trapezoid sums of Gaussians with std / h ~ 14 are exact to rounding; tails beyond 9 are < 1e-12.
    expect(total).toBeCloseTo(1, 10);
  });

  it('ring8: eight modes on the circle of radius 5, std 0.5', () => {
    const t = ring8();
    expect(t.mixture.means).toHaveLength(8);
    t.mixture.means.forEach(([u, v], k) => {
      expect(Math.hypot(u, v)).toBeCloseTo(5, 12);
      expect(Math.atan2(v, u)).toBeCloseTo(Math.atan2(Math.sin((2 * Math.PI * k) / 8), Math.cos((2 * Math.PI * k) / 8)), 12);
    });
    expect(t.mixture.stds).toEqual(new Array(8).fill(0.5));
    // Per axis: 0.25 within, 25 / 2 between (cos^2 averages to 1/2).
    expect(t.dataStd).toBeCloseTo(Math.sqrt(0.25 + 12.5), 12);
  });

  it('gmm: seeded means in [-5, 5]^d, unit stds, params with components, dim and seed', () => {
    const t = gmm({ components: 4, dim: 3, seed: 9 });
    expect(t.dim).toBe(3);
    expect(t.params).toMatchObject({ components: 4, dim: 3, seed: 9 });
    expect(t.mixture.stds).toEqual([1, 1, 1, 1]);
    for (const m of t.mixture.means) for (const c of m) expect(Math.abs(c)).toBeLessThanOrEqual(5);
    expect(gmm({ components: 4, dim: 3, seed: 9 }).mixture.means).toEqual(t.mixture.means);
    expect(gmm({ components: 4, dim: 3, seed: 10 }).mixture.means).not.toEqual(t.mixture.means);
    const defaults = gmm();
    expect([defaults.mixture.means.length, defaults.dim]).toEqual([10, 10]);
  });
});

describe('target registry', () => {
  it('builds every target with its default options', () => {
    const dims = { funnel: 10, grid9: 2, ring8: 2, gmm: 10, gaussian: 2, 'two-point': 1, checkerboard: 2 };
    for (const name of TARGET_NAMES) {
      const t = createTarget(name);
      expect(t.name).toBe(name);
      expect(t.dim).toBe(dims[name]);
    }
  });

  it('validates options and fills in defaults', () => {
    expect(createTarget('funnel', { dim: 4 }).dim).toBe(4);
    expect(createTarget('gmm', { components: 3, dim: 5, seed: 2 }).params).toMatchObject({ components: 3, dim: 5 });
    expect(resolveTargetOptions('gmm', { dim: 3 })).toEqual({ components: 10, dim: 3, seed: 0 });
    expect(() => createTarget('funnel', { dim: 1 })).toThrow();
    expect(() => createTargetFromConfig('funnel', { dim: 2.5 })).toThrow();
    expect(() => createTargetFromConfig('grid9', { dim: 3 })).toThrow();
    expect(() => createTargetFromConfig('moons', {})).toThrow(/unknown target/);
    expect(createTargetFromConfig('ring8', {}).name).toBe('ring8');
  });

  it('describes every target for --help', () => {
    const help = describeTargets();
    for (const name of TARGET_NAMES) expect(help).toContain(name);
    expect(help).toContain('components');
  });
});
