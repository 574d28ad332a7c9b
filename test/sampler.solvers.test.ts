import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import { samplerRecord, recordedSamplerDefaults } from '../src/bundle/sampler-record.js';
import { resolveSampling, SAMPLING_RECIPES } from '../src/config/sampling.js';
import { createProcess } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import { RNG_STREAMS } from '../src/rng-streams.js';
import { eulerMaruyama } from '../src/sampler/euler-maruyama.js';
import { describeSampler, integrateReverseSde, sampleReverseSde } from '../src/sampler/reverse-sde.js';
import { oracleScoreFunction } from '../src/sampler/score-function.js';
import { resolveSamplerSettings, samplerMethod, samplerSettingsSchema, type SamplerDefaults, type SamplerSettings } from '../src/sampler/settings.js';
import type { GridStep, ReverseSolver } from '../src/sampler/solver.js';
import { SOLVER_NAMES, SOLVERS, solverNamed } from '../src/sampler/solvers.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

const path = createProcess('vp');
const target = createTarget('grid9', {});
const base: SamplerSettings = { steps: 8, tauMin: path.tauMin, tauMax: path.tauMax, denoise: false, batchSize: 3, seed: 11 };

describe('solver registry', () => {
  it('names every solver by its key', () => {
    for (const name of SOLVER_NAMES) expect(SOLVERS[name].name).toBe(name);
  });

  it('refuses an unknown solver with a one-line error naming the accepted ones', () => {
    expect(() => solverNamed('ddim')).toThrow(/^sampler solver 'ddim': unknown; accepted: euler-maruyama, euler, heun, rk45, dpm-solver\+\+$/);
    expect(samplerSettingsSchema.safeParse({ ...base, solver: 'ddim' }).success).toBe(false);
    expect(samplerSettingsSchema.safeParse({ ...base, solver: 'euler-maruyama' }).success).toBe(true);
  });

  it('publishes the update text bundles have always recorded', () => {
    expect(describeSampler('euler-maruyama')).toBe(
      'uniform grid t_k = tau_min + k h, h = (tau_max - tau_min) / steps; start from the prior at tau_max; ' +
        'for k = steps..1: x <- x - h [f(t_k) x - g(t_k)^2 s(x, t_k)] + g(t_k) sqrt(h) z, z ~ N(0, I); ' +
        'if corrector {steps, snr}: then that many Langevin steps at t_{k-1}, x <- x + eps s + sqrt(2 eps) z, ' +
        'eps = 2 (snr mean|z| / mean|s|)^2 with the norms averaged over the batch; ' +
        'if denoise: x <- (x + b(tau_min)^2 s(x, tau_min)) / a(tau_min); ' +
        'if clip {lo, hi}: s is read through the clipped denoised estimate, x0_hat = clip((x + b(t)^2 s) / a(t), lo, hi), ' +
        's <- (a(t) x0_hat - x) / b(t)^2, at every step and in the final denoising (whose result is clipped too)',
    );
  });
});

describe('the solver seam', () => {
  it('drives a second solver over the grid with the batch noise stream', async () => {
    // A toy solver: x <- x + z, recording the levels it is asked to step between.
    const calls: GridStep[] = [];
    const toy: ReverseSolver = {
      name: 'toy',
      update: 'x <- x + z; ',
      step: (x, grid, _score, _path, noise) => {
        calls.push(grid);
        const z = noise();
        const next = tf.add(x, z) as tf.Tensor2D;
        z.dispose();
        return next;
      },
    };
    const n = 5;
    const out = await integrateReverseSde(toy, null, path, oracleScoreFunction(target), n, 2, base);
    const batches = Math.ceil(n / base.batchSize);
    expect(calls).toHaveLength(batches * base.steps);
    const h = (base.tauMax - base.tauMin) / base.steps;
    expect(calls.slice(0, base.steps)).toEqual(
      Array.from({ length: base.steps }, (_, i) => ({ t: base.tauMin + (base.steps - i) * h, tNext: base.tauMin + (base.steps - i - 1) * h, h })),
    );
    // Each batch: its prior, then one z per step, all from Rng.derive(seed, RNG_STREAMS.sample, batch).
    const expected = new Float32Array(n * 2);
    for (let bi = 0; bi < batches; bi++) {
      const rows = Math.min(base.batchSize, n - bi * base.batchSize);
      const rng = Rng.derive(base.seed, RNG_STREAMS.sample, bi);
      const x = Float32Array.from(path.samplePrior(rows, 2, rng));
      for (let k = 0; k < base.steps; k++) {
        const z = Float32Array.from(rng.normals(rows * 2));
        for (let i = 0; i < x.length; i++) x[i] = Math.fround(x[i]! + z[i]!);
      }
      expected.set(x, bi * base.batchSize * 2);
    }
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it('reaches Euler-Maruyama through the settings, named or by default', async () => {
    const score = oracleScoreFunction(target);
    const direct = await integrateReverseSde(eulerMaruyama, null, path, score, 7, 2, base);
    const byDefault = await sampleReverseSde(path, score, 7, 2, base);
    const named = await sampleReverseSde(path, score, 7, 2, { ...base, solver: 'euler-maruyama' });
    expect(Array.from(byDefault)).toEqual(Array.from(direct));
    expect(Array.from(named)).toEqual(Array.from(direct));
  });
});

describe('sampler settings', () => {
  const defaults: SamplerDefaults = {
    solver: 'euler-maruyama',
    steps: 100,
    tauMin: 0.001,
    tauMax: 1,
    denoise: true,
    batchSize: 250,
    seed: 0,
    clip: { lo: -1, hi: 1 },
    corrector: { steps: 1, snr: 0.25 },
  };

  it('takes the defaults in the recorded key order, the default solver recorded by absence', () => {
    expect(JSON.stringify(resolveSamplerSettings({}, defaults))).toBe(
      '{"steps":100,"tauMin":0.001,"tauMax":1,"denoise":true,"batchSize":250,"seed":0,"clip":{"lo":-1,"hi":1},"corrector":{"steps":1,"snr":0.25}}',
    );
  });

  it('lays a request over them field by field', () => {
    expect(resolveSamplerSettings({ steps: 4, seed: 3, clip: null, corrector: { snr: 0.1 } }, defaults)).toEqual({
      steps: 4, tauMin: 0.001, tauMax: 1, denoise: true, batchSize: 250, seed: 3, corrector: { steps: 1, snr: 0.1 },
    });
    expect(resolveSamplerSettings({ corrector: { steps: 0 }, clip: { lo: 0, hi: 2 } }, defaults)).toEqual({
      steps: 100, tauMin: 0.001, tauMax: 1, denoise: true, batchSize: 250, seed: 0, clip: { lo: 0, hi: 2 },
    });
  });

  it('refuses corrector steps with no snr to take', () => {
    const none = { ...defaults, corrector: { steps: 0 } };
    expect(resolveSamplerSettings({ corrector: { steps: 2, snr: 0.2 } }, none).corrector).toEqual({ steps: 2, snr: 0.2 });
    expect(() => resolveSamplerSettings({ corrector: { steps: 2 } }, none)).toThrow(/^sampler corrector: 2 steps need an snr/);
  });

  it('names the method metrics.json records', () => {
    expect(samplerMethod(base)).toBe('euler-maruyama');
    expect(samplerMethod({ ...base, corrector: { steps: 1, snr: 0.2 } })).toBe('predictor-corrector');
  });

  it('resolves a request on a target and a process with the recipe of its kind', () => {
    const image = resolveSampling({ steps: 7 }, { target: { name: 'mnist', dataRange: { lo: -1, hi: 1 } }, process: path, seed: 5 });
    expect(image.n).toBe(SAMPLING_RECIPES.image.n);
    expect(image.settings).toEqual({ ...resolveSamplerSettings({}, { ...defaults, seed: 5, tauMin: path.tauMin, tauMax: path.tauMax }), steps: 7 });
    const point = resolveSampling({ n: 10 }, { target: { name: 'grid9' }, process: path, seed: 5 });
    expect(point).toEqual({
      n: 10,
      settings: { steps: 500, tauMin: path.tauMin, tauMax: path.tauMax, denoise: true, batchSize: 2000, seed: 5 },
      recipe: SAMPLING_RECIPES.point,
    });
  });

  it('round-trips through the bundle record', () => {
    const settings = resolveSamplerSettings({}, { ...defaults, tauMin: path.tauMin, tauMax: path.tauMax });
    const record = samplerRecord(settings);
    expect(Object.keys(record)).toEqual(['method', 'steps', 'denoise', 'batchSize', 'clip', 'corrector', 'seed', 'update']);
    expect(record).toMatchObject({ method: 'euler-maruyama', clip: { lo: -1, hi: 1 }, update: describeSampler('euler-maruyama') });
    expect(resolveSamplerSettings({}, recordedSamplerDefaults(record, path))).toEqual(settings);
    expect(samplerRecord({ ...base }).clip).toBeNull();
  });
});
