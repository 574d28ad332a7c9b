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

/** How a metric is declared: one entry of the list below. */
interface MetricDefinition<N extends string = string> {
  /** Its key in metrics.json, results.csv and the tables. */
  readonly name: N;
  /** For the plain-text table. */
  readonly description: string;
  /** For figure titles and axes. */
  readonly label: string;
  /** Plotted on a linear axis (a share or a distance between weights); the others on a symlog axis. */
  readonly linear?: boolean;
  /** What the target must publish for it to apply; absent: it applies to every target. */
  readonly needs?: 'mixture' | 'marginal';
  compute(samples: Points, reference: Points, ctx: MetricContext): MetricResult;
}

/**
 * Iteration cap per transport problem (ctx.sinkhorn overrides it). Mixtures
 * converge well below it; heavy tails (the funnel) reach it with the value
 * already close to converged, so the cap trades a small bias for minutes of
 * iterations (docs/measurements.md), and the report says when it is hit.
 */
export const SINKHORN_MAX_ITERATIONS = 1000;

/** A metric of the samples alone against what the target publishes: it applies when the context carries that capability. */
function withCapability<const N extends string, K extends 'mixture' | 'marginal'>(
  entry: { name: N; description: string; label: string; linear?: boolean },
  capability: K,
  metric: (samples: Points, dim: number, published: NonNullable<MetricContext[K]>) => number,
): MetricDefinition<N> & { needs: K } {
  return {
    ...entry,
    needs: capability,
    compute: (x, _reference, ctx) => {
      const published = ctx[capability];
      if (published === undefined) throw new RangeError(`${entry.name} needs the target's ${capability}`);
      return { value: metric(x, ctx.dim, published) };
    },
  };
}

/** Every metric of docs/math.md section 7, in the order metrics.json, the tables and results.csv list them: a new metric is one entry here. */
const DEFINITIONS = [
  { name: 'mmd', description: 'MMD^2', label: 'MMD^2', compute: (x, y, ctx) => ({ value: mmd2(x, y, ctx.dim) }) },
  {
    name: 'sinkhorn',
    description: 'Sinkhorn divergence',
    label: 'Sinkhorn divergence',
    compute: (x, y, ctx) => {
      const r = sinkhornDivergence(x, y, ctx.dim, { maxIter: SINKHORN_MAX_ITERATIONS, ...ctx.sinkhorn });
      return { value: r.value, convergence: { iterations: r.iterations, converged: r.converged } };
    },
  },
  {
    name: 'sliced_wasserstein',
    description: 'sliced Wasserstein-2',
    label: 'sliced W2',
    compute: (x, y, ctx) => ({ value: slicedWasserstein2(x, y, ctx.dim, Rng.derive(ctx.seed, RNG_STREAMS.slicedWasserstein)) }),
  },
  { name: 'energy', description: 'energy distance', label: 'energy distance', compute: (x, y, ctx) => ({ value: energyDistance(x, y, ctx.dim) }) },
  { name: 'mean_error', description: 'mean error', label: 'mean error', compute: (x, y, ctx) => ({ value: meanError(x, y, ctx.dim) }) },
  { name: 'cov_error', description: 'covariance error', label: 'covariance error', compute: (x, y, ctx) => ({ value: covError(x, y, ctx.dim) }) },
  // The name is the funnel's (W1 of its first coordinate v); it reads whichever coordinate the target publishes.
  withCapability({ name: 'x0_w1', description: 'W1 of x0 vs N(0, scale^2)', label: 'W1 of x0' }, 'marginal', marginalW1),
  withCapability({ name: 'mode_coverage', description: 'mode coverage', label: 'mode coverage', linear: true }, 'mixture', modeCoverage),
  withCapability({ name: 'weight_tv', description: 'weight TV', label: 'weight TV', linear: true }, 'mixture', weightTV),
] as const satisfies readonly MetricDefinition[];

type AnyMetric = (typeof DEFINITIONS)[number];
export type MetricName = AnyMetric['name'];
/** The metrics that apply to every target (no capability needed). */
type UniversalMetric = Exclude<AnyMetric, { needs: string }>['name'];

/** One evaluation's values: the universal metrics always, the others where the target has what they need. */
export type MetricValues = { [K in UniversalMetric]: number } & { [K in Exclude<MetricName, UniversalMetric>]?: number };

/** One metric between samples and reference (the target side). */
export interface MetricEntry extends MetricDefinition<MetricName> {
  /** Whether it applies to the target the context describes (it has what the metric needs). */
  applies(ctx: MetricContext): boolean;
}

export const METRICS: readonly MetricEntry[] = DEFINITIONS.map((d: MetricDefinition<MetricName>) => ({
  ...d,
  applies: (ctx: MetricContext) => d.needs === undefined || ctx[d.needs] !== undefined,
}));

export const METRIC_NAMES: readonly MetricName[] = METRICS.map((m) => m.name);

/** The metric context of a data source: its dimension and the capabilities it publishes. */
export function metricContextOf(source: DataSource, seed: number): MetricContext {
  return {
    dim: source.dim,
    seed,
    ...(source.mixture ? { mixture: source.mixture } : {}),
    ...(source.marginal ? { marginal: source.marginal } : {}),
  };
}
