import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gaussian, GaussianMixture, TwoPoint } from '../datasets/index.js';
import type { MixtureInfo } from '../datasets/target.js';
import {
  deltaGrid,
  linearGrid,
  localisationCurves,
  SortedSample,
  survivalDistance,
} from '../src/diagnostics/curves.js';
import { diagnose, type DiagnoseSettings } from '../src/diagnostics/diagnose.js';
import { largestEigenvalue, symmetricEigenvalues } from '../src/linalg/symmetric-eigen.js';
import { exactLocalisation } from '../src/diagnostics/exact-localisation.js';
import { networkLocalisation } from '../src/diagnostics/network-localisation.js';
import { logGrid, ouLevel, processLevel, snrAt, tauForSnr } from '../src/diagnostics/snr.js';
import { createProcess } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import type { ScoreFunction } from '../src/sampler/score-function.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

function settings(overrides: Partial<DiagnoseSettings> = {}): DiagnoseSettings {
  return { rGrid: logGrid(0.05, 20, 12), n: 300, uCount: 50, uMax: null, deltaCount: 400, mValues: [1, 2, 3], seed: 4, ...overrides };
}

/** The exact mixture score of docs/math.md section 5 as tf ops, so that tf can differentiate it. */
function tfMixtureScore({ weights, means, stds }: MixtureInfo): ScoreFunction {
  const d = means[0].length;
  return (x, _tau, { a, b }) =>
    tf.tidy(() => {
      const logits: tf.Tensor[] = [];
      const pulls: tf.Tensor[] = [];
      means.forEach((mu, k) => {
        const v = a * a * stds[k] ** 2 + b * b;
        const diff = tf.sub(x, tf.mul(tf.tensor2d([mu]), a));
        logits.push(tf.sub(Math.log(weights[k]) - 0.5 * d * Math.log(v), tf.div(tf.sum(tf.square(diff), 1, true), 2 * v)));
        pulls.push(tf.div(diff, -v));
      });
      const gamma = tf.softmax(tf.concat(logits, 1));
      return tf.addN(pulls.map((p, k) => tf.mul(tf.slice(gamma, [0, k], [-1, 1]), p))) as tf.Tensor2D;
    });
}

/** The two-point score -x / b^2 + (a mu / b^2) tanh(a mu x_1 / b^2) e_1 in 1-D, as tf ops. */
function tfTwoPointScore(mu: number): ScoreFunction {
  return (x, _tau, { a, b }) =>
    tf.tidy(() => {
      const b2 = b * b;
      return tf.add(tf.div(x, -b2), tf.mul(tf.tanh(tf.mul(x, (a * mu) / b2)), (a * mu) / b2)) as tf.Tensor2D;
    });
}

const threeModes = new GaussianMixture('three', {
  weights: [0.5, 0.3, 0.2],
  means: [[-2, 0], [2, 1], [0, 3]],
  stds: [0.5, 0.8, 0.4],
});

describe('exact localisation (docs/math.md section 6)', () => {
  it('Gaussian: L = s^2 r^2 / (s^2 r^2 + 1) at every point and s_r(1) = 0 at every r', () => {
    const s = 1.7;
    const target = gaussian({ dim: 3, std: s });
    const result = diagnose({ target, level: ouLevel }, settings());
    for (const c of result.exact.levels) {
      const expected = (s * s * c.r * c.r) / (s * s * c.r * c.r + 1);
      expect(c.meanL).toBeCloseTo(expected, 12);
      expect(c.maxL).toBeCloseTo(expected, 12);
      expect(c.survivalAtOne).toBe(0);
      // h(delta) = (L - 1 + delta)_+: m* = 0 up to delta* = 1 - L, and zeta*_M = (1 + r^2)(1 - L) for M >= 1.
      expect(c.mStar).toBe(0);
      expect(c.deltaStar).toBeCloseTo(1 - expected, 12);
      for (const z of c.zeta) expect(z).toBeCloseTo((1 + c.r * c.r) / (1 + s * s * c.r * c.r), 9);
    }
    // Pointwise too, at a level given by a process rather than by the OU formula.
    const level = processLevel(createProcess('pbm'), 2.5);
    const L = exactLocalisation(target, target.sample(50, Rng.fromSeed(2)), level);
    for (const v of L) expect(v).toBeCloseTo((s * s * 6.25) / (s * s * 6.25 + 1), 10);
    expect(result.exact.summary.firstNonConcaveR).toBeNull();
    expect(result.exact.summary.bottleneckR).toBeNull();
  });

  it('two-point: L = (r mu)^2 (1 - tanh^2(r mu y)), y = x / b, pointwise in 1-D and along e_1 in d = 3', () => {
    const mu = 1.6;
    for (const d of [1, 3]) {
      const target = new TwoPoint({ mu, dim: d });
      for (const r of [0.2, 0.6, 1, 2.5, 8]) {
        const level = ouLevel(r);
        const x = target.sample(200, Rng.fromSeed(9));
        for (let i = 0; i < x.length; i++) x[i] = level.a * x[i] + level.b * (i % d === 0 ? Math.sin(7 * i) * 2 : 0.3);
        const L = exactLocalisation(target, x, level);
        for (let i = 0; i < 200; i++) {
          const y = x[i * d] / level.b;
          const expected = (r * mu) ** 2 * (1 - Math.tanh(r * mu * y) ** 2);
          expect(Math.abs(L[i] - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, (r * mu) ** 2));
        }
      }
    }
  });

  it('two-point: r* sits at r mu = 1 and the bottleneck just above it', () => {
    const result = diagnose({ target: new TwoPoint({ mu: 2 }), level: ouLevel }, settings({ rGrid: [0.1, 0.3, 0.45, 0.8, 1.5, 3], n: 2000 }));
    const s = result.exact.summary;
    expect([s.rStar, s.firstNonConcaveR]).toEqual([0.45, 0.8]);
    expect(s.bottleneckR).toBe(0.8);
    // Below r mu = 1, L <= (r mu)^2 < 1 everywhere.
    expect(result.exact.levels[2].maxL).toBeLessThanOrEqual(0.81 + 1e-12);
  });
});

describe('curves from a sample of L', () => {
  it('match brute force: survival, h, m*, the largest minimiser delta*, zeta*_M', () => {
    const values = [0.2, 0.5, 0.5, 1.5, 3];
    const grids = { u: linearGrid(0, 3, 31), delta: deltaGrid(200), mValues: [1, 4] };
    const r = 1.3;
    const c = localisationCurves(new SortedSample(values), r, grids);
    const mean = (f: (v: number) => number) => values.reduce((acc, v) => acc + f(v), 0) / values.length;
    grids.u.forEach((u, k) => expect(c.survival[k]).toBe(mean((v) => (v > u ? 1 : 0))));
    expect(c.survivalAtOne).toBe(0.4);
    const h = Array.from(grids.delta, (dl) => mean((v) => Math.max(0, v - (1 - dl))));
    h.forEach((hk, k) => expect(c.h[k]).toBeCloseTo(hk, 14));
    // Worked by hand: h / delta falls on every piece, so m* = h(1) = 1.14 at delta* = 1; for M = 1,
    // delta - h rises to -0.14 at the kink delta = 0.8 and stays there; for M = 4 it falls from
    // its supremum -M h(0+) = -2 at delta -> 0.
    expect(c.mStar).toBeCloseTo(1.14, 12);
    expect(c.deltaStar).toBe(1);
    expect(c.zeta[0]).toBeCloseTo((1 + r * r) * -0.14, 12);
    expect(c.zeta[1]).toBeCloseTo((1 + r * r) * -2, 12);
    // And a brute-force search on a fine grid agrees to its resolution.
    const fine = deltaGrid(100000);
    const hFine = Array.from(fine, (dl) => mean((v) => Math.max(0, v - (1 - dl))));
    expect(c.mStar).toBeCloseTo(Math.min(...hFine.map((hk, k) => hk / fine[k])), 12);
    grids.mValues.forEach((M, j) =>
      expect(c.zeta[j]).toBeCloseTo((1 + r * r) * Math.max(...hFine.map((hk, k) => fine[k] - M * hk)), 4),
    );
    expect([c.meanL, c.maxL]).toEqual([mean((v) => v), 3]);
  });

  it('takes the largest minimiser when m* = 0 on a whole interval', () => {
    // h = 0 for delta <= 1 - max L = 0.6: every such delta minimises m.
    const c = localisationCurves(new SortedSample([0.1, 0.4]), 0.5, { u: linearGrid(0, 1, 3), delta: deltaGrid(100), mValues: [1] });
    expect([c.mStar, c.deltaStar]).toEqual([0, 0.6]);
  });

  it('measures the sup distance between two survival curves exactly', () => {
    const a = new SortedSample([0.1, 0.4, 0.9, 1.2]);
    const b = new SortedSample([0.3, 0.5, 2]);
    let worst = 0;
    for (const u of [-1, 0.1, 0.3, 0.4, 0.5, 0.9, 1.2, 2, 3]) worst = Math.max(worst, Math.abs(a.survival(u) - b.survival(u)));
    expect(survivalDistance(a, b)).toBeCloseTo(worst, 15);
    expect(survivalDistance(a, a)).toBe(0);
  });
});

describe('symmetric eigenvalues', () => {
  /** Q diag(values) Q^T with a random orthogonal Q (Gram-Schmidt). */
  function withSpectrum(values: number[], rng: Rng): Float64Array {
    const d = values.length;
    const q: Float64Array[] = [];
    while (q.length < d) {
      const v = rng.normals(d);
      for (const u of q) {
        const dot = u.reduce((acc, ui, i) => acc + ui * v[i], 0);
        for (let i = 0; i < d; i++) v[i] -= dot * u[i];
      }
      const norm = Math.hypot(...v);
      q.push(v.map((x) => x / norm));
    }
    const m = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) m[i * d + j] += q[k][i] * values[k] * q[k][j];
    return m;
  }

  it('Jacobi finds every eigenvalue; power iteration the largest above the Jacobi size', () => {
    const rng = Rng.fromSeed(1);
    const small = [-1.5, 0, 0.25, 2, 2, 7];
    expect(Array.from(symmetricEigenvalues(withSpectrum(small, rng), 6)).map((v) => Number(v.toFixed(10)))).toEqual(small);
    const big = Array.from({ length: 40 }, (_, k) => (k === 39 ? 9 : (k * 6) / 40));
    expect(largestEigenvalue(withSpectrum(big, rng), 40)).toBeCloseTo(9, 9);
    // Offsets select a block of a larger array.
    const two = Float64Array.of(0, 0, 0, 0, 2, 1, 1, 2);
    expect(largestEigenvalue(two, 2, 4)).toBeCloseTo(3, 14);
  });
});

describe('SNR levels', () => {
  it('maps r to the process time by inverting a / b, for VP and PBM', () => {
    for (const name of ['vp', 'pbm'] as const) {
      const proc = createProcess(name);
      for (const r of [0.05, 0.3, 1, 7, 20]) expect(snrAt(proc, tauForSnr(proc, r)) / r).toBeCloseTo(1, 10);
    }
    // PBM: r = sqrt((1 - tau) / tau) / sigma, so tau = 1 / (1 + sigma^2 r^2).
    expect(tauForSnr(createProcess('pbm', { sigma: 2 }), 1.5)).toBeCloseTo(1 / (1 + 9), 12);
    expect(() => tauForSnr(createProcess('vp'), 1e-4)).toThrow(/outside the SNR range/);
    const ou = ouLevel(3);
    expect(ou.a / ou.b).toBe(3);
    expect(ou.a ** 2 + ou.b ** 2).toBeCloseTo(1, 15);
  });
});

describe('network path (C = I + b^2 sym(grad s)) applied to exact scores', () => {
  it('reproduces the exact two-point localisation pointwise, by the full Jacobian and by Lanczos', () => {
    const mu = 1.3;
    const target = new TwoPoint({ mu });
    const score = tfTwoPointScore(mu);
    for (const r of [0.3, 1, 2]) {
      const level = ouLevel(r);
      const x = Float64Array.from({ length: 64 }, (_, i) => level.a * (i % 2 ? mu : -mu) + level.b * Math.sin(3 * i));
      const exact = exactLocalisation(target, x, level);
      for (const method of ['full', 'iterative'] as const) {
        const net = networkLocalisation(score, x, 1, 0, level, { method, batchSize: 20, rng: Rng.fromSeed(1) });
        for (let i = 0; i < 64; i++) {
          expect(Math.abs(net.localisation[i] - exact[i])).toBeLessThan(1e-4 * Math.max(1, (r * mu) ** 2));
          expect(net.minEigenvalue[i]).toBeCloseTo(net.localisation[i], 4);
        }
        expect(Math.max(...net.asymmetry)).toBe(0);
      }
    }
  });

  it('reproduces the exact curves and summaries on a 2-D mixture', () => {
    const s = settings({ rGrid: logGrid(0.1, 10, 8) });
    for (const method of ['full', 'iterative'] as const) {
      const result = diagnose(
        { target: threeModes, level: ouLevel, network: { score: tfMixtureScore(threeModes.mixture), method, batchSize: 128 } },
        s,
      );
      const { network, comparison } = result;
      if (!network || !comparison) throw new Error('network result missing');
      expect(comparison.localisationMeanAbsMax).toBeLessThan(2e-4);
      expect(comparison.mStarMax).toBeLessThan(1e-3);
      expect(comparison.deltaStarMax).toBeLessThanOrEqual(2 / s.deltaCount);
      expect(Math.max(...comparison.zetaScaledMax)).toBeLessThan(1e-3);
      expect(network.summary.rStar).toBe(result.exact.summary.rStar);
      expect(network.summary.bottleneckR).toBe(result.exact.summary.bottleneckR);
      expect(network.summary.zeta.map((z) => z.negativeRanges)).toEqual(result.exact.summary.zeta.map((z) => z.negativeRanges));
      // A Hessian is symmetric: what is left is float32 rounding (or the Hutchinson estimate of it).
      expect(Math.max(...network.asymmetryMax)).toBeLessThan(1e-3);
      expect(Math.max(...network.negativeShare)).toBe(0);
    }
    expect(tf.memory().numTensors).toBeLessThan(50);
  });

  it('finds the spectrum of C, its negative eigenvalues and the asymmetry of a linear field s(x) = A x', () => {
    // sym(A) = (diag(lambda) - I) / b^2, so C = diag(lambda); the skew part only adds asymmetry.
    const level = ouLevel(1.5);
    const b2 = level.b ** 2;
    const rng = Rng.fromSeed(8);
    for (const d of [6, 60]) {
      const lambda = Array.from({ length: d }, (_, k) => -0.5 + (3.5 * k) / (d - 1));
      const a = new Float32Array(d * d);
      for (let i = 0; i < d; i++) {
        a[i * d + i] = (lambda[i] - 1) / b2;
        for (let j = 0; j < i; j++) {
          const skew = rng.normal() / b2;
          a[i * d + j] = skew;
          a[j * d + i] = -skew;
        }
      }
      let frob = 0;
      let skewFrob = 0;
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
        frob += a[i * d + j] ** 2;
        skewFrob += (a[i * d + j] - a[j * d + i]) ** 2;
      }
      const at = tf.tensor2d(a, [d, d]).transpose();
      const linear: ScoreFunction = (x) => tf.matMul(x, at);
      const x = rng.normals(10 * d);
      const methods = d <= 20 ? (['full', 'iterative'] as const) : (['iterative'] as const);
      for (const method of methods) {
        const net = networkLocalisation(linear, x, d, 0, level, { method, batchSize: 10, rng: Rng.fromSeed(2) });
        for (let i = 0; i < 10; i++) {
          expect(net.localisation[i]).toBeCloseTo(3, 2);
          expect(net.minEigenvalue[i]).toBeCloseTo(-0.5, 2);
          // Exact from the full Jacobian; a Hutchinson estimate from 8 probes otherwise.
          const tolerance = method === 'full' ? 1e-5 : 0.35;
          expect(Math.abs(net.asymmetry[i] / Math.sqrt(skewFrob / frob) - 1)).toBeLessThan(tolerance);
        }
      }
      at.dispose();
    }
  });
});
