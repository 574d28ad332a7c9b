import * as tf from '@tensorflow/tfjs-core';
import type { Tolerance } from '../sampler/ode-solver.js';
import type { Velocity } from '../sampler/probability-flow.js';
import { DORMAND_PRINCE } from '../sampler/rk45.js';

/**
 * The likelihood's integrators: the same rules as the sampler's ODE solvers
 * (euler, heun, rk45 with the same Dormand-Prince tableau and step control),
 * run the other way, from tau_min up to tau_max. They live here because the
 * sampler's solvers are written for its direction (tau_max down to tau_min,
 * rk45 stepping in log(b / a) of the process), which the augmented state
 * [x, divergence columns] of a likelihood cannot borrow.
 */
export interface ForwardOdeContext {
  /** dy/dtau of the whole state. */
  velocity: Velocity;
  /** tau_min = levels[0] < ... < levels[steps] = tau_max (rk45 uses only the ends). */
  levels: readonly number[];
  tolerance: Tolerance;
  /** Reports that the solution reached level tau (progress; also yields to the event loop). */
  reached(tau: number): Promise<void>;
}

/**
 * The rules a likelihood can integrate with, named as the sampler's solvers (dpm-solver++ steps
 * through data predictions, not the velocity whose divergence is needed).
 */
export const LIKELIHOOD_SOLVERS = ['rk45', 'heun', 'euler'] as const;
export type LikelihoodSolverName = (typeof LIKELIHOOD_SOLVERS)[number];

/** Velocity evaluations per step of the fixed-step rules; null for the adaptive one. */
export const EVALUATIONS_PER_STEP: Record<LikelihoodSolverName, number | null> = { euler: 1, heun: 2, rk45: null };

/** Integrates y from levels[0] to the last level with the named rule; returns a new tensor and leaves y to the caller. */
export function integrateForward(solver: LikelihoodSolverName, y: tf.Tensor2D, context: ForwardOdeContext): Promise<tf.Tensor2D> {
  return solver === 'rk45' ? dormandPrince(y, context) : fixedSteps(solver, y, context);
}

async function fixedSteps(solver: 'euler' | 'heun', y0: tf.Tensor2D, { velocity, levels, reached }: ForwardOdeContext): Promise<tf.Tensor2D> {
  let y = tf.clone(y0);
  for (let k = 0; k + 1 < levels.length; k++) {
    const t = levels[k]!;
    const tNext = levels[k + 1]!;
    const dt = tNext - t;
    const v0 = velocity(y, t);
    let next: tf.Tensor2D;
    if (solver === 'euler') {
      next = tf.tidy(() => tf.add(y, tf.mul(v0, dt)) as tf.Tensor2D);
    } else {
      // Heun (EDM's step): Euler, then the trapezoid of the slopes at both ends.
      const euler = tf.tidy(() => tf.add(y, tf.mul(v0, dt)) as tf.Tensor2D);
      const v1 = velocity(euler, tNext);
      next = tf.tidy(() => tf.add(y, tf.mul(tf.add(v0, v1), 0.5 * dt)) as tf.Tensor2D);
      tf.dispose([euler, v1]);
    }
    tf.dispose([v0, y]);
    y = next;
    await reached(tNext);
  }
  return y;
}

const { C, A, B5, E, SAFETY, MIN_FACTOR, MAX_FACTOR, MAX_STEPS } = DORMAND_PRINCE;

/** sum_i w_i k_i (zero weights skipped). */
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

/** RMS over the state of v / scale, scale = atol + rtol max(|y|, |yNew|). */
function rms(v: tf.Tensor2D, y: tf.Tensor2D, yNew: tf.Tensor2D, { rtol, atol }: Tolerance): number {
  return tf.tidy(() => {
    const scale = tf.add(tf.mul(tf.maximum(tf.abs(y), tf.abs(yNew)), rtol), atol);
    return Math.sqrt(tf.mean(tf.square(tf.div(v, scale))).dataSync()[0]!);
  });
}

/**
 * Adaptive Dormand-Prince 5(4) in tau, upwards: one error norm over the whole
 * state (the divergence columns included), the first step by Hairer's rule,
 * a step whose norm exceeds 1 redone shorter, first same as last.
 */
async function dormandPrince(y0: tf.Tensor2D, { velocity, levels, tolerance, reached }: ForwardOdeContext): Promise<tf.Tensor2D> {
  const tEnd = levels[levels.length - 1]!;
  let t = levels[0]!;
  const span = tEnd - t;
  let y = tf.clone(y0);
  let k1 = velocity(y, t);
  let h = Math.min(span, initialStep(velocity, y, k1, t, tolerance));
  for (let tries = 0; t < tEnd; tries++) {
    if (tries >= MAX_STEPS) throw new RangeError(`rk45: no solution within ${MAX_STEPS} steps at tau ${t} (rtol ${tolerance.rtol}, atol ${tolerance.atol})`);
    if (t + h > tEnd || tEnd - (t + h) < 1e-12 * span) h = tEnd - t;
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
    const norm = rms(err, y, yNew, tolerance);
    err.dispose();
    const factor = norm === 0 ? MAX_FACTOR : Math.min(MAX_FACTOR, Math.max(MIN_FACTOR, SAFETY * norm ** -0.2));
    tf.dispose(ks.slice(1, 6));
    if (norm <= 1) {
      tf.dispose([y, k1]);
      y = yNew;
      k1 = k7;
      t = tNew;
      h *= factor;
      await reached(t);
    } else {
      tf.dispose([yNew, k7]);
      h *= Math.min(1, factor);
    }
  }
  k1.dispose();
  return y;
}

/** Hairer's starting step (Solving ODEs I, II.4), order 5: from the sizes of y, v(y) and v's change over a trial Euler step. */
function initialStep(velocity: Velocity, y: tf.Tensor2D, f0: tf.Tensor2D, t: number, { rtol, atol }: Tolerance): number {
  const scale = tf.tidy(() => tf.add(tf.mul(tf.abs(y), rtol), atol) as tf.Tensor2D);
  const norm = (v: tf.Tensor2D) => tf.tidy(() => Math.sqrt(tf.mean(tf.square(tf.div(v, scale))).dataSync()[0]!));
  const d0 = norm(y);
  const d1 = norm(f0);
  const h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
  const y1 = tf.tidy(() => tf.add(y, tf.mul(f0, h0)) as tf.Tensor2D);
  const f1 = velocity(y1, t + h0);
  const diff = tf.sub(f1, f0) as tf.Tensor2D;
  const d2 = norm(diff) / h0;
  tf.dispose([scale, y1, f1, diff]);
  const h1 = Math.max(d1, d2) <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / Math.max(d1, d2)) ** (1 / 6);
  return Math.min(100 * h0, h1);
}
