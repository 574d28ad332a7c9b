import { describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import { crossSqDistances } from '../src/metrics/pairwise.js';
import { solveAsymmetric } from '../src/metrics/sinkhorn-asymmetric.js';
import { impliedPlainRate, optimalRelaxation } from '../src/metrics/sinkhorn-relaxation.js';
import { sinkhornDivergence } from '../src/metrics/sinkhorn.js';
import { Rng } from '../src/rng.js';

/** Plain log-domain Sinkhorn with Math.exp and max-shifted sums: the reference. */
function referenceCost(x: Float64Array, y: Float64Array, d: number, eps: number, tol: number): number {
  const n = x.length / d;
  const m = y.length / d;
  const C = crossSqDistances(x, y, d);
  const f = new Float64Array(n);
  const g = new Float64Array(m);
  const lse = (vals: number[]) => {
    const mx = Math.max(...vals);
    return mx + Math.log(vals.reduce((s, v) => s + Math.exp(v - mx), 0));
  };
  for (let it = 0; it < 100_000; it++) {
    for (let i = 0; i < n; i++) f[i] = -eps * lse(Array.from(g, (gj, j) => (gj - C[i * m + j]) / eps - Math.log(m)));
    let err = 0;
    for (let j = 0; j < m; j++) {
      const gj = -eps * lse(Array.from(f, (fi, i) => (fi - C[i * m + j]) / eps - Math.log(n)));
      err += Math.abs(Math.exp((g[j] - gj) / eps) - 1) / m;
      g[j] = gj;
    }
    if (err < tol) break;
  }
  let w = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) w += Math.exp((f[i] + g[j] - C[i * m + j]) / eps) * C[i * m + j] / (n * m);
  return w;
}

describe('sinkhornDivergence: closed forms', () => {
  it('two Diracs: the only plan moves all mass, S = |p - q|^2', () => {
    const r = sinkhornDivergence(Float64Array.from([1, 2]), Float64Array.from([4, -2]), 2);
    expect(r.value).toBeCloseTo(25, 10);
    expect(r.terms.xx.cost).toBe(0);
    expect(r.converged).toBe(true);
  });

  it('two-point sets {0, 1} vs {s, 1 + s}: W = s^2 + 1/(1 + e^(1/eps)) and S = s^2', () => {
    // Uniform 2x2 plans are [[p, 1/2 - p], [1/2 - p, p]]; the entropic one has
    // P11 P22 / (P12 P21) = exp(-(C11 + C22 - C12 - C21)/eps) = exp(2/eps), so
    // p = E / (2 (1 + E)) with E = e^(1/eps), and W = s^2 + 1/(1 + E).
    const x = Float64Array.from([0, 1]);
    for (const s of [0.3, 2]) {
      const y = Float64Array.from([s, 1 + s]);
      for (const eps of [0.5, 1, 3]) {
        const r = sinkhornDivergence(x, y, 1, { eps, tol: 1e-12 });
        const e = Math.exp(1 / eps);
        expect(r.terms.xy.cost).toBeCloseTo(s * s + 1 / (1 + e), 10);
        expect(r.terms.xx.cost).toBeCloseTo(1 / (1 + e), 10);
        expect(r.terms.yy.cost).toBeCloseTo(1 / (1 + e), 10);
        expect(r.value).toBeCloseTo(s * s, 10);
      }
    }
  });

  it('two-point sets at the default eps: nearly unregularised, so convergence is slow and reported', () => {
    // eps = 0.05 x the reference's median squared distance (1). The exact plan is
    // off the diagonal by 1/(2 (1 + e^20)) ~ 1e-9, and Sinkhorn's linear rate
    // near such a plan is 1 - O(1e-9): the cap stops it, and it says so. The
    // cost is still close, since the misplaced mass is small.
    const x = Float64Array.from([0, 1]);
    const y = Float64Array.from([0.3, 1.3]);
    const r = sinkhornDivergence(x, y, 1);
    expect(r.eps).toBeCloseTo(0.05, 15);
    expect(r.converged).toBe(false);
    expect(r.terms.xy.iterations).toBe(1000);
    // Mass misplaced against the exact plan is of the order of the marginal error
    // and moves the cost by at most that times the largest cost gap, 1.69 - 0.09.
    expect(Math.abs(r.value - 0.09)).toBeLessThan(1.6 * r.terms.xy.marginalError);
  });

  it('identical samples: S = 0 (the x-y problem and the symmetric one have one solution)', () => {
    const x = Rng.fromSeed(7).normals(300 * 2);
    const r = sinkhornDivergence(x, x.slice(), 2, { tol: 1e-10 });
    expect(r.converged).toBe(true);
    // Marginal errors of 1e-10 move a cost by at most 1e-10 x max C (< 100 here).
    expect(Math.abs(r.value)).toBeLessThan(1e-7);
  });

  it('an exact translation y = x + v gives S = |v|^2', () => {
    // C(x_i, x_j + v) = C(x_i, x_j) - 2 <x_i, v> + 2 <x_j, v> + |v|^2: the separable terms
    // are absorbed by the potentials, so the plan is that of W(x, x), whose
    // marginals are uniform on both sides; hence W(x, y) = W(x, x) + |v|^2 = W(y, y) + |v|^2.
    const x = Rng.fromSeed(8).normals(300 * 2);
    const v = [1.5, -0.5];
    const y = x.map((t, k) => t + v[k % 2]);
    const r = sinkhornDivergence(x, y, 2, { tol: 1e-10 });
    expect(r.converged).toBe(true);
    expect(r.value).toBeCloseTo(2.5, 6);
  });
});

describe('sinkhornDivergence: solver', () => {
  it('matches plain log-domain Sinkhorn on grid9, with and without over-relaxation', () => {
    const target = createTarget('grid9', {});
    const x = target.sample(150, Rng.fromSeed(9));
    const y = target.sample(120, Rng.fromSeed(10));
    const opts = { tol: 1e-9, maxIter: 5000 };
    const auto = sinkhornDivergence(x, y, 2, opts);
    const plain = sinkhornDivergence(x, y, 2, { ...opts, relaxation: 1 });
    const fixed = sinkhornDivergence(x, y, 2, { ...opts, relaxation: 1.6 });
    const reference = referenceCost(x, y, 2, auto.eps, 1e-11);
    for (const r of [auto, plain, fixed]) {
      expect(r.converged).toBe(true);
      expect(r.terms.xy.cost).toBeCloseTo(reference, 7);
    }
    // Over-relaxation is the point of 'auto': far fewer iterations than plain Sinkhorn.
    expect(auto.terms.xy.iterations).toBeLessThan(plain.terms.xy.iterations / 2);
  });

  it('matches the reference when far outliers trigger epsilon-scaling', () => {
    const rng = Rng.fromSeed(3);
    const x = rng.normals(60 * 2);
    const y = rng.normals(60 * 2);
    // Outliers 20-30 units out: max C/eps is ~1.8e4, far past the scaling threshold of 500.
    x.set([30, 0, -20, 10]);
    y.set([30.5, 1, -21, 10]);
    const r = sinkhornDivergence(x, y, 2, { tol: 1e-9 });
    expect(Math.max(...crossSqDistances(x, y, 2)) / r.eps).toBeGreaterThan(1e4);
    expect(r.converged).toBe(true);
    expect(r.terms.xy.cost).toBeCloseTo(referenceCost(x, y, 2, r.eps, 1e-12), 9);
  });

  it('reports non-convergence at the iteration cap', () => {
    const target = createTarget('grid9', {});
    const x = target.sample(200, Rng.fromSeed(11));
    const y = target.sample(200, Rng.fromSeed(12));
    const r = sinkhornDivergence(x, y, 2, { maxIter: 3 });
    expect(r.converged).toBe(false);
    expect(r.terms.xy.iterations).toBe(3);
    expect(r.terms.xy.marginalError).toBeGreaterThan(1e-6);
  });

  it('a row whose kernel underflows entirely is handled exactly', () => {
    // One x point 1e3 away: exp(-C/eps) underflows for its whole row at the start.
    const x = Float64Array.from([0, 0, 1, 0, 1000, 0]);
    const y = Float64Array.from([0, 0.5, 1, 0.5, 999, 0]);
    const cs = crossSqDistances(x, y, 2).map((c) => c / 0.01);
    const r = solveAsymmetric(cs, 3, 3, 0.01, { tol: 1e-10, maxIter: 1000, relaxation: 'auto' });
    expect(r.converged).toBe(true);
    // eps is tiny against the gaps: the plan is the identity matching, cost (0.25 + 0.25 + 1) / 3.
    expect(r.cost).toBeCloseTo(0.5, 8);
  });
});

describe('over-relaxation parameter', () => {
  it('optimal omega follows 2 / (1 + sqrt(1 - r)) and the implied rate inverts the SOR relation', () => {
    expect(optimalRelaxation(0)).toBe(1);
    expect(optimalRelaxation(0.75)).toBeCloseTo(2 / 1.5, 14);
    expect(optimalRelaxation(0.99999)).toBe(1.95);
    // omega = 1 is plain Sinkhorn: the implied rate is the observed one.
    expect(impliedPlainRate(0.9, 1)).toBeCloseTo(0.9, 14);
    // At the optimum for r the SOR rate is omega - 1, and it maps back to r.
    const r = 0.96;
    const omega = optimalRelaxation(r);
    expect(impliedPlainRate(omega - 1, omega)).toBeCloseTo(r, 12);
  });
});
