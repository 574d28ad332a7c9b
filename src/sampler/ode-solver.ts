import type * as tf from '@tensorflow/tfjs-core';
import type { GaussianPath } from '../process/index.js';
import type { GridName } from './noise-grid.js';
import type { Velocity } from './probability-flow.js';
import type { ScoreFunction } from './score-function.js';

/** rk45's error control: a step is accepted when the RMS of err / (atol + rtol max(|x|, |x_new|)) is at most 1. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** What an ODE solver is given for one batch. */
export interface OdeContext {
  path: GaussianPath;
  /** s(x, tau) (counted, and clipped where the settings clip). */
  score: ScoreFunction;
  /** The probability-flow drift built on that score. */
  velocity: Velocity;
  /** The grid's levels from tau_max down to tau_min (adaptive solvers use only the ends). */
  levels: readonly number[];
  tolerance: Tolerance;
  /** Reports that the solution x reached level tau (progress and frames; also yields to the event loop). x stays the solver's. */
  reached(tau: number, x: tf.Tensor2D): Promise<void>;
}

/**
 * A probability-flow ODE solver: integrates a batch from tau_max down to
 * tau_min, deterministically (it draws no noise). Returns a new tensor and
 * leaves `x` to the caller. A new one is one file exporting this and its line
 * in the registry (solvers.ts).
 */
export interface OdeSolver {
  readonly name: string;
  readonly family: 'ode';
  /** Its update rule in words, for the bundle's sampler.update (ending in '; '). */
  readonly update: string;
  /** Network evaluations per grid step (--nfe gives steps), or null for an adaptive solver. */
  readonly evaluationsPerStep: number | null;
  /** The grid it uses unless asked for another. */
  readonly defaultGrid: GridName;
  /** Null, or why it cannot integrate this process (a one-line reason). */
  refusal(path: GaussianPath): string | null;
  integrate(x: tf.Tensor2D, context: OdeContext): Promise<tf.Tensor2D>;
}
