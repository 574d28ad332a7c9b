import * as tf from '@tensorflow/tfjs-core';
import type { Points, Target } from '../../datasets/target.js';
import type { GaussianPath } from '../process/index.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import type { ScoreFunction } from '../sampler/score-function.js';

/** The score error at one noise level, with the standard error of its Monte Carlo estimate. */
export interface ScoreErrorPoint {
  tau: number;
  a: number;
  b: number;
  /** E_{x ~ p_tau} b^2 || s(x, tau) - grad log p_tau(x) ||^2 / d. */
  error: number;
  /** Standard deviation of the per-point values over sqrt(n). */
  stdError: number;
}

export interface ScoreErrorCurve {
  points: ScoreErrorPoint[];
  /**
   * Trapezoid rule over tau divided by the tau range: (1 / (tau_last - tau_first)) int E(tau) dtau.
   * With tau uniform over the training range this is the network's excess denoising loss
   * (weight b^2) over its minimum, per coordinate. A single tau gives its own value.
   */
  average: number;
  averaging: 'trapezoid over tau, divided by the tau range';
  /** Points drawn per noise level. */
  n: number;
}

/**
 * x = a x0 + b eps from fresh target samples, rounded to float32: a network sees x in
 * float32, so the exact score is taken at the very same point.
 */
function drawNoised(target: Target, a: number, b: number, n: number, rng: Rng): Points {
  const x = target.sample(n, rng);
  for (let i = 0; i < x.length; i++) x[i] = Math.fround(a * x[i]! + b * rng.normal());
  return x;
}

/**
 * E_{x ~ p_tau} b^2 || s(x, tau) - grad log p_tau(x) ||^2 / d (docs/math.md section 7), the exact
 * score from the target, on n fresh points (in float32, as a network takes them). The
 * difference is taken in float64.
 */
export function scoreErrorAt(target: Target, path: GaussianPath, score: ScoreFunction, tau: number, n: number, rng: Rng): ScoreErrorPoint {
  if (!(Number.isInteger(n) && n >= 2)) throw new RangeError(`score error needs at least 2 points, got ${n}`);
  const d = target.dim;
  const coeff = path.coefficients(tau);
  const { a, b } = coeff;
  const x = drawNoised(target, a, b, n, rng);
  const exact = target.noisedScore(x, coeff);
  const model = tf.tidy(() => {
    const input = tf.tensor2d(Float32Array.from(x), [n, d]);
    return score(input, tau, coeff).dataSync() as Float32Array;
  });
  if (model.length !== n * d) throw new RangeError(`score function returned ${model.length} values for ${n} x ${d} points`);
  let sum = 0;
  let sumSq = 0;
  const scale = (b * b) / d;
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let j = 0; j < d; j++) {
      const diff = model[i * d + j]! - exact[i * d + j]!;
      sq += diff * diff;
    }
    const value = scale * sq;
    sum += value;
    sumSq += value * value;
  }
  const error = sum / n;
  const variance = Math.max(0, (sumSq - n * error * error) / (n - 1));
  return { tau, a, b, error, stdError: Math.sqrt(variance / n) };
}

/** (1 / (x_last - x_first)) int y dx by the trapezoid rule; a single point gives its y. */
export function trapezoidAverage(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length || xs.length === 0) throw new RangeError('trapezoid average needs as many y values as x values, at least one');
  if (xs.length === 1) return ys[0]!;
  let integral = 0;
  for (let k = 1; k < xs.length; k++) {
    const h = xs[k]! - xs[k - 1]!;
    if (!(h > 0)) throw new RangeError('trapezoid average needs strictly increasing x values');
    integral += (h * (ys[k]! + ys[k - 1]!)) / 2;
  }
  return integral / (xs[xs.length - 1]! - xs[0]!);
}

/** K noise levels evenly spaced over [tauMin, tauMax], both ends included. */
export function uniformTauGrid(tauMin: number, tauMax: number, count: number): number[] {
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`tau grid needs at least one point, got ${count}`);
  if (count === 1) return [(tauMin + tauMax) / 2];
  return Array.from({ length: count }, (_, k) => tauMin + ((tauMax - tauMin) * k) / (count - 1));
}

export interface ScoreErrorOptions {
  /** Strictly increasing noise levels. */
  taus: readonly number[];
  /** Points per noise level. */
  n: number;
  seed: number;
}

/** The score error on a grid of noise levels and its average over tau. */
export function scoreErrorCurve(target: Target, path: GaussianPath, score: ScoreFunction, o: ScoreErrorOptions): ScoreErrorCurve {
  const points = o.taus.map((tau, k) => scoreErrorAt(target, path, score, tau, o.n, Rng.derive(o.seed, RNG_STREAMS.scoreError, k)));
  return {
    points,
    average: trapezoidAverage(
      points.map((p) => p.tau),
      points.map((p) => p.error),
    ),
    averaging: 'trapezoid over tau, divided by the tau range',
    n: o.n,
  };
}
