import type { PathCoefficients } from '../../datasets/target.js';
import type { Rng } from '../rng.js';
import type { ProcessName } from './registry.js';

/**
 * A noising process whose marginals are Gaussian paths
 *   x_tau = a(tau) x0 + b(tau) eps,
 * with the forward SDE dx = f(tau) x dtau + g(tau) dW (docs/math.md section 1).
 * Everything downstream (loss, samplers, metrics) talks only to this interface.
 */
export interface GaussianPath<N extends string = ProcessName> {
  readonly name: N;
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
  /** log density of the prior at each row of x (dimension d); null where the prior is a point. */
  readonly priorLogDensity: ((x: Float64Array, d: number) => Float64Array) | null;
}

export type { ProcessName } from './registry.js';
export { PROCESS_NAMES } from './registry.js';
