import { describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import { computeMetrics, computeMetricsWithFloor, type MetricValues } from '../src/metrics/index.js';
import { formatMetricsTable } from '../src/metrics/table.js';
import { Rng } from '../src/rng.js';

const BASE_KEYS = ['cov_error', 'energy', 'mean_error', 'mmd', 'sinkhorn', 'sliced_wasserstein'];

describe('computeMetrics', () => {
  it('reports the base metrics, plus mode metrics for mixtures and x0_w1 for the funnel', () => {
    const grid = createTarget('grid9', {});
    const x = grid.sample(120, Rng.fromSeed(50));
    const y = grid.sample(120, Rng.fromSeed(51));
    const plain = computeMetrics(x, y, { dim: 2, seed: 1 });
    expect(Object.keys(plain.values).sort()).toEqual(BASE_KEYS);
    expect(plain.sinkhorn.converged).toBe(true);
    const withModes = computeMetrics(x, y, { dim: 2, seed: 1, ...(grid.mixture ? { mixture: grid.mixture } : {}) }).values;
    expect(Object.keys(withModes).sort()).toEqual([...BASE_KEYS, 'mode_coverage', 'weight_tv'].sort());
    for (const v of Object.values(withModes)) expect(Number.isFinite(v)).toBe(true);

    const funnel = createTarget('funnel', { dim: 3 });
    const f = computeMetrics(funnel.sample(80, Rng.fromSeed(52)), funnel.sample(80, Rng.fromSeed(53)), {
      dim: 3,
      seed: 1,
      marginal: { coordinate: 0, mean: 0, std: 3 },
      sinkhorn: { maxIter: 5 },
    });
    expect(Object.keys(f.values).sort()).toEqual([...BASE_KEYS, 'x0_w1'].sort());
    // The override reached the solver: 5 iterations cannot converge here, and the report says so.
    expect(f.sinkhorn.converged).toBe(false);
  });

  it('is reproducible for a seed, and the floor is the same metrics between the two references', () => {
    const grid = createTarget('grid9', {});
    const s = grid.sample(100, Rng.fromSeed(54));
    const r1 = grid.sample(100, Rng.fromSeed(55));
    const r2 = grid.sample(100, Rng.fromSeed(56));
    const ctx = { dim: 2, seed: 3 };
    const { metrics, floor, sinkhorn } = computeMetricsWithFloor(s, r1, r2, ctx);
    expect(metrics).toEqual(computeMetrics(s, r1, ctx).values);
    expect(floor).toEqual(computeMetrics(r2, r1, ctx).values);
    expect(sinkhorn.samples).toEqual(computeMetrics(s, r1, ctx).sinkhorn);
    // The seed only picks the sliced-Wasserstein directions.
    const other = computeMetrics(s, r1, { dim: 2, seed: 4 }).values;
    expect(other.mmd).toBe(metrics.mmd);
    expect(other.sliced_wasserstein).not.toBe(metrics.sliced_wasserstein);
  });
});

describe('formatMetricsTable', () => {
  it('prints one aligned row per reported metric with value and floor', () => {
    const metrics: MetricValues = { mmd: 0.01234, sinkhorn: 1.5, sliced_wasserstein: 0.37, energy: -2e-4, mean_error: 0, cov_error: 12345.6, mode_coverage: 1, weight_tv: 0.05 };
    const floor: MetricValues = { mmd: 1e-3, sinkhorn: 1, sliced_wasserstein: 0.3, energy: 7e-3, mean_error: 0.1, cov_error: 0.2, mode_coverage: 1, weight_tv: 0.02 };
    const lines = formatMetricsTable(metrics, floor).split('\n');
    expect(lines).toHaveLength(2 + 8);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[0]).toMatch(/metric.*value.*floor/);
    const mmd = lines.find((l) => l.includes(' mmd '));
    expect(mmd).toMatch(/0\.01234\s+1\.000e-3$/);
    expect(lines.find((l) => l.includes('cov_error'))).toContain('1.235e+4');
    expect(lines.find((l) => l.includes('energy'))).toContain('-2.000e-4');
    expect(lines.some((l) => l.includes('x0_w1'))).toBe(false);
  });
});
