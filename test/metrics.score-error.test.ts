import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import type { Target } from '../datasets/target.js';
import { scoreErrorAt, scoreErrorCurve, trapezoidAverage, uniformTauGrid } from '../src/metrics/score-error.js';
import { createProcess, type GaussianPath } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import { RNG_STREAMS } from '../src/rng-streams.js';
import { oracleScoreFunction, type ScoreFunction } from '../src/sampler/score-function.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

/** float32 rounding: |fl(v) - v| <= 2^-24 |v|. */
const EPS32 = 2 ** -24;
const N = 500;

/** The exact score plus a constant vector c, rounded to float32 as any ScoreFunction is. */
function shiftedExact(target: Target, c: number[]): ScoreFunction {
  return (x, _tau, coeff) => {
    const s = target.noisedScore(Float64Array.from(x.dataSync()), coeff);
    for (let i = 0; i < s.length; i++) s[i] += c[i % c.length]!;
    return tf.tensor2d(Float32Array.from(s), x.shape);
  };
}

/**
 * The points scoreErrorAt draws at the k-th tau of a curve with this seed, and the largest
 * error float32 rounding of s + c can add: b^2/d mean(2 |c| e |s + c| + e^2 |s + c|^2).
 */
function roundingBound(target: Target, path: GaussianPath, tau: number, seed: number, k: number, c: number[]): number {
  const d = target.dim;
  const coeff = path.coefficients(tau);
  const rng = Rng.derive(seed, RNG_STREAMS.scoreError, k);
  const x = target.sample(N, rng);
  for (let i = 0; i < x.length; i++) x[i] = Math.fround(coeff.a * x[i]! + coeff.b * rng.normal());
  const s = target.noisedScore(x, coeff);
  const cNorm = Math.hypot(...c);
  let sum = 0;
  for (let i = 0; i < N; i++) {
    let sq = 0;
    for (let j = 0; j < d; j++) sq += (s[i * d + j]! + c[j]!) ** 2;
    const r = EPS32 * Math.sqrt(sq);
    sum += 2 * cNorm * r + r * r;
  }
  return ((coeff.b * coeff.b) / d) * (sum / N);
}

const cases: [string, 'vp' | 'pbm', () => Target][] = [
  ['gmm 5-D', 'vp', () => createTarget('gmm', { dim: 5, components: 4, seed: 3 })],
  ['gmm 5-D', 'pbm', () => createTarget('gmm', { dim: 5, components: 4, seed: 3 })],
  ['funnel 4-D', 'vp', () => createTarget('funnel', { dim: 4 })],
  ['funnel 4-D', 'pbm', () => createTarget('funnel', { dim: 4 })],
];

describe('score error against the exact score', () => {
  it.each(cases)('%s, %s: the exact score gives zero error (to float32 rounding)', (_name, processName, make) => {
    const target = make();
    const path = createProcess(processName);
    const taus = [0.05, 0.3, 0.7, 0.95];
    const curve = scoreErrorCurve(target, path, oracleScoreFunction(target), { taus, n: N, seed: 11 });
    curve.points.forEach((p, k) => {
      expect(p.error).toBeGreaterThanOrEqual(0);
      expect(p.error).toBeLessThanOrEqual(roundingBound(target, path, p.tau, 11, k, new Array(target.dim).fill(0)));
    });
  });

  it.each(cases)('%s, %s: a score off by a constant vector c gives |c|^2 b^2 / d', (_name, processName, make) => {
    const target = make();
    const path = createProcess(processName);
    const c = Array.from({ length: target.dim }, (_, j) => 0.5 - 0.3 * j);
    const cSq = c.reduce((s, v) => s + v * v, 0);
    const taus = [0.05, 0.3, 0.7, 0.95];
    const curve = scoreErrorCurve(target, path, shiftedExact(target, c), { taus, n: N, seed: 5 });
    curve.points.forEach((p, k) => {
      const expected = (cSq * p.b * p.b) / target.dim;
      expect(Math.abs(p.error - expected)).toBeLessThanOrEqual(roundingBound(target, path, p.tau, 5, k, c));
      // Every point has the same error, so the Monte Carlo spread is rounding only.
      expect(p.stdError).toBeLessThan(1e-6 * expected);
    });
    // The average is the trapezoid rule over the grid of the per-tau values.
    expect(curve.average).toBeCloseTo(trapezoidAverage(taus, curve.points.map((p) => p.error)), 12);
  });

  it('the zero function on N(0, I) under VP: b^2 E|x|^2 / d = b^2, within 5 standard errors', () => {
    // VP keeps N(0, I) fixed (a^2 + b^2 = 1), so grad log p_tau(x) = -x and |x|^2 ~ chi^2_d.
    const d = 4;
    const target = createTarget('gaussian', { dim: d, std: 1 });
    const path = createProcess('vp');
    const zero: ScoreFunction = (x) => tf.zerosLike(x);
    const n = 4000;
    for (const tau of [0.1, 0.5, 0.9]) {
      const p = scoreErrorAt(target, path, zero, tau, n, Rng.derive(1, 2, Math.round(tau * 10)));
      const b2 = p.b * p.b;
      // Each point contributes b^2 chi^2_d / d, of variance 2 b^4 / d.
      const stdError = b2 * Math.sqrt(2 / (d * n));
      expect(Math.abs(p.error - b2)).toBeLessThan(5 * stdError);
      expect(p.stdError / stdError).toBeGreaterThan(0.8);
      expect(p.stdError / stdError).toBeLessThan(1.2);
    }
  });
});

describe('tau grid and its average', () => {
  it('the uniform grid includes both ends', () => {
    expect(uniformTauGrid(0.1, 0.9, 5)).toEqual([0.1, 0.30000000000000004, 0.5, 0.7000000000000001, 0.9]);
    expect(uniformTauGrid(0.2, 0.4, 1)).toEqual([0.30000000000000004]);
  });

  it('the trapezoid average is exact for a line, and weights the ends by half on a uniform grid', () => {
    expect(trapezoidAverage([0, 1, 3], [1, 2, 4])).toBeCloseTo(2.5, 15); // y = 1 + x over [0, 3]
    expect(trapezoidAverage([0, 1, 2], [3, 0, 3])).toBeCloseTo(1.5, 15); // (3/2 + 0 + 3/2) / 2
    expect(trapezoidAverage([0.5], [7])).toBe(7);
    expect(() => trapezoidAverage([0, 0], [1, 1])).toThrow(/increasing/);
  });
});
