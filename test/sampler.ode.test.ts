import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GaussianMixture } from '../datasets/mixture.js';
import { bundleConfigSchema } from '../src/bundle/format.js';
import { recordedSamplerDefaults, samplerRecord } from '../src/bundle/sampler-record.js';
import { resolveSampling } from '../src/config/sampling.js';
import { createProcess, type GaussianPath } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import { RNG_STREAMS } from '../src/rng-streams.js';
import { countingScore } from '../src/sampler/counting-score.js';
import { stepsForEvaluations } from '../src/sampler/evaluation-budget.js';
import { logNoiseToSignal, noiseLevels, type GridName } from '../src/sampler/noise-grid.js';
import { probabilityFlowVelocity } from '../src/sampler/probability-flow.js';
import { sampleCounted } from '../src/sampler/reverse-sde.js';
import { oracleScoreFunction } from '../src/sampler/score-function.js';
import { resolveSamplerSettings, type SamplerSettings } from '../src/sampler/settings.js';
import type { SolverName } from '../src/sampler/solvers.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

// A Gaussian target N(m, s^2 I) away from the origin: its probability-flow map is known in closed form,
// x_t = a_t m + sqrt(v_t / v_T) (x_T - a_T m), v_t = a_t^2 s^2 + b_t^2, so every particle's error is exact.
const m = [1.5, -0.5];
const s = 0.5;
const dim = 2;
const n = 64;
const seed = 5;
const target = new GaussianMixture('gaussian-off-centre', { weights: [1], means: [m], stds: [s] });
const score = oracleScoreFunction(target);
const variance = (path: GaussianPath, tau: number) => path.coefficients(tau).a ** 2 * s * s + path.coefficients(tau).b ** 2;

/** The exact end point of each particle's flow from its start N(0, b(tauMax)^2 I) (the driver's draw of batch 0). */
function exactFlow(path: GaussianPath, tauMax: number, tauMin: number): Float64Array {
  const z = Rng.derive(seed, RNG_STREAMS.sample, 0).normals(n * dim);
  const cT = path.coefficients(tauMax);
  const c0 = path.coefficients(tauMin);
  const ratio = Math.sqrt(variance(path, tauMin) / variance(path, tauMax));
  return z.map((zi, i) => c0.a * m[i % dim]! + ratio * (Math.fround(cT.b * zi) - cT.a * m[i % dim]!));
}

/** RMS over the particles of the distance to the exact flow. */
async function flowError(path: GaussianPath, settings: Partial<SamplerSettings> & { solver: SolverName }): Promise<{ error: number; nfe: number }> {
  const full: SamplerSettings = { steps: 1, tauMin: 1e-3, tauMax: path.tauMax, denoise: false, batchSize: n, seed, ...settings };
  const { samples, nfe } = await sampleCounted(path, score, n, dim, full);
  const exact = exactFlow(path, full.tauMax, full.tauMin);
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i]! - exact[i]!) ** 2;
  return { error: Math.sqrt(sum / n), nfe };
}

/** Least-squares slope of log(error) against log(steps): minus the observed order. */
function logLogSlope(steps: number[], errors: number[]): number {
  const xs = steps.map(Math.log);
  const ys = errors.map(Math.log);
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = ys.reduce((a, b) => a + b) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}

async function observedOrder(path: GaussianPath, solver: SolverName, grid: GridName, steps: number[]): Promise<number> {
  const errors: number[] = [];
  for (const k of steps) errors.push((await flowError(path, { solver, grid, steps: k })).error);
  return -logLogSlope(steps, errors);
}

describe('noise grids', () => {
  const cases: [string, GridName][] = [['vp', 'log-snr'], ['vp', 'edm'], ['pbm', 'log-snr'], ['pbm', 'edm']];
  it.each(cases)('%s %s: the ends exactly, increasing, and the spacing it names', (name, grid) => {
    const path = createProcess(name as 'vp' | 'pbm');
    const levels = noiseLevels(path, grid, 8, path.tauMin, path.tauMax);
    expect(levels[0]).toBe(path.tauMin);
    expect(levels[8]).toBe(path.tauMax);
    for (let k = 1; k <= 8; k++) expect(levels[k]!).toBeGreaterThan(levels[k - 1]!);
    // log-snr: equal steps in log(b/a); edm: equal steps in (b/a)^(1/7).
    const u = levels.map((t) => (grid === 'log-snr' ? logNoiseToSignal(path, t) : Math.exp(logNoiseToSignal(path, t) / 7)));
    for (let k = 1; k <= 8; k++) expect(u[k]! - u[k - 1]!).toBeCloseTo((u[8]! - u[0]!) / 8, 9);
  });

  it('the uniform grid is the one the reverse-SDE driver has always used', () => {
    const path = createProcess('vp');
    const h = (path.tauMax - path.tauMin) / 7;
    expect(noiseLevels(path, 'uniform', 7, path.tauMin, path.tauMax)).toEqual(Array.from({ length: 8 }, (_, k) => path.tauMin + k * h));
  });
});

describe('probability-flow ODE solvers: order of convergence with the exact score', () => {
  const steps = [8, 16, 32, 64];
  it('euler is first order (VP, uniform grid)', async () => {
    expect(Math.abs((await observedOrder(createProcess('vp'), 'euler', 'uniform', steps)) - 1)).toBeLessThan(0.3);
  });
  it('heun is second order (VP, uniform grid; PBM, EDM grid)', async () => {
    expect(Math.abs((await observedOrder(createProcess('vp'), 'heun', 'uniform', steps)) - 2)).toBeLessThan(0.3);
    expect(Math.abs((await observedOrder(createProcess('pbm'), 'heun', 'edm', steps)) - 2)).toBeLessThan(0.3);
  });
  it('dpm-solver++ (2M) is second order on VP and on PBM (log-SNR grid)', async () => {
    expect(Math.abs((await observedOrder(createProcess('vp'), 'dpm-solver++', 'log-snr', [16, 32, 64])) - 2)).toBeLessThan(0.3);
    expect(Math.abs((await observedOrder(createProcess('pbm'), 'dpm-solver++', 'log-snr', [16, 32, 64])) - 2)).toBeLessThan(0.3);
  });

  it('spends the evaluations it reports: steps times its evaluations per step, plus the final denoising', async () => {
    const path = createProcess('vp');
    for (const [solver, perStep] of [['euler', 1], ['heun', 2], ['dpm-solver++', 1]] as const) {
      const counted = countingScore(score);
      const settings: SamplerSettings = { solver, steps: 6, tauMin: 1e-3, tauMax: 1, denoise: true, batchSize: 40, seed, grid: 'edm' };
      const { nfe } = await sampleCounted(path, counted.score, 100, dim, settings);
      // Three batches (40, 40, 20), each evaluated the same number of times.
      expect(counted.calls).toBe(3 * (6 * perStep + 1));
      expect(nfe).toBe(6 * perStep + 1);
      expect(stepsForEvaluations({ ...settings, steps: 1 }, nfe)).toBe(6);
    }
  });
});

describe('tensor memory', () => {
  it('every ODE solver leaves no tensor behind', async () => {
    const path = createProcess('pbm');
    for (const solver of ['euler', 'heun', 'rk45', 'dpm-solver++'] as const) {
      const settings: SamplerSettings = { solver, steps: 5, tauMin: 1e-3, tauMax: path.tauMax, denoise: true, batchSize: 16, seed, clip: { lo: -3, hi: 3 } };
      const full = solver === 'rk45' ? { ...settings, tolerance: { rtol: 1e-2, atol: 1e-2 } } : settings;
      await sampleCounted(path, score, 20, dim, full);
      const before = tf.memory().numTensors;
      await sampleCounted(path, score, 20, dim, full);
      expect(tf.memory().numTensors, solver).toBe(before);
    }
  });
});

describe('rk45', () => {
  it.each(['vp', 'sub-vp', 'pbm'] as const)('%s: reaches its tolerance, tighter ones cost more evaluations (reported as counted)', async (name) => {
    const path = createProcess(name);
    const results = [];
    for (const tol of [1e-4, 1e-5]) {
      const counted = countingScore(score);
      const full: SamplerSettings = { solver: 'rk45', tolerance: { rtol: tol, atol: tol }, steps: 1, tauMin: 1e-3, tauMax: path.tauMax, denoise: false, batchSize: n, seed };
      const { samples, nfe } = await sampleCounted(path, counted.score, n, dim, full);
      const exact = exactFlow(path, path.tauMax, 1e-3);
      let sum = 0;
      for (let i = 0; i < samples.length; i++) sum += (samples[i]! - exact[i]!) ** 2;
      results.push({ tol, error: Math.sqrt(sum / n), nfe, calls: counted.calls });
    }
    for (const r of results) {
      expect(r.nfe).toBe(r.calls);
      // Global error within a few times the local tolerance (the solution is of order 1).
      expect(r.error).toBeLessThan(3 * r.tol);
    }
    expect(results[1]!.nfe).toBeGreaterThan(results[0]!.nfe);
  });
});

describe('PBM: the start at tau_max < 1 from N(0, b(tau_max)^2 I)', () => {
  it('maps each particle as the exact flow does, and its bias shrinks like sqrt(1 - tau_max)', async () => {
    const path = createProcess('pbm');
    const biases: number[] = [];
    for (const gap of [1e-1, 1e-2, 1e-3]) {
      const tauMax = 1 - gap;
      const settings: SamplerSettings = { solver: 'dpm-solver++', grid: 'log-snr', steps: 64, tauMin: 1e-3, tauMax, denoise: false, batchSize: 2000, seed };
      const { samples } = await sampleCounted(path, score, 2000, dim, settings);
      // The law reached is N(a0 m - r a_T m, r^2 b_T^2) with r = sqrt(v0 / v_T), not p_tau_min = N(a0 m, v0):
      // its mean is off by r a_T m (first coordinate: m = 1.5), its spread short by the factor b_T / sqrt(v_T).
      const r = Math.sqrt(variance(path, 1e-3) / variance(path, tauMax));
      const { a, b } = path.coefficients(tauMax);
      const predictedBias = r * a * m[0]!;
      let mean = 0;
      for (let i = 0; i < 2000; i++) mean += samples[i * dim]!;
      mean /= 2000;
      const bias = path.coefficients(1e-3).a * m[0]! - mean;
      const standardError = (r * b) / Math.sqrt(2000);
      expect(Math.abs(bias - predictedBias)).toBeLessThan(4 * standardError + 1e-3);
      biases.push(predictedBias);
    }
    // Each tenfold step towards the pinned point shrinks the bias about sqrt(10) times.
    expect(biases[0]! / biases[1]!).toBeGreaterThan(2.5);
    expect(biases[1]! / biases[2]!).toBeGreaterThan(2.9);
    expect(biases[1]! / biases[2]!).toBeLessThan(3.5);
  });

  it('the drift is tensor ops all the way: differentiable in x (for a likelihood)', () => {
    const path = createProcess('vp');
    const gaussianScore = (x: tf.Tensor2D, _tau: number, { a, b }: { a: number; b: number }) =>
      tf.div(tf.sub(tf.mul(tf.tensor1d(m), a), x), a * a * s * s + b * b) as tf.Tensor2D;
    const velocity = probabilityFlowVelocity(path, gaussianScore);
    const tau = 0.3;
    const x = tf.tensor2d([[0.2, -0.1]]);
    const grad = tf.grad((y: tf.Tensor) => tf.sum(velocity(y as tf.Tensor2D, tau)))(x);
    // d/dx_i of sum_j v_j = f + g^2 / (2 v) for this score.
    const expected = path.drift(tau) + path.diffusionSquared(tau) / (2 * variance(path, tau));
    for (const v of grad.dataSync()) expect(v).toBeCloseTo(expected, 4);
    tf.dispose([x, grad]);
  });
});

describe('ODE solver settings', () => {
  const pbm = createProcess('pbm');
  const context = { target: { name: 'grid9' }, process: pbm, seed: 3 };

  it('an ODE solver takes its own grid, no corrector, and an nfe budget as steps', () => {
    expect(resolveSampling({ solver: 'heun', nfe: 21 }, context).settings).toEqual({
      solver: 'heun', grid: 'edm', steps: 10, tauMin: pbm.tauMin, tauMax: pbm.tauMax, denoise: true, batchSize: 2000, seed: 3,
    });
    expect(resolveSampling({ solver: 'dpm-solver++', grid: 'edm', nfe: 20, denoise: false }, context).settings).toMatchObject({ grid: 'edm', steps: 20 });
    expect(resolveSampling({ solver: 'rk45', tolerance: { rtol: 1e-4 } }, context).settings.tolerance).toEqual({ rtol: 1e-4, atol: 1e-3 });
    // The default solver's settings stay as they were recorded: no grid, no tolerance, no nfe.
    expect(Object.keys(resolveSampling({}, context).settings)).toEqual(['steps', 'tauMin', 'tauMax', 'denoise', 'batchSize', 'seed']);
    expect(() => resolveSampling({ solver: 'rk45', nfe: 30 }, context)).toThrow(/^sampler nfe 30: rk45 is adaptive/);
    expect(() => resolveSampling({ solver: 'heun', tolerance: { rtol: 1e-3 } }, context)).toThrow(/applies only to an adaptive solver/);
    expect(() => resolveSampling({ solver: 'euler', corrector: { steps: 1 } }, context)).toThrow(/apply to the reverse SDE only/);
  });

  it('round-trips solver, grid and tolerance through the bundle record', () => {
    for (const request of [{ solver: 'heun', nfe: 35 }, { solver: 'rk45', tolerance: { rtol: 1e-4, atol: 1e-5 } }, { solver: 'euler-maruyama', grid: 'log-snr' }] as const) {
      const { settings } = resolveSampling(request, context);
      const record = samplerRecord(settings);
      expect(record.method).toBe(request.solver);
      const parsed = bundleConfigSchema.shape.sampler.parse(JSON.parse(JSON.stringify(record)));
      expect(resolveSamplerSettings({}, recordedSamplerDefaults(parsed, pbm))).toEqual(settings);
    }
  });
});
