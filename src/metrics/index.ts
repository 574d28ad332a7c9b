import type { MixtureInfo, Points } from '../../datasets/target.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import { energyDistance } from './energy.js';
import { firstCoordinateW1 } from './funnel.js';
import { mmd2 } from './mmd.js';
import { modeCoverage, weightTV } from './modes.js';
import { covError, meanError } from './moments.js';
import { sinkhornDivergence, type SinkhornOptions } from './sinkhorn.js';
import { slicedWasserstein2 } from './sliced-wasserstein.js';

export interface MetricContext {
  dim: number;
  /** Seed of the random directions of the sliced Wasserstein distance. */
  seed: number;
  mixture?: MixtureInfo;
  /** Standard deviation of the funnel's first coordinate: adds x0_w1. */
  funnelScale?: number;
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

/** How the Sinkhorn iterations ended: heavy-tailed targets (the funnel) converge slowly. */
export interface SinkhornConvergence {
  iterations: number;
  converged: boolean;
}

export interface MetricReport {
  values: MetricValues;
  sinkhorn: SinkhornConvergence;
}

/**
 * Iteration cap per transport problem (ctx.sinkhorn overrides it). grid9 at
 * 2000 points converges to 1e-6 in 100-140 iterations (2.5-3 s). The 10-D
 * funnel's tails converge slowly; at 2000 points (seed 1 vs 2) the divergence
 * after 300 / 500 / 1000 / 3000 iterations was 712.7 / 754.5 / 755.5 / 755.7
 * (marginal error 4e-3 / 6e-4 / 9e-5 / 1e-5; 7.5 / 9 / 16 / 45 s). The cap of 1000
 * leaves it within 0.03% at a quarter of the cost of 3000; the report says when it is hit.
 */
export const SINKHORN_MAX_ITERATIONS = 1000;

/** Every metric of MATH section 7 that applies, between samples and reference (the target side). */
export function computeMetrics(samples: Points, reference: Points, ctx: MetricContext): MetricReport {
  const d = ctx.dim;
  const sinkhorn = sinkhornDivergence(samples, reference, d, { maxIter: SINKHORN_MAX_ITERATIONS, ...ctx.sinkhorn });
  const values: MetricValues = {
    mmd: mmd2(samples, reference, d),
    sinkhorn: sinkhorn.value,
    sliced_wasserstein: slicedWasserstein2(samples, reference, d, Rng.derive(ctx.seed, RNG_STREAMS.slicedWasserstein)),
    energy: energyDistance(samples, reference, d),
    mean_error: meanError(samples, reference, d),
    cov_error: covError(samples, reference, d),
  };
  if (ctx.funnelScale !== undefined) values.x0_w1 = firstCoordinateW1(samples, d, ctx.funnelScale);
  if (ctx.mixture) {
    values.mode_coverage = modeCoverage(samples, d, ctx.mixture);
    values.weight_tv = weightTV(samples, d, ctx.mixture);
  }
  return { values, sinkhorn: { iterations: sinkhorn.iterations, converged: sinkhorn.converged } };
}

/**
 * Metrics of the samples beside their floor: the same metrics between two
 * independent target samples of the same size.
 */
export function computeMetricsWithFloor(
  samples: Points,
  reference: Points,
  reference2: Points,
  ctx: MetricContext,
): { metrics: MetricValues; floor: MetricValues; sinkhorn: { samples: SinkhornConvergence; floor: SinkhornConvergence } } {
  const model = computeMetrics(samples, reference, ctx);
  const floor = computeMetrics(reference2, reference, ctx);
  return { metrics: model.values, floor: floor.values, sinkhorn: { samples: model.sinkhorn, floor: floor.sinkhorn } };
}
