import { CELL_FORMAT, CELL_FORMAT_VERSION, type CellRecord } from '../src/experiment/cell-record.js';
import { cellId, type CellSpec, type GridAxes, type Recipe } from '../src/experiment/grid.js';

/** A small recipe for tests that never train (the sweep's bookkeeping only). */
export const TEST_RECIPE: Recipe = {
  depth: 2,
  steps: 10,
  batchSize: 16,
  lr: 1e-3,
  components: 3,
  targetSeed: 0,
  evalSamples: 20,
  evalSteps: { vp: 5, pbm: 6 },
  pbmTauMin: 1e-4,
  pbmTauMax: 0.9999,
  scoreTaus: null,
  scoreTauCount: 3,
  scorePoints: 10,
};

export const TEST_AXES: GridAxes = { targets: ['funnel', 'gmm'], dims: [2, 3], processes: ['vp', 'pbm'], widths: [8], seeds: [0] };

/** A finished cell's record with made-up numbers: `value` sets every metric. */
export function syntheticRecord(spec: CellSpec, value = 1): CellRecord {
  const metrics = { mmd: value, sinkhorn: 2 * value, sliced_wasserstein: 3 * value, energy: value, mean_error: value, cov_error: value };
  const extra: Record<string, number> = spec.key.target === 'funnel' ? { x0_w1: value } : { mode_coverage: 1, weight_tv: value / 10 };
  const evaluation = { metrics: { ...metrics, ...extra }, floor: { ...metrics, ...extra }, sinkhornConverged: true, samplingSeconds: 1, metricSeconds: 1, dir: 'samples/x' };
  const phases = { train: 1, model: 1, oracle: 1, scoreError: 1, total: 4 };
  return {
    format: CELL_FORMAT,
    formatVersion: CELL_FORMAT_VERSION,
    id: cellId(spec.key),
    spec,
    train: { steps: spec.recipe.steps, parameters: 100, stepsPerSecond: 10, finalLoss: 0.5 },
    model: evaluation,
    oracle: { ...evaluation, reused: false },
    scoreError: { average: value, averaging: 'trapezoid', n: 10, taus: [0.1, 0.5, 0.9], errors: [value, value, value], stdErrors: [0, 0, 0] },
    seconds: { wall: phases, cpu: phases },
    backend: 'cpu',
    threads: 1,
    completedAt: '2026-01-01T00:00:00.000Z',
  };
}
