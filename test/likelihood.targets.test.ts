import { describe, expect, it } from 'vitest';
import { createTarget, type Target } from '../datasets/index.js';
import { targetModule } from '../datasets/registry.js';
import { Rng } from '../src/rng.js';

/**
 * The exact log density p_0 that the likelihood command compares against, checked
 * numerically for each point target with one: its gradient (central differences) is
 * the exact score at tau -> 0, and in 2-D it integrates to 1.
 */
const TARGETS: [string, Target][] = [
  ['grid9', createTarget('grid9')],
  ['ring8', createTarget('ring8')],
  ['gmm', createTarget('gmm', { dim: 10 })],
  ['gaussian', createTarget('gaussian', { dim: 3, std: 1.5 })],
  ['funnel', createTarget('funnel', { dim: 10 })],
];

describe('exact log densities of the point targets', () => {
  for (const [name, target] of TARGETS) {
    it(`${name}: declares the capability, and grad logDensity is the exact score at tau = 0`, () => {
      expect(targetModule(name).capabilities.logDensity).toBe(true);
      const d = target.dim;
      const x = target.sample(5, Rng.fromSeed(8));
      const score = target.noisedScore(x, { a: 1, b: 0 });
      const h = 1e-5;
      for (let i = 0; i < 5; i++) {
        for (let j = 0; j < d; j++) {
          const at = (delta: number) => {
            const p = x.slice(i * d, (i + 1) * d);
            p[j] = p[j]! + delta;
            return target.logDensity(p)[0]!;
          };
          const gradient = (at(h) - at(-h)) / (2 * h);
          expect(Math.abs(gradient - score[i * d + j]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(gradient)));
        }
      }
    });

    it(`${name}: noisedLogDensity at a = 1, b = 0 is logDensity`, () => {
      const x = target.sample(5, Rng.fromSeed(9));
      const clean = target.logDensity(x);
      const noised = target.noisedLogDensity(x, { a: 1, b: 0 });
      clean.forEach((l, i) => expect(noised[i]).toBeCloseTo(l, 8));
    });
  }

  it("funnel: logDensity is Neal's log N(v; 0, 3^2) + sum_i log N(x_i; 0, e^v)", () => {
    const target = createTarget('funnel', { dim: 10 });
    const x = target.sample(20, Rng.fromSeed(10));
    const logp = target.logDensity(x);
    for (let i = 0; i < 20; i++) {
      const v = x[i * 10]!;
      let expected = -0.5 * Math.log(2 * Math.PI * 9) - (v * v) / 18;
      for (let j = 1; j < 10; j++) expected += -0.5 * (Math.log(2 * Math.PI) + v) - x[i * 10 + j]! ** 2 / (2 * Math.exp(v));
      expect(logp[i]).toBeCloseTo(expected, 9);
    }
  });

  for (const name of ['ring8', 'gaussian'] as const) {
    it(`${name}: exp(logDensity) integrates to 1 over the plane (midpoint rule)`, () => {
      const target = name === 'gaussian' ? createTarget('gaussian', { dim: 2, std: 1.5 }) : createTarget(name);
      const cells = 400;
      const lo = -10;
      const h = 20 / cells;
      const grid = new Float64Array(cells * cells * 2);
      for (let i = 0; i < cells; i++) {
        for (let j = 0; j < cells; j++) {
          grid[(i * cells + j) * 2] = lo + (i + 0.5) * h;
          grid[(i * cells + j) * 2 + 1] = lo + (j + 0.5) * h;
        }
      }
      const total = target.logDensity(grid).reduce((s, l) => s + Math.exp(l), 0) * h * h;
      expect(total).toBeCloseTo(1, 6);
    });
  }
});
