import { describe, expect, it } from 'vitest';
import { NealFunnel } from '../datasets/funnel.js';
import type { PathCoefficients } from '../datasets/target.js';
import { Rng } from '../src/rng.js';

const LOG_2PI = Math.log(2 * Math.PI);
const d = 10;
const target = new NealFunnel({ dim: d });

/** Noise levels from the data (b = 0) through tiny b to the prior (a = 0). */
const LEVELS: PathCoefficients[] = [
  { a: 1, b: 0 },
  { a: 1, b: 1e-3 },
  { a: 1, b: 0.01 },
  { a: 0.9, b: 0.3 },
  { a: 0.8, b: 0.6 },
  { a: 0.3, b: 0.95 },
  { a: 0.0066, b: 1 },
  { a: 0, b: 1 },
];

/** Noised funnel samples plus two points off the funnel. */
function testPoints(path: PathCoefficients, seed: number, n = 10): Float64Array {
  const rng = Rng.fromSeed(seed);
  const clean = target.sample(n, rng);
  const out = new Float64Array((n + 2) * d);
  for (let i = 0; i < n * d; i++) out[i] = path.a * clean[i] + path.b * rng.normal();
  // A point in the neck with large spread, and one high up with tiny spread.
  for (let j = 0; j < d; j++) out[n * d + j] = j === 0 ? -4 : 3;
  for (let j = 0; j < d; j++) out[(n + 1) * d + j] = j === 0 ? 8 : 1e-3;
  return out;
}

function row(x: Float64Array, i: number, dim = d): Float64Array {
  return x.slice(i * dim, (i + 1) * dim);
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

/** The closed-form gradient and Laplacian of log pi at a clean point. */
function exactDerivatives(x: Float64Array): { gradient: Float64Array; laplacian: number } {
  const v = x[0];
  const decay = Math.exp(-v);
  let sumSq = 0;
  for (let j = 1; j < d; j++) sumSq += x[j] * x[j];
  const gradient = x.map((xj, j) => (j === 0 ? -v / 9 - (d - 1) / 2 + 0.5 * sumSq * decay : -xj * decay));
  return { gradient, laplacian: -1 / 9 - 0.5 * sumSq * decay - (d - 1) * decay };
}

/**
 * log p(y), E[v | y] and E[k(v) | y] (k = a e^v / u) by a fixed fine grid of `points` over v in
 * [lo, hi]: p(v) p(y_0 | v) prod_i p(y_i | v) on the grid, then log-sum-exp.
 */
function bruteForce(y: Float64Array, path: PathCoefficients, lo: number, hi: number, points: number) {
  const dim = y.length;
  const h = (hi - lo) / (points - 1);
  let sumSq = 0;
  for (let j = 1; j < dim; j++) sumSq += y[j] ** 2;
  const logTerms = new Float64Array(points);
  for (let k = 0; k < points; k++) {
    const v = lo + k * h;
    const u = path.a ** 2 * Math.exp(v) + path.b ** 2;
    logTerms[k] =
      -0.5 * (LOG_2PI + Math.log(9) + (v * v) / 9) -
      0.5 * (LOG_2PI + Math.log(path.b ** 2) + (y[0] - path.a * v) ** 2 / path.b ** 2) -
      ((dim - 1) / 2) * (LOG_2PI + Math.log(u)) -
      (0.5 * sumSq) / u;
  }
  const max = logTerms.reduce((acc, l) => Math.max(acc, l), -Infinity);
  let total = 0;
  let vSum = 0;
  let kSum = 0;
  logTerms.forEach((l, k) => {
    const w = Math.exp(l - max);
    const v = lo + k * h;
    total += w;
    vSum += w * v;
    kSum += (w * path.a * Math.exp(v)) / (path.a ** 2 * Math.exp(v) + path.b ** 2);
  });
  return { logp: max + Math.log(total * h), meanV: vSum / total, meanK: kSum / total };
}

describe('Neal funnel, d = 10', () => {
  it('noisedScore is the gradient of noisedLogDensity (central differences)', () => {
    LEVELS.forEach((path, level) => {
      const x = testPoints(path, 100 + level);
      const score = target.noisedScore(x, path);
      // log p has curvature up to 1/b^2 along y_0: scale the step with b. Truncation
      // ~ step^2 |third derivative|, rounding ~ 1e-16 |log p| / step, grid ~ 1e-12 / step.
      const step = 1e-5 * Math.min(1, Math.max(path.b, 0.01));
      for (let i = 0; i < x.length / d; i++) {
        const point = row(x, i);
        const fd = new Float64Array(d);
        for (let j = 0; j < d; j++) {
          const plus = point.slice();
          const minus = point.slice();
          plus[j] += step;
          minus[j] -= step;
          fd[j] = (target.noisedLogDensity(plus, path)[0] - target.noisedLogDensity(minus, path)[0]) / (2 * step);
        }
        const s = row(score, i);
        expect(maxAbsDiff(fd, s)).toBeLessThan(1e-5 * (1 + norm(s)));
      }
    });
  });

  it('obeys Tweedie: score = (a E[x0 | x] - x) / b^2 (computed by different formulas)', () => {
    for (const [level, path] of LEVELS.entries()) {
      if (path.b === 0) continue;
      const x = testPoints(path, 200 + level);
      const score = target.noisedScore(x, path);
      const mean = target.posteriorMean(x, path);
      for (let i = 0; i < x.length / d; i++) {
        const tweedie = row(x, i).map((xj, j) => (path.a * mean[i * d + j] - xj) / path.b ** 2);
        // a E[x0] - x cancels to O(b^2 score): rounding ~ 1e-16 |x| / b^2 on top of the grid's 1e-10.
        const scale = 1 + norm(row(score, i)) + (1e-15 * norm(row(x, i))) / path.b ** 2;
        expect(maxAbsDiff(tweedie, row(score, i))).toBeLessThan(1e-8 * scale);
      }
    }
  });

  it('obeys second-order Tweedie: Cov = (b^2 / a^2)(I + b^2 Hess log p)', () => {
    for (const path of [
      { a: 0.8, b: 0.6 },
      { a: 0.95, b: 0.3 },
    ]) {
      const x = testPoints(path, 300, 6);
      const cov = target.posteriorCovariance(x, path);
      const step = 1e-4;
      for (let i = 0; i < x.length / d; i++) {
        const point = row(x, i);
        let worst = 0;
        let size = 0;
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
            worst = Math.max(worst, Math.abs(cov[i * d * d + j * d + l] - expected));
            size = Math.max(size, Math.abs(expected));
          }
        }
        // FD error ~ step^2 |third derivative of the score| + grid error / step.
        expect(worst).toBeLessThan(1e-6 * (1 + size));
      }
    }
  });

  it('has a symmetric posterior covariance whose v-block is Var(v | y) > 0', () => {
    const path = { a: 0.9, b: 0.4 };
    const x = testPoints(path, 400);
    const cov = target.posteriorCovariance(x, path);
    for (let i = 0; i < x.length / d; i++) {
      expect(cov[i * d * d]).toBeGreaterThan(0);
      for (let j = 0; j < d; j++) {
        for (let l = 0; l < d; l++) expect(cov[i * d * d + j * d + l]).toBe(cov[i * d * d + l * d + j]);
      }
    }
  });

  it('reaches the prior at a = 0, b = 1: score -x, log N(x; 0, I), posterior = the funnel', () => {
    const path = { a: 0, b: 1 };
    const x = testPoints(path, 500);
    const score = target.noisedScore(x, path);
    for (let i = 0; i < x.length; i++) expect(score[i]).toBeCloseTo(-x[i], 12);
    const logp = target.noisedLogDensity(x, path);
    for (let i = 0; i < x.length / d; i++) {
      expect(logp[i]).toBeCloseTo(-0.5 * d * LOG_2PI - 0.5 * norm(row(x, i)) ** 2, 10);
    }
    const mean = target.posteriorMean(x, path);
    const cov = target.posteriorCovariance(x, path);
    for (let i = 0; i < x.length / d; i++) {
      for (let j = 0; j < d; j++) {
        expect(mean[i * d + j]).toBeCloseTo(0, 10);
        for (let l = 0; l < d; l++) {
          // Prior covariance: diag(9, E[e^v] = e^{9/2}, ...).
          const expected = j !== l ? 0 : j === 0 ? 9 : Math.exp(4.5);
          expect(cov[i * d * d + j * d + l] / (1 + expected)).toBeCloseTo(expected / (1 + expected), 10);
        }
      }
    }
  });

  it('uses the exact closed form at b = 0: p(y) = pi(y / a) / a^d, E[x0 | y] = y / a', () => {
    const x = testPoints({ a: 1, b: 0 }, 600);
    const logp = target.logDensity(x);
    for (let i = 0; i < x.length / d; i++) {
      const point = row(x, i);
      const v = point[0];
      let expected = -0.5 * LOG_2PI - Math.log(3) - (v * v) / 18;
      for (let j = 1; j < d; j++) expected += -0.5 * (LOG_2PI + v) - (0.5 * point[j] ** 2) / Math.exp(v);
      expect(logp[i]).toBeCloseTo(expected, 9);
    }
    const a = 0.7;
    const y = x.map((xi) => a * xi);
    const viaPath = target.noisedLogDensity(y, { a, b: 0 });
    viaPath.forEach((l, i) => expect(l).toBeCloseTo(logp[i] - d * Math.log(a), 9));
    target.posteriorMean(y, { a, b: 0 }).forEach((m, i) => expect(m).toBeCloseTo(x[i], 12));
    expect(target.posteriorCovariance(y, { a, b: 0 }).every((c) => c === 0)).toBe(true);
    const score = target.noisedScore(x, { a: 1, b: 0 });
    for (let i = 0; i < x.length / d; i++) {
      const { gradient } = exactDerivatives(row(x, i));
      expect(maxAbsDiff(row(score, i), gradient)).toBeLessThan(1e-9 * (1 + norm(gradient)));
    }
  });

  it('the grid at small b agrees with the closed form at b = 0 to second order in b', () => {
    // Convolving pi with N(0, b^2 I): log p_b - log pi = (b^2 / 2)(Lap log pi + |grad log pi|^2)
    // + O(b^4 (Delta^2 pi) / pi). The next term is bounded here by b^4 (|grad|^2 + |Lap| + 1)^2,
    // which at b = 1e-3 is far below the b^2 term being checked.
    const b = 1e-3;
    const x = target.sample(30, Rng.fromSeed(700));
    const noised = target.noisedLogDensity(x, { a: 1, b });
    const clean = target.logDensity(x);
    for (let i = 0; i < x.length / d; i++) {
      const { gradient, laplacian } = exactDerivatives(row(x, i));
      const g2 = norm(gradient) ** 2;
      const secondOrder = (b * b * (laplacian + g2)) / 2;
      const fourthOrderBound = b ** 4 * (g2 + Math.abs(laplacian) + 1) ** 2;
      expect(Math.abs(noised[i] - clean[i] - secondOrder)).toBeLessThan(fourthOrderBound + 1e-12);
    }
    // And the score: grad log p_b -> grad log pi as b -> 0.
    const score = target.noisedScore(x, { a: 1, b: 1e-5 });
    for (let i = 0; i < x.length / d; i++) {
      const { gradient } = exactDerivatives(row(x, i));
      expect(maxAbsDiff(row(score, i), gradient)).toBeLessThan(1e-4 * (1 + norm(gradient)));
    }
  });

  it('matches a brute-force integral over a fixed fine v-grid', () => {
    const path = { a: 0.8, b: 0.6 };
    const x = testPoints(path, 800, 4);
    const logp = target.noisedLogDensity(x, path);
    const mean = target.posteriorMean(x, path);
    for (let i = 0; i < x.length / d; i++) {
      const truth = bruteForce(row(x, i), path, -40, 40, 400_001);
      expect(logp[i]).toBeCloseTo(truth.logp, 9);
      expect(mean[i * d]).toBeCloseTo(truth.meanV, 9);
    }
  });

  it('logDensity has the N(0, 9) v-marginal (integrating out x_1 in d = 2)', () => {
    const funnel2 = new NealFunnel({ dim: 2 });
    for (const v of [-7, -2, 0, 1.5, 6]) {
      const std = Math.exp(v / 2);
      const points = 2001;
      const h = (24 * std) / (points - 1);
      const x = new Float64Array(2 * points);
      for (let k = 0; k < points; k++) {
        x[2 * k] = v;
        x[2 * k + 1] = -12 * std + k * h;
      }
      const marginal = funnel2.logDensity(x).reduce((acc, l) => acc + Math.exp(l), 0) * h;
      expect(Math.log(marginal)).toBeCloseTo(-0.5 * (LOG_2PI + Math.log(9) + (v * v) / 9), 10);
    }
  });

  it('noisedLogDensity has the N(0, 9 a^2 + b^2) y_0-marginal (integrating out y_1 in d = 2)', () => {
    const funnel2 = new NealFunnel({ dim: 2 });
    for (const path of [
      { a: 0.8, b: 0.6 },
      { a: 1, b: 0.05 },
    ]) {
      for (const y0 of [-3, 0, 2.5]) {
        // y_1 | y_0 is a scale mixture of normals with heavy tails: y_1 = sinh(t) / 100, t >= 0,
        // covers scales from 1e-2 to 4e4 with a smooth integrand in t; symmetry gives y_1 < 0.
        // Beyond, y_1 needs v > 21, over 20 posterior stds of v above E[v | y_0] here: e^-200.
        const points = 3001;
        const h = 16 / (points - 1);
        const y = new Float64Array(2 * points);
        for (let k = 0; k < points; k++) {
          y[2 * k] = y0;
          y[2 * k + 1] = Math.sinh(k * h) / 100;
        }
        let half = 0;
        funnel2.noisedLogDensity(y, path).forEach((l, k) => {
          const jacobian = Math.cosh(k * h) / 100;
          half += (k === 0 ? 0.5 : 1) * Math.exp(l) * jacobian * h;
        });
        const variance = 9 * path.a ** 2 + path.b ** 2;
        expect(Math.log(2 * half)).toBeCloseTo(-0.5 * (LOG_2PI + Math.log(variance) + (y0 * y0) / variance), 6);
      }
    }
  });

  it('samples v ~ N(0, 9) and x_i e^{-v/2} ~ N(0, 1) independent of v (within 5 standard errors)', () => {
    const n = 20_000;
    const x = target.sample(n, Rng.fromSeed(9));
    let vSum = 0;
    let vSq = 0;
    for (let i = 0; i < n; i++) {
      vSum += x[i * d];
      vSq += x[i * d] ** 2;
    }
    expect(Math.abs(vSum / n)).toBeLessThan(5 * Math.sqrt(9 / n));
    // Var of a sample variance of N(0, s^2): 2 s^4 / n.
    expect(Math.abs(vSq / n - 9)).toBeLessThan(5 * Math.sqrt((2 * 81) / n));
    for (let j = 1; j < d; j++) {
      let zSum = 0;
      let zSq = 0;
      let zv = 0;
      for (let i = 0; i < n; i++) {
        const z = x[i * d + j] * Math.exp(-x[i * d] / 2);
        zSum += z;
        zSq += z * z;
        zv += z * x[i * d];
      }
      expect(Math.abs(zSum / n)).toBeLessThan(5 / Math.sqrt(n));
      expect(Math.abs(zSq / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
      expect(Math.abs(zv / n)).toBeLessThan(5 * Math.sqrt(9 / n));
    }
  });

  it('stays finite off the funnel, and reports its scale, dataStd and params', () => {
    const far = new Float64Array(d).map((_, j) => (j === 0 ? 60 : -40));
    for (const path of LEVELS) {
      for (const out of [
        target.noisedLogDensity(far, path),
        target.noisedScore(far, path),
        target.posteriorMean(far, path),
        target.posteriorCovariance(far, path),
      ]) {
        expect(out.every(Number.isFinite)).toBe(true);
      }
    }
    expect(target.funnelScale).toBe(3);
    expect(target.dataStd).toBeCloseTo(Math.sqrt((9 + 9 * Math.exp(4.5)) / 10), 12);
    expect(target.params).toMatchObject({ dim: 10, scale: 3 });
    expect(() => target.noisedScore(far, { a: 0, b: 0 })).toThrow(RangeError);
    expect(() => new NealFunnel({ dim: 1 })).toThrow(RangeError);
  });
});

describe('Neal funnel, d = 50, far off the funnel', () => {
  // Where a poor network's reverse SDE leaves points a third of the way to the data: y_0 = -250,
  // |y_i| = 80. m = E[v | y_0] sits near -350, the v-integrand's mass near v = 6, 0.03 wide,
  // and the integrand has a second, far lower mode near m.
  const dim = 50;
  const path = { a: 2 / 3, b: Math.sqrt(2) / 3 };
  const y = new Float64Array(dim).map((_, j) => (j === 0 ? -250 : j % 2 ? 80 : -80));

  it('integrates within 1025 grid points and matches a brute-force integral', () => {
    // Within 1025 points: a window sized by sup f around the second mode would span a thousand
    // units of v, and such a grid would miss the mass entirely.
    const target50 = new NealFunnel({ dim, maxGridPoints: 1025 });
    const truth = bruteForce(y, path, -20, 20, 400_001);
    const [logp] = target50.noisedLogDensity(y, path);
    const mean = target50.posteriorMean(y, path);
    const score = target50.noisedScore(y, path);
    expect(truth.meanV).toBeGreaterThan(4);
    expect(Math.abs(logp - truth.logp)).toBeLessThan(1e-9 * Math.abs(truth.logp));
    expect(mean[0]).toBeCloseTo(truth.meanV, 8);
    expect(mean[1] / y[1]).toBeCloseTo(truth.meanK, 10);
    // Tweedie with the brute-force posterior mean.
    expect(score[0]).toBeCloseTo((path.a * truth.meanV - y[0]) / path.b ** 2, 6);
    expect(score[1]).toBeCloseTo((path.a * truth.meanK * y[1] - y[1]) / path.b ** 2, 8);
  });

  it('where m = E[v | y_0] is far below -700, e^v vanishes next to b^2: N(y_0; 0, 9 a^2 + b^2) prod N(y_i; 0, b^2)', () => {
    // y_0 = -1000: m ~ -1420, every v of the posterior's mass has u = b^2 to 1e-300.
    const far = new Float64Array(dim).map((_, j) => (j === 0 ? -1000 : j % 2 ? 60 : -60));
    const target50 = new NealFunnel({ dim, maxGridPoints: 1025 });
    const b2 = path.b ** 2;
    const y0Variance = 9 * path.a ** 2 + b2;
    let logp = -0.5 * (LOG_2PI + Math.log(y0Variance) + far[0] ** 2 / y0Variance);
    for (let j = 1; j < dim; j++) logp += -0.5 * (LOG_2PI + Math.log(b2) + far[j] ** 2 / b2);
    expect(target50.noisedLogDensity(far, path)[0]).toBeCloseTo(logp, 6);
    const score = target50.noisedScore(far, path);
    expect(score[0]).toBeCloseTo(-far[0] / y0Variance, 8);
    for (let j = 1; j < dim; j++) expect(score[j]).toBeCloseTo(-far[j] / b2, 8);
  });

  it('where m is far above +700, u = a^2 e^v: v | y ~ N(m - h s^2, s^2) and a closed-form log-density', () => {
    // y_0 = 1500: m ~ 2130, where e^v overflows; f = -h (v + log a^2), the S / (2u) term is e^-2000.
    const far = new Float64Array(dim).map((_, j) => (j === 0 ? 1500 : j % 2 ? 60 : -60));
    const target50 = new NealFunnel({ dim, maxGridPoints: 1025 });
    const [a2, b2, h] = [path.a ** 2, path.b ** 2, (dim - 1) / 2];
    const y0Variance = 9 * a2 + b2;
    const m = (9 * path.a * far[0]) / y0Variance;
    const s = (3 * path.b) / Math.sqrt(y0Variance);
    const logMeanExpF = -h * Math.log(a2) - h * m + (h * h * s * s) / 2;
    const logp = -0.5 * (LOG_2PI + Math.log(y0Variance) + far[0] ** 2 / y0Variance) - h * LOG_2PI + logMeanExpF;
    expect(target50.noisedLogDensity(far, path)[0]).toBeCloseTo(logp, 6);
    const score = target50.noisedScore(far, path);
    // score_0 = -y_0 / (9 a^2 + b^2) + (a s / b^2) E[z], E[z] = -h s; score_i = -y_i E[1/u] ~ 0.
    expect(score[0]).toBeCloseTo(-far[0] / y0Variance - (path.a * s * h * s) / b2, 8);
    for (let j = 1; j < dim; j++) expect(Math.abs(score[j])).toBeLessThan(1e-300);
    const mean = target50.posteriorMean(far, path);
    expect(mean[0]).toBeCloseTo(m - h * s * s, 8);
    // E[x0_i | y] = E[k] y_i with k = a e^v / u = 1 / a here.
    expect(mean[1]).toBeCloseTo(far[1] / path.a, 8);
  });

  it('keeps the mass: the default grid agrees with the brute force over a window 200 units wide', () => {
    const wide = bruteForce(y, path, -100, 100, 2_000_001);
    const [logp] = new NealFunnel({ dim }).noisedLogDensity(y, path);
    expect(Math.abs(logp - wide.logp)).toBeLessThan(1e-9 * Math.abs(wide.logp));
  });
});
