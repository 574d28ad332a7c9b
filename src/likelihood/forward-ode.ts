import * as tf from '@tensorflow/tfjs-core';
import { integrateAdaptive } from '../sampler/dormand-prince.js';
import type { Tolerance } from '../sampler/ode-solver.js';
import type { Velocity } from '../sampler/probability-flow.js';

/**
 * The likelihood's integrators: the same rules as the sampler's ODE solvers
 * (euler, heun, and rk45 through the sampler's own adaptive core,
 * dormand-prince.ts), run the other way, from tau_min up to tau_max, in tau.
 * They live here because the sampler's solvers are written for its direction
 * (tau_max down to tau_min, rk45 stepping in log(b / a) of the process), which
 * the augmented state [x, divergence columns] of a likelihood cannot borrow.
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
  if (solver !== 'rk45') return fixedSteps(solver, y, context);
  // Adaptive Dormand-Prince 5(4) in tau, upwards, one error norm over the whole state (the divergence columns included).
  const { velocity, levels, tolerance, reached } = context;
  return integrateAdaptive(velocity, y, levels[0]!, levels[levels.length - 1]!, tolerance, { onAccept: reached });
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
