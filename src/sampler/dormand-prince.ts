import * as tf from '@tensorflow/tfjs-core';
import type { Tolerance } from './ode-solver.js';

// Dormand-Prince 5(4) (Dormand and Prince 1980; Hairer, Norsett and Wanner, Solving ODEs I, II.5).
const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1];
const A = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
];
/** Fifth-order weights (also the last stage's row: first same as last). */
const B5 = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0];
/** B5 minus the embedded fourth-order weights: the local error estimate. */
const E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40];

const SAFETY = 0.9;
/** The bounds of the factor a step size is changed by (for the solvers' descriptions). */
export const MIN_FACTOR = 0.2;
export const MAX_FACTOR = 10;
/** Beyond this many steps (accepted or not) the integration is abandoned: the tolerance is out of float32's reach. */
const MAX_STEPS = 100_000;

/** dy/dt of the whole state. */
export type Field = (y: tf.Tensor2D, t: number) => tf.Tensor2D;

export interface AdaptiveOptions {
  /** Called after each accepted step with the time reached and the state there, which stays the integrator's (progress, frames; may yield to the event loop). */
  onAccept(t: number, y: tf.Tensor2D): Promise<void>;
  /** The noise level tau at time t, for the message when the steps run out; the identity when t is tau. */
  tauAt?: (t: number) => number;
}

/**
 * Adaptive Dormand-Prince 5(4) from t0 to tEnd, either way (h takes the sign
 * of tEnd - t0), with one error norm for the whole state (as torchdiffeq and
 * score_sde's scipy call do). The first step is chosen by Hairer's rule (one
 * extra evaluation); a step whose error norm exceeds 1 is redone shorter.
 * Six evaluations per step tried (first same as last), plus one at the start.
 * Returns a new tensor and leaves y0 to the caller.
 */
export async function integrateAdaptive(
  velocity: Field,
  y0: tf.Tensor2D,
  t0: number,
  tEnd: number,
  tolerance: Tolerance,
  { onAccept, tauAt = (t) => t }: AdaptiveOptions,
): Promise<tf.Tensor2D> {
  const direction = Math.sign(tEnd - t0);
  const span = Math.abs(tEnd - t0);
  /** How far s is short of tEnd, along the direction of travel (negative past it). */
  const shortOf = (s: number) => direction * (tEnd - s);
  let t = t0;
  let y = tf.clone(y0);
  let k1 = velocity(y, t);
  let h = direction * Math.min(span, initialStep(velocity, y, k1, t, direction, tolerance));
  for (let tries = 0; shortOf(t) > 0; tries++) {
    if (tries >= MAX_STEPS) throw new RangeError(`rk45: no solution within ${MAX_STEPS} steps at tau ${tauAt(t)} (rtol ${tolerance.rtol}, atol ${tolerance.atol})`);
    // Past tEnd, or so close that a sliver would be left: end there.
    if (shortOf(t + h) < 1e-12 * span) h = tEnd - t;
    const ks: tf.Tensor2D[] = [k1];
    for (let s = 1; s < 6; s++) {
      const ys = tf.tidy(() => tf.add(y, tf.mul(combine(ks, A[s]!), h)) as tf.Tensor2D);
      ks.push(velocity(ys, t + C[s]! * h));
      ys.dispose();
    }
    const yNew = tf.tidy(() => tf.add(y, tf.mul(combine(ks, B5), h)) as tf.Tensor2D);
    const tNew = t + h === tEnd || Math.abs(t + h - tEnd) < 1e-15 ? tEnd : t + h;
    const k7 = velocity(yNew, tNew);
    ks.push(k7);
    const err = tf.tidy(() => tf.mul(combine(ks, E), h) as tf.Tensor2D);
    const norm = errorNorm(err, y, yNew, tolerance);
    err.dispose();
    const factor = norm === 0 ? MAX_FACTOR : Math.min(MAX_FACTOR, Math.max(MIN_FACTOR, SAFETY * norm ** -0.2));
    tf.dispose(ks.slice(1, 6));
    if (norm <= 1) {
      tf.dispose([y, k1]);
      y = yNew;
      k1 = k7;
      t = tNew;
      h *= factor;
      await onAccept(t, y);
    } else {
      tf.dispose([yNew, k7]);
      h *= Math.min(1, factor);
    }
  }
  k1.dispose();
  return y;
}

/** sum_i w_i k_i (tensors; zero weights skipped). */
function combine(ks: tf.Tensor2D[], w: readonly number[]): tf.Tensor2D {
  return tf.tidy(() => {
    let sum: tf.Tensor2D | null = null;
    for (let i = 0; i < ks.length; i++) {
      if (!w[i]) continue;
      const term = tf.mul(ks[i]!, w[i]!) as tf.Tensor2D;
      sum = sum === null ? term : (tf.add(sum, term) as tf.Tensor2D);
    }
    return sum ?? tf.zerosLike(ks[0]!);
  });
}

/** RMS over the whole state of e / (atol + rtol max(|y|, |yNew|)). */
function errorNorm(e: tf.Tensor2D, y: tf.Tensor2D, yNew: tf.Tensor2D, { rtol, atol }: Tolerance): number {
  return tf.tidy(() => {
    const scale = tf.add(tf.mul(tf.maximum(tf.abs(y), tf.abs(yNew)), rtol), atol);
    return Math.sqrt(tf.mean(tf.square(tf.div(e, scale))).dataSync()[0]!);
  });
}

/**
 * Hairer's starting step size (Solving ODEs I, II.4), order 5: from the sizes of y, v(y) and v's
 * change over a trial Euler step taken in the direction of travel (+1 or -1).
 */
function initialStep(velocity: Field, y: tf.Tensor2D, f0: tf.Tensor2D, t: number, direction: number, { rtol, atol }: Tolerance): number {
  const scale = tf.tidy(() => tf.add(tf.mul(tf.abs(y), rtol), atol) as tf.Tensor2D);
  const rms = (v: tf.Tensor2D) => tf.tidy(() => Math.sqrt(tf.mean(tf.square(tf.div(v, scale))).dataSync()[0]!));
  const d0 = rms(y);
  const d1 = rms(f0);
  const h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
  const y1 = tf.tidy(() => tf.add(y, tf.mul(f0, direction * h0)) as tf.Tensor2D);
  const f1 = velocity(y1, t + direction * h0);
  const diff = tf.sub(f1, f0) as tf.Tensor2D;
  const d2 = rms(diff) / h0;
  tf.dispose([scale, y1, f1, diff]);
  const h1 = Math.max(d1, d2) <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / Math.max(d1, d2)) ** (1 / 6);
  return Math.min(100 * h0, h1);
}
