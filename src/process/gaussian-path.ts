import type { PathCoefficients } from '../../datasets/target.js';
import type { Rng } from '../rng.js';

/**
 * A noising process whose marginals are Gaussian paths
 *   x_tau = a(tau) x0 + b(tau) eps,
 * with the forward SDE dx = f(tau) x dtau + g(tau) dW (MATH section 1).
 * Everything downstream (loss, samplers, metrics) talks only to this interface.
 */
export interface GaussianPath {
  readonly name: ProcessName;
  /** Every parameter of the process, for the run's config. */
  readonly params: Record<string, number>;
  /** Default range of noise levels for training and sampling. */
  readonly tauMin: number;
  readonly tauMax: number;
  coefficients(tau: number): PathCoefficients;
  /** Drift coefficient f(tau) = a'/a. */
  drift(tau: number): number;
  /** Squared diffusion g(tau)^2 = (b^2)' - 2 (a'/a) b^2. */
  diffusionSquared(tau: number): number;
  /** Draw n points of the prior in dimension d (row-major). */
  samplePrior(n: number, d: number, rng: Rng): Float64Array;
  readonly priorDescription: string;
}

export const PROCESS_NAMES = ['vp', 'pbm'] as const;
export type ProcessName = (typeof PROCESS_NAMES)[number];
