import { describe, expect, it } from 'vitest';
import { EXACT_TARGETS } from '../datasets/exact-targets.js';
import { createTarget } from '../datasets/index.js';
import { computeMetrics, METRICS, metricContextOf } from '../src/metrics/index.js';
import { firstCoordinateW1, marginalW1 } from '../src/metrics/marginal-w1.js';
import { Rng } from '../src/rng.js';

describe('metric registry', () => {
  it('lists the metrics in the order metrics.json reports them', () => {
    expect(METRICS.map((m) => m.name)).toEqual([
      'mmd',
      'sinkhorn',
      'sliced_wasserstein',
      'energy',
      'mean_error',
      'cov_error',
      'x0_w1',
      'mode_coverage',
      'weight_tv',
    ]);
  });

  it('switches metrics on the capabilities a target publishes, never on its name', () => {
    for (const module of EXACT_TARGETS) {
      const applied = METRICS.filter((m) => m.applies(metricContextOf(module.create(), 0))).map((m) => m.name);
      expect(applied.includes('x0_w1'), module.name).toBe(module.capabilities.marginal);
      expect(applied.includes('mode_coverage'), module.name).toBe(module.capabilities.mixture);
      expect(applied.includes('weight_tv'), module.name).toBe(module.capabilities.mixture);
      expect(applied.slice(0, 6)).toEqual(METRICS.slice(0, 6).map((m) => m.name));
    }
  });

  it('keeps the values of before the registry, to the last bit', () => {
    // Values written by the code before the metrics switched on capabilities (same samples and seeds).
    const grid = createTarget('grid9');
    const g = computeMetrics(grid.sample(200, Rng.fromSeed(1)), grid.sample(200, Rng.fromSeed(2)), metricContextOf(grid, 3));
    expect(JSON.stringify(g)).toBe(
      '{"values":{"mmd":-0.005027371105353229,"sinkhorn":2.4235481228362508,"sliced_wasserstein":0.5744614799867104,"energy":-0.030490603505223035,"mean_error":0.3731878791247397,"cov_error":3.353659269754088,"mode_coverage":1,"weight_tv":0.0627777777777777},"sinkhorn":{"iterations":102,"converged":true}}',
    );
    const funnel = createTarget('funnel', { dim: 3 });
    const x = funnel.sample(150, Rng.fromSeed(1));
    expect(computeMetrics(x, funnel.sample(150, Rng.fromSeed(2)), { ...metricContextOf(funnel, 3), sinkhorn: { maxIter: 5 } }).values.x0_w1).toBe(0.2570140649122297);
  });

  it('computes x0_w1 on the published coordinate against its known law', () => {
    const x = Rng.fromSeed(7).normals(300);
    expect(marginalW1(x, 3, { coordinate: 0, mean: 0, std: 2 })).toBe(firstCoordinateW1(x, 3, 2));
    // Shifting the data and the law together leaves W1 unchanged.
    const shifted = x.map((v, k) => (k % 3 === 1 ? v + 5 : v));
    const second = Float64Array.from({ length: 100 }, (_, i) => x[3 * i + 1]);
    expect(marginalW1(shifted, 3, { coordinate: 1, mean: 5, std: 2 })).toBeCloseTo(firstCoordinateW1(second, 1, 2), 12);
    expect(() => marginalW1(x, 3, { coordinate: 3, mean: 0, std: 1 })).toThrow(RangeError);
  });
});
