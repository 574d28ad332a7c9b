import type * as tf from '@tensorflow/tfjs-core';
import type { GaussianPath } from '../process/index.js';
import type { ScoreFunction } from './score-function.js';

/** One step of the driver's grid, from level t down to tNext. */
export interface GridStep {
  t: number;
  tNext: number;
  /** The step length t - tNext as the grid computes it ((tau_max - tau_min) / steps on the uniform grid). */
  h: number;
}

/**
 * Standard normals shaped like the batch ([rows, dim]), drawn from the batch's
 * noise stream. Every solver and corrector draws through it, in the order it
 * calls it; the caller disposes each tensor.
 */
export type NoiseSource = () => tf.Tensor2D;

/**
 * A reverse-time predictor: one step of the reverse SDE (or of an ODE, which
 * simply draws no noise) from level t to tNext given the score. Returns a new
 * tensor and leaves `x` to the caller. A new solver is one file exporting one
 * of these, plus its line in the registry (solvers.ts).
 */
export interface ReverseSolver {
  /** The name settings, bundles (sampler.method) and metrics.json record. */
  readonly name: string;
  /** Its update rule in words, for the bundle's sampler.update (one clause ending in '; '). */
  readonly update: string;
  step(x: tf.Tensor2D, grid: GridStep, score: ScoreFunction, path: GaussianPath, noise: NoiseSource): tf.Tensor2D;
}

/** Runs at the level a predictor step reached (predictor-corrector sampling). Returns a new tensor and leaves `x` to the caller. */
export interface Corrector {
  correct(x: tf.Tensor2D, tau: number, score: ScoreFunction, path: GaussianPath, noise: NoiseSource): tf.Tensor2D;
}
