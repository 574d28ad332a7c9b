import type { Rng } from '../src/rng.js';

/**
 * Coefficients of a Gaussian path at one noise level: x_tau = a * x0 + b * eps.
 * Targets only need these two numbers to give exact noised quantities.
 */
export interface PathCoefficients {
  a: number;
  b: number;
}

/**
 * Points are stored row-major in Float64Array: n points of dimension d take
 * n * d entries, point i at [i * d, (i + 1) * d).
 */
export type Points = Float64Array;

/** One parameter of a target, for help text and the run's config. */
export interface ParameterDescription {
  name: string;
  description: string;
}

/** A component-structured target: lets metrics count modes. */
export interface MixtureInfo {
  weights: number[];
  means: number[][];
  stds: number[];
}

/**
 * A data distribution with exact noised quantities under any Gaussian path.
 * All methods are pure and deterministic given their inputs.
 */
export interface Target {
  readonly name: string;
  readonly dim: number;
  /** Every parameter (every mean of a mixture), JSON-serialisable, enough to rebuild the target. */
  readonly params: Record<string, unknown>;
  /** What each parameter means. */
  readonly parameterDescriptions: ParameterDescription[];
  /** Root-mean-square per-coordinate standard deviation of the data: used to scale network inputs. */
  readonly dataStd: number;
  /** Present for Gaussian mixtures. */
  readonly mixture?: MixtureInfo;
  /** Present for Neal's funnel: standard deviation of the first coordinate. */
  readonly funnelScale?: number;

  sample(n: number, rng: Rng): Points;
  /** log pi(x0) at the data (tau = 0). */
  logDensity(x: Points): Float64Array;
  /** log p_tau(x) of the noised marginal x = a x0 + b eps. */
  noisedLogDensity(x: Points, path: PathCoefficients): Float64Array;
  /** grad_x log p_tau(x). */
  noisedScore(x: Points, path: PathCoefficients): Points;
  /** E[x0 | x_tau = x]. */
  posteriorMean(x: Points, path: PathCoefficients): Points;
  /** Cov[x0 | x_tau = x], n blocks of d * d, row-major. */
  posteriorCovariance(x: Points, path: PathCoefficients): Float64Array;
}
