import type { DataSource, MixtureInfo, NormalMarginal, Points } from '../../datasets/target.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import { energyDistance } from './energy.js';
import { marginalW1 } from './marginal-w1.js';
import { mmd2 } from './mmd.js';
import { modeCoverage, weightTV } from './modes.js';
import { covError, meanError } from './moments.js';
import { sinkhornDivergence, type SinkhornOptions } from './sinkhorn.js';
import { slicedWasserstein2 } from './sliced-wasserstein.js';

/** What the metrics know of the target: its dimension and what it publishes (its capabilities). */
export interface MetricContext {
  dim: number;
  /** Seed of the random directions of the sliced Wasserstein distance. */
  seed: number;
  /** The target's Gaussian components: adds mode_coverage and weight_tv. */
  mixture?: MixtureInfo;
  /** A coordinate of the target with a known normal law: adds x0_w1. */
  marginal?: NormalMarginal;
  /** Overrides of the Sinkhorn solver (tolerance, iteration cap). */
  sinkhorn?: SinkhornOptions;
}

export interface MetricValues {
  mmd: number;
  sinkhorn: number;
  sliced_wasserstein: number;
  energy: number;
  mean_error: number;
  cov_error: number;
  x0_w1?: number;
  mode_coverage?: number;
  weight_tv?: number;
}

export type MetricName = keyof MetricValues;

/** How an iterative metric's solver ended: heavy-tailed targets (the funnel) converge slowly. */
export interface SolverConvergence {
  iterations: number;
  converged: boolean;
}

export interface MetricResult {
  value: number;
  /** Iterative metrics: how the solver ended. */
  convergence?: SolverConvergence;
}

/** One metric between samples and reference (the target side): a new metric is one entry here. */
export interface MetricEntry {
  readonly name: MetricName;
  /** For the plain-text table. */
  readonly description: string;
  /** Whether it applies to the target the context describes. */
  applies(ctx: MetricContext): boolean;
  compute(samples: Points, reference: Points, ctx: MetricContext): MetricResult;
}

/**
 * Iteration cap per transport problem (ctx.sinkhorn overrides it). Mixtures
 * converge well below it; heavy tails (the funnel) reach it with the value
 * already close to converged, so the cap trades a small bias for minutes of
 * iterations (docs/measurements.md), and the report says when it is hit.
 */
export const SINKHORN_MAX_ITERATIONS = 1000;

const always = () => true;

/** A metric of the samples alone against what the target publishes: it applies when the context carries that capability. */
function withCapability<K extends 'mixture' | 'marginal'>(
  name: MetricName,
  description: string,
  capability: K,
  metric: (samples: Points, dim: number, published: NonNullable<MetricContext[K]>) => number,
): MetricEntry {
  return {
    name,
    description,
    applies: (ctx) => ctx[capability] !== undefined,
    compute: (x, _reference, ctx) => {
      const published = ctx[capability];
      if (published === undefined) throw new RangeError(`${name} needs the target's ${capability}`);
      return { value: metric(x, ctx.dim, published) };
    },
  };
}

/** Every metric of MATH section 7, in the order metrics.json and the table list them. */
export const METRICS: readonly MetricEntry[] = [
  { name: 'mmd', description: 'MMD^2', applies: always, compute: (x, y, ctx) => ({ value: mmd2(x, y, ctx.dim) }) },
  {
    name: 'sinkhorn',
    description: 'Sinkhorn divergence',
    applies: always,
    compute: (x, y, ctx) => {
      const r = sinkhornDivergence(x, y, ctx.dim, { maxIter: SINKHORN_MAX_ITERATIONS, ...ctx.sinkhorn });
      return { value: r.value, convergence: { iterations: r.iterations, converged: r.converged } };
    },
  },
  {
    name: 'sliced_wasserstein',
    description: 'sliced Wasserstein-2',
    applies: always,
    compute: (x, y, ctx) => ({ value: slicedWasserstein2(x, y, ctx.dim, Rng.derive(ctx.seed, RNG_STREAMS.slicedWasserstein)) }),
  },
  { name: 'energy', description: 'energy distance', applies: always, compute: (x, y, ctx) => ({ value: energyDistance(x, y, ctx.dim) }) },
  { name: 'mean_error', description: 'mean error', applies: always, compute: (x, y, ctx) => ({ value: meanError(x, y, ctx.dim) }) },
  { name: 'cov_error', description: 'covariance error', applies: always, compute: (x, y, ctx) => ({ value: covError(x, y, ctx.dim) }) },
  // The name is the funnel's (W1 of its first coordinate v); it reads whichever coordinate the target publishes.
  withCapability('x0_w1', 'W1 of x0 vs N(0, scale^2)', 'marginal', marginalW1),
  withCapability('mode_coverage', 'mode coverage', 'mixture', modeCoverage),
  withCapability('weight_tv', 'weight TV', 'mixture', weightTV),
];

/** The metric context of a data source: its dimension and the capabilities it publishes. */
export function metricContextOf(source: DataSource, seed: number): MetricContext {
  return {
    dim: source.dim,
    seed,
    ...(source.mixture ? { mixture: source.mixture } : {}),
    ...(source.marginal ? { marginal: source.marginal } : {}),
  };
}
