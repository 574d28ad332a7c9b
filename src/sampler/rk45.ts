import * as tf from '@tensorflow/tfjs-core';
import { bisectTau } from '../process/bisect-tau.js';
import type { GaussianPath } from '../process/index.js';
import { logNoiseToSignal } from './noise-grid.js';
import type { OdeSolver, Tolerance } from './ode-solver.js';
import type { Velocity } from './probability-flow.js';

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
const MIN_FACTOR = 0.2;
const MAX_FACTOR = 10;
/** Beyond this many steps (accepted or not) the integration is abandoned: the tolerance is out of float32's reach. */
const MAX_STEPS = 100_000;

/** sum_i w_i k_i (tensors; zero weights skipped). */
function combine(ks: tf.Tensor2D[], w: readonly number[]): tf.Tensor2D {
  let sum: tf.Tensor2D | null = null;
  for (let i = 0; i < ks.length; i++) {
    if (w[i] === 0 || w[i] === undefined) continue;
    const term = tf.mul(ks[i]!, w[i]!) as tf.Tensor2D;
    sum = sum === null ? term : (tf.add(sum, term) as tf.Tensor2D);
  }
  return sum ?? tf.zerosLike(ks[0]!);
}

/** RMS over the batch of e / (atol + rtol max(|y|, |yNew|)). */
function errorNorm(e: tf.Tensor2D, y: tf.Tensor2D, yNew: tf.Tensor2D, { rtol, atol }: Tolerance): number {
  return tf.tidy(() => {
    const scale = tf.add(tf.mul(tf.maximum(tf.abs(y), tf.abs(yNew)), rtol), atol);
    return Math.sqrt(tf.mean(tf.square(tf.div(e, scale))).dataSync()[0]!);
  });
}

/**
 * The probability-flow ODE in the time u = log(b / a) = -lambda instead of tau:
 * dx/du = (dx/dtau) (dtau/du), dtau/du = 2 b^2 / g^2 (since dlambda/dtau =
 * -g^2 / (2 b^2) for every Gaussian path), tau(u) by bisection. Why: near PBM's
 * pinned end dx/dtau grows like 1 / (1 - tau) while dx/du stays of the order
 * of x, and stepping in tau there let the error estimate pass a first step
 * that already missed by 3e-5, leaving the error at 3e-4 for every tolerance
 * below 1e-4 (docs/solvers.md). In u the error follows the tolerance on VP,
 * sub-VP and PBM alike.
 */
function inLogNoiseToSignal(path: GaussianPath, velocity: Velocity, tauMin: number, tauMax: number): Velocity {
  return (x, u) => {
    const tau = bisectTau((t) => logNoiseToSignal(path, t), u, tauMin, tauMax);
    const { b } = path.coefficients(tau);
    const dTauDu = (2 * b * b) / path.diffusionSquared(tau);
    return tf.tidy(() => tf.mul(velocity(x, tau), dTauDu) as tf.Tensor2D);
  };
}

/**
 * Adaptive Dormand-Prince 5(4) on the probability-flow ODE, from tau_max down
 * to tau_min, stepping in u = log(b / a) (inLogNoiseToSignal), with one error
 * norm for the whole batch (as torchdiffeq and score_sde's scipy call do). The
 * first step is chosen by Hairer's rule (one extra evaluation); a step whose
 * error norm exceeds 1 is redone shorter. Six evaluations per step tried
 * (first same as last), plus one at the start.
 */
export const rk45: OdeSolver = {
  name: 'rk45',
  family: 'ode',
  update:
    'probability-flow ODE v(x, t) = f(t) x - g(t)^2 s(x, t) / 2, written in u = log(b/a) as dx/du = v(x, t(u)) 2 b^2 / g^2, ' +
    'adaptive Dormand-Prince 5(4) in u from u(tau_max) to u(tau_min), ' +
    'accepting a step when the RMS over the batch of err / (atol + rtol max(|x|, |x_new|)) is at most 1, ' +
    `step factor 0.9 norm^(-1/5) within [${MIN_FACTOR}, ${MAX_FACTOR}], first step by Hairer's rule; `,
  evaluationsPerStep: null,
  defaultGrid: 'uniform',
  refusal: () => null,
  async integrate(x, { path, velocity: inTau, levels, tolerance, reached }) {
    const tauMax = levels[0]!;
    const tauMin = levels[levels.length - 1]!;
    const velocity = inLogNoiseToSignal(path, inTau, tauMin, tauMax);
    // t is u = log(b / a) from here on; it decreases with tau.
    const tStart = logNoiseToSignal(path, tauMax);
    const tEnd = logNoiseToSignal(path, tauMin);
    const tauAt = (u: number) => (u === tEnd ? tauMin : bisectTau((t) => logNoiseToSignal(path, t), u, tauMin, tauMax));
    const span = tStart - tEnd;
    let t = tStart;
    let y = tf.clone(x);
    let k1 = velocity(y, t);
    let h = -Math.min(span, initialStep(velocity, y, k1, t, 5, tolerance));
    for (let tries = 0; t > tEnd; tries++) {
      if (tries >= MAX_STEPS) throw new RangeError(`rk45: no solution within ${MAX_STEPS} steps at tau ${tauAt(t)} (rtol ${tolerance.rtol}, atol ${tolerance.atol})`);
      if (t + h < tEnd || t + h - tEnd < 1e-12 * span) h = tEnd - t;
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
        y.dispose();
        k1.dispose();
        y = yNew;
        k1 = k7;
        t = tNew;
        h *= factor;
        await reached(tauAt(t), y);
      } else {
        tf.dispose([yNew, k7]);
        h *= Math.min(1, factor);
      }
    }
    k1.dispose();
    return y;
  },
};

/** Hairer's starting step (Solving ODEs I, II.4): from the sizes of y, v(y) and v's change over a trial Euler step. */
function initialStep(
  velocity: (x: tf.Tensor2D, t: number) => tf.Tensor2D,
  y: tf.Tensor2D,
  f0: tf.Tensor2D,
  t: number,
  order: number,
  { rtol, atol }: Tolerance,
): number {
  const rms = (v: tf.Tensor2D, scale: tf.Tensor2D) => tf.tidy(() => Math.sqrt(tf.mean(tf.square(tf.div(v, scale))).dataSync()[0]!));
  const scale = tf.tidy(() => tf.add(tf.mul(tf.abs(y), rtol), atol) as tf.Tensor2D);
  const d0 = rms(y, scale);
  const d1 = rms(f0, scale);
  const h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
  const y1 = tf.tidy(() => tf.sub(y, tf.mul(f0, h0)) as tf.Tensor2D);
  const f1 = velocity(y1, t - h0);
  const diff = tf.sub(f1, f0) as tf.Tensor2D;
  const d2 = rms(diff, scale) / h0;
  tf.dispose([scale, y1, f1, diff]);
  const h1 = Math.max(d1, d2) <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / Math.max(d1, d2)) ** (1 / (order + 1));
  return Math.min(100 * h0, h1);
}
