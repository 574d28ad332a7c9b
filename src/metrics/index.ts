import type { Points } from '../../datasets/target.js';
import { METRICS, type MetricContext, type MetricName, type MetricValues, type SolverConvergence } from './registry.js';

export {
  METRICS,
  metricContextOf,
  SINKHORN_MAX_ITERATIONS,
  type MetricContext,
  type MetricEntry,
  type MetricName,
  type MetricResult,
  type MetricValues,
  type SolverConvergence,
} from './registry.js';

/** How the Sinkhorn iterations ended: heavy-tailed targets (the funnel) converge slowly. */
export type SinkhornConvergence = SolverConvergence;

export interface MetricReport {
  values: MetricValues;
  sinkhorn: SinkhornConvergence;
}

/** Every metric of the registry that applies to the target, between samples and reference (the target side). */
export function computeMetrics(samples: Points, reference: Points, ctx: MetricContext): MetricReport {
  const values: Partial<Record<MetricName, number>> = {};
  let sinkhorn: SinkhornConvergence = { iterations: 0, converged: true };
  for (const metric of METRICS) {
    if (!metric.applies(ctx)) continue;
    const result = metric.compute(samples, reference, ctx);
    values[metric.name] = result.value;
    // metrics.json reports the Sinkhorn solver's end beside the values.
    if (metric.name === 'sinkhorn' && result.convergence) sinkhorn = result.convergence;
  }
  // The six distances apply to every target, so every required key is set.
  return { values: values as MetricValues, sinkhorn };
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
