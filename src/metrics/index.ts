import type { MixtureInfo, Points } from '../../datasets/target.js';
import { Rng } from '../rng.js';
import { energyDistance } from './energy.js';
import { firstCoordinateW1 } from './funnel.js';
import { mmd2 } from './mmd.js';
import { modeCoverage, weightTV } from './modes.js';
import { covError, meanError } from './moments.js';
import { sinkhornDivergence } from './sinkhorn.js';
import { slicedWasserstein2 } from './sliced-wasserstein.js';

export interface MetricContext {
  dim: number;
  /** Seed of the random directions of the sliced Wasserstein distance. */
  seed: number;
  mixture?: MixtureInfo;
  funnelScale?: number;
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

/** Key of the random directions of the sliced Wasserstein distance. */
const SLICED_STREAM = 5;

/**
 * Iteration cap per transport problem. Mixtures converge in tens of
 * iterations; on the funnel the divergence is still moving by about 1% at the
 * cap, which the report flags rather than spending minutes per evaluation.
 */
export const SINKHORN_MAX_ITERATIONS = 300;

/** Every metric of MATH section 7 that applies, between samples and reference (the target side). */
export function computeMetrics(samples: Points, reference: Points, ctx: MetricContext): MetricReport {
  const d = ctx.dim;
  const sinkhorn = sinkhornDivergence(samples, reference, d, { maxIter: SINKHORN_MAX_ITERATIONS });
  const values: MetricValues = {
    mmd: mmd2(samples, reference, d),
    sinkhorn: sinkhorn.value,
    sliced_wasserstein: slicedWasserstein2(samples, reference, d, Rng.derive(ctx.seed, SLICED_STREAM)),
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
