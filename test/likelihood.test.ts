import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import { networkAugmentedVelocity } from '../src/likelihood/augmented-velocity.js';
import { logLikelihoods, type FlowField, type LikelihoodSettings } from '../src/likelihood/change-of-variables.js';
import { bitsPerDim, dequantise } from '../src/likelihood/dequantisation.js';
import { quantile, summariseLikelihood } from '../src/likelihood/summary.js';
import { createProcess, type GaussianPath, type ProcessName } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import { probabilityFlowVelocity } from '../src/sampler/probability-flow.js';
import type { ScoreFunction } from '../src/sampler/score-function.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

const STD = 1.5;
const DIM = 2;
const N = 20;

/** log N(x; 0, v I) from |x|^2. */
const logNormal = (squared: number, variance: number, dim: number) => -0.5 * (dim * Math.log(2 * Math.PI * variance) + squared / variance);

function settings(path: GaussianPath, overrides: Partial<LikelihoodSettings> = {}): LikelihoodSettings {
  return {
    solver: 'rk45',
    grid: 'uniform',
    steps: 100,
    tolerance: { rtol: 1e-5, atol: 1e-5 },
    tauMin: path.tauMin,
    tauMax: path.tauMax,
    batchSize: 8,
    seed: 5,
    divergence: { kind: 'exact' },
    ...overrides,
  };
}

/**
 * For N(0, s^2 I) the probability flow is a scaling, x(tau) = x sqrt(v(tau) / v(tau_min)),
 * v = a^2 s^2 + b^2, so the model's log density is known in closed form:
 *   log p_model(x) = log N(x; 0, v(tau_min)) + [log N(x_T; 0, b_T^2) - log N(x_T; 0, v_T)],
 * the bracket being the start correction: the flow starts from N(0, b(tau_max)^2 I), not from
 * p_tau_max = N(0, v_T I). It is ~1e-4 nats for VP at tau_max = 1 and ~1e-3 for PBM at 0.999.
 */
function closedForm(path: GaussianPath, x: Float64Array): Float64Array {
  const c0 = path.coefficients(path.tauMin);
  const cT = path.coefficients(path.tauMax);
  const v0 = c0.a ** 2 * STD ** 2 + c0.b ** 2;
  const vT = cT.a ** 2 * STD ** 2 + cT.b ** 2;
  return Float64Array.from({ length: x.length / DIM }, (_, i) => {
    const squared = x[i * DIM]! ** 2 + x[i * DIM + 1]! ** 2;
    const squaredT = (squared * vT) / v0;
    return logNormal(squared, v0, DIM) + logNormal(squaredT, cT.b ** 2, DIM) - logNormal(squaredT, vT, DIM);
  });
}

/** The Gaussian's exact score as tensor ops, so the network path (tf gradients) can be checked in closed form too. */
const gaussianScore: ScoreFunction = (x, _tau, { a, b }) => tf.mul(x, -1 / (a * a * STD * STD + b * b)) as tf.Tensor2D;

describe('likelihood of a Gaussian in closed form', () => {
  const target = createTarget('gaussian', { dim: DIM, std: STD });
  const x = Float64Array.from(Rng.fromSeed(3).normals(N * DIM), (z) => STD * z);
  const fields: [string, FlowField][] = [
    ['oracle', { kind: 'oracle', target }],
    ['differentiable score', { kind: 'network', score: gaussianScore }],
  ];
  for (const processName of ['vp', 'pbm'] as ProcessName[]) {
    for (const [label, field] of fields) {
      it(`${processName}, ${label}: rk45 matches log p_model to 1e-3 nats at every point`, async () => {
        const path = createProcess(processName);
        const expected = closedForm(path, x);
        const { logp, nfe } = await logLikelihoods(x, DIM, path, field, settings(path));
        for (let i = 0; i < N; i++) expect(Math.abs(logp[i]! - expected[i]!)).toBeLessThan(1e-3);
        expect(nfe).toBeGreaterThan(6);
      });
    }
  }

  it('the start correction is what separates PBM from the exact log p_tau_min (and is ~1e-3 nats)', () => {
    const path = createProcess('pbm');
    const c0 = path.coefficients(path.tauMin);
    const v0 = c0.a ** 2 * STD ** 2 + c0.b ** 2;
    const correction = closedForm(path, x).map((l, i) => l - logNormal(x[i * DIM]! ** 2 + x[i * DIM + 1]! ** 2, v0, DIM));
    const largest = Math.max(...correction.map(Math.abs));
    expect(largest).toBeGreaterThan(1e-4);
    expect(largest).toBeLessThan(2e-2);
  });

  it('heun on its grid converges to the same values', async () => {
    const path = createProcess('vp');
    const expected = closedForm(path, x);
    const { logp, nfe } = await logLikelihoods(x, DIM, path, { kind: 'oracle', target }, settings(path, { solver: 'heun', grid: 'edm', steps: 200 }));
    expect(nfe).toBe(400);
    for (let i = 0; i < N; i++) expect(Math.abs(logp[i]! - expected[i]!)).toBeLessThan(1e-3);
  });
});

/** A smooth field with an asymmetric, x-dependent Jacobian: s(x) = tanh(x W + c), W 4 x 4. */
function tanhField(): ScoreFunction {
  const rng = Rng.fromSeed(17);
  const w = tf.tensor2d(Float32Array.from(rng.normals(16)), [4, 4]);
  const c = tf.tensor1d(Float32Array.from(rng.normals(4)));
  return (x) => tf.tidy(() => tf.tanh(tf.add(tf.matMul(x, w), c)) as tf.Tensor2D);
}

describe('divergence', () => {
  const path = createProcess('vp');
  const rows = 3;
  const dim = 4;
  const tau = 0.3;
  // Built in the tests: the backend is ready only then.
  let x: tf.Tensor2D;
  let velocity: ReturnType<typeof probabilityFlowVelocity>;
  beforeAll(() => {
    x = tf.tensor2d(Float32Array.from(Rng.fromSeed(2).normals(rows * dim)), [rows, dim]);
    velocity = probabilityFlowVelocity(path, tanhField());
  });

  function divergenceColumns(method: Parameters<typeof networkAugmentedVelocity>[3]): Float32Array[] {
    const augmented = networkAugmentedVelocity(velocity, rows, dim, method, Rng.fromSeed(9));
    const state = tf.concat([x, tf.zeros([rows, augmented.columns])], 1) as tf.Tensor2D;
    const out = augmented.velocity(state, tau);
    const values = out.arraySync();
    tf.dispose([state, out]);
    augmented.dispose();
    return values.map((row) => Float32Array.from(row.slice(dim)));
  }

  it('exact: matches central differences of v', () => {
    const exact = divergenceColumns({ kind: 'exact' });
    const h = 1e-2;
    const base = x.arraySync();
    for (let i = 0; i < rows; i++) {
      let trace = 0;
      for (let j = 0; j < dim; j++) {
        const shifted = (sign: number) => {
          const p = base[i]!.slice();
          p[j] = p[j]! + sign * h;
          const v = velocity(tf.tensor2d([p]), tau);
          const value = v.arraySync()[0]![j]!;
          v.dispose();
          return value;
        };
        trace += (shifted(1) - shifted(-1)) / (2 * h);
      }
      expect(exact[i]![0]).toBeCloseTo(trace, 2);
    }
  });

  it('Hutchinson is unbiased: 4000 probes average to the exact divergence within 4 standard errors', () => {
    const exact = divergenceColumns({ kind: 'exact' });
    const probes = divergenceColumns({ kind: 'hutchinson', probes: 4000 });
    for (let i = 0; i < rows; i++) {
      const values = probes[i]!;
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
      // The field's Jacobian is not diagonal, so the estimator has a real spread to test against.
      expect(sd).toBeGreaterThan(0.01);
      expect(Math.abs(mean - exact[i]![0]!)).toBeLessThan((4 * sd) / Math.sqrt(values.length));
    }
  });

  it('integrated along the flow, Hutchinson log p agrees with the exact one within 4 of its standard errors', async () => {
    const points = Float64Array.from(Rng.fromSeed(4).normals(10 * dim));
    const field: FlowField = { kind: 'network', score: tanhField() };
    const exact = await logLikelihoods(points, dim, path, field, settings(path, { tolerance: { rtol: 1e-4, atol: 1e-4 } }));
    const estimated = await logLikelihoods(points, dim, path, field, settings(path, { tolerance: { rtol: 1e-4, atol: 1e-4 }, divergence: { kind: 'hutchinson', probes: 64 } }));
    expect(exact.probeStdErr).toBeNull();
    for (let i = 0; i < 10; i++) {
      const se = estimated.probeStdErr![i]!;
      expect(se).toBeGreaterThan(0);
      expect(Math.abs(estimated.logp[i]! - exact.logp[i]!)).toBeLessThan(4 * se);
    }
  });
});

describe('likelihood summary', () => {
  it('reports the NLL, the exact comparison and the paired KL', () => {
    const logp = Float64Array.of(-1, -2, -3, -4);
    const exactLogp = Float64Array.of(-0.5, -2, -2.5, -4);
    const s = summariseLikelihood({ dim: 2, logp, probeStdErr: null, exactLogp });
    expect(s.meanNll).toBeCloseTo(2.5, 12);
    expect(s.nllStdErr).toBeCloseTo(Math.sqrt(5 / 3 / 4), 12);
    expect(s.exactLogpAbsErrorMedian).toBeCloseTo(0.25, 12);
    expect(s.exactLogpAbsErrorP95).toBeCloseTo(quantile([0.5, 0, 0.5, 0], 0.95), 12);
    expect(s.exactEntropy).toBeCloseTo(2.25, 12);
    expect(s.kl).toBeCloseTo(0.25, 12);
    expect(s.klStdErr).toBeCloseTo(Math.sqrt(1 / 12 / 4), 12);
    expect(s.bitsPerDim).toBeUndefined();
  });

  it('bits/dim of 8-bit images: NLL / (d ln 2) + 7, and dequantised pixels stay in their bins', () => {
    expect(bitsPerDim(0, 784)).toBeCloseTo(7, 12);
    expect(bitsPerDim(784 * Math.LN2, 784)).toBeCloseTo(8, 12);
    const bytes = [0, 1, 127, 254, 255];
    const y = dequantise(bytes.map((k) => k / 127.5 - 1), Rng.fromSeed(1));
    bytes.forEach((k, i) => {
      const u = (y[i]! + 1) / 2;
      expect(u * 256).toBeGreaterThanOrEqual(k);
      expect(u * 256).toBeLessThan(k + 1);
    });
  });
});
