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

/** One coordinate whose law is known in closed form: x[coordinate] ~ N(mean, std^2). */
export interface NormalMarginal {
  coordinate: number;
  mean: number;
  std: number;
}

/**
 * Training data: what the trainer, the sampler and the distance metrics need.
 * Data known only by samples (MNIST) is a DataSource; a Target adds the exact
 * noised quantities.
 */
export interface DataSource {
  readonly name: string;
  readonly dim: number;
  /** Every parameter (every mean of a mixture), JSON-serialisable, enough to rebuild the source. */
  readonly params: Record<string, unknown>;
  /** What each parameter means. */
  readonly parameterDescriptions: ParameterDescription[];
  /** Root-mean-square per-coordinate standard deviation of the data: used to scale network inputs. */
  readonly dataStd: number;
  /** Present when every coordinate of every data point lies in [lo, hi] (images). */
  readonly dataRange?: DataRange;
  /** Present for Gaussian mixtures: their components (the mode metrics count them). */
  readonly mixture?: MixtureInfo;
  /** Present when one coordinate has a known normal law (a 1-D metric compares against it exactly). */
  readonly marginal?: NormalMarginal;
  /** The two coordinates a scatter plot shows (x, y), when not the first two. */
  readonly plotAxes?: readonly [number, number];
  sample(n: number, rng: Rng): Points;
}

/** A box that holds the data: every coordinate in [lo, hi]. */
export interface DataRange {
  lo: number;
  hi: number;
}

/** Images flattened row-major (NHWC): dim = height * width * channels. */
export interface ImageSource extends DataSource {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * A data distribution with exact noised quantities under any Gaussian path.
 * All methods are pure and deterministic given their inputs.
 */
export interface Target extends DataSource {
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

/** True for sources with exact scores (oracle sampling, diagnostics, score errors need them). */
export function hasExactScore(source: DataSource): source is Target {
  return typeof (source as Partial<Target>).noisedScore === 'function';
}

export function isImageSource(source: DataSource): source is ImageSource {
  const s = source as Partial<ImageSource>;
  return typeof s.height === 'number' && typeof s.width === 'number' && typeof s.channels === 'number';
}
