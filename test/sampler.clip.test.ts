import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { twoPoint } from '../datasets/index.js';
import type { DataSource } from '../datasets/target.js';
import { createProcess } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import { clipOption, clippedScoreFunction } from '../src/sampler/clip-denoised.js';
import { sampleReverseSde } from '../src/sampler/reverse-sde.js';
import { oracleScoreFunction, type ScoreFunction } from '../src/sampler/score-function.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

// Two atoms at -mu e_1 and +mu e_1: every coordinate of the data lies in [-mu, mu].
const MU = 1;
const DIM = 3;
const RANGE = { lo: -MU, hi: MU };
const target = twoPoint({ mu: MU, dim: DIM });
const exact = oracleScoreFunction(target);

/** Points spread over the noised marginal at tau, and a little beyond it. */
function points(tau: number, coeff: { a: number; b: number }, n: number, seed: number): tf.Tensor2D {
  const rng = Rng.fromSeed(seed);
  const x0 = target.sample(n, rng);
  const v = Float32Array.from(x0, (x) => coeff.a * x + 2 * coeff.b * rng.normal());
  return tf.tensor2d(v, [n, DIM]);
}

function rowErrors(s: tf.Tensor2D, truth: tf.Tensor2D): Float32Array {
  return tf.tidy(() => tf.sum(tf.square(tf.sub(s, truth)), 1).dataSync() as Float32Array);
}

describe('clippedScoreFunction', () => {
  for (const name of ['vp', 'pbm'] as const) {
    const path = createProcess(name);
    for (const tau of [0.05, 0.5, 0.9]) {
      const coeff = path.coefficients(tau);
      it(`${name}, tau ${tau}: leaves the exact score as it is (its E[x0 | x] is inside the range)`, () => {
        const x = points(tau, coeff, 200, 1);
        const clipped = clippedScoreFunction(exact, RANGE)(x, tau, coeff);
        const truth = exact(x, tau, coeff);
        const scale = tf.max(tf.abs(truth)).dataSync()[0]!;
        expect(tf.max(tf.abs(tf.sub(clipped, truth))).dataSync()[0]!).toBeLessThan(1e-4 * scale);
        tf.dispose([x, clipped, truth]);
      });

      it(`${name}, tau ${tau}: never moves a wrong score away from the exact one, and moves it closer where x0_hat leaves the range`, () => {
        const x = points(tau, coeff, 400, 2);
        const truth = exact(x, tau, coeff);
        // A wrong score: the exact one plus noise of the size of a denoising error (x0_hat off by about mu).
        const noise = tf.tensor2d(Float32Array.from(Rng.fromSeed(3).normals(400 * DIM), (z) => (z * coeff.a * MU) / coeff.b ** 2), [400, DIM]);
        const wrong: ScoreFunction = (xx, t, c) => tf.add(exact(xx, t, c), noise) as tf.Tensor2D;
        const clipped = clippedScoreFunction(wrong, RANGE)(x, tau, coeff);
        const raw = wrong(x, tau, coeff);
        const before = rowErrors(raw, truth);
        const after = rowErrors(clipped, truth);
        let improved = 0;
        for (let i = 0; i < before.length; i++) {
          expect(after[i]!).toBeLessThanOrEqual(before[i]! * (1 + 1e-4) + 1e-9);
          if (after[i]! < 0.99 * before[i]!) improved += 1;
        }
        expect(improved).toBeGreaterThan(before.length / 4);
        tf.dispose([x, truth, noise, clipped, raw]);
      });
    }
  }

  it('rejects an empty range', () => {
    expect(() => clippedScoreFunction(exact, { lo: 1, hi: 1 })).toThrow(/empty range/);
  });
});

function baseSource(): DataSource {
  return { name: 'box', dim: 1, params: {}, parameterDescriptions: [], dataStd: 1, sample: (n) => new Float64Array(n) };
}

describe('sampling with clip', () => {
  // A score three times too large overshoots: without the clip the denoised samples leave the data's box.
  const overshoot: ScoreFunction = (x, t, c) => tf.mul(exact(x, t, c), 3) as tf.Tensor2D;
  const options = { steps: 50, tauMin: 1e-3, tauMax: 1, denoise: true, batchSize: 100, seed: 4 };

  it('ends inside the range after the final denoising, where the same sampler without it does not', async () => {
    const path = createProcess('vp');
    const clipped = await sampleReverseSde(path, overshoot, 200, DIM, { ...options, clip: RANGE });
    const free = await sampleReverseSde(path, overshoot, 200, DIM, options);
    expect(Math.min(...clipped)).toBeGreaterThanOrEqual(-MU);
    expect(Math.max(...clipped)).toBeLessThanOrEqual(MU);
    expect(Math.max(...free.map(Math.abs))).toBeGreaterThan(MU);
  });

  it('clipOption takes the range of bounded data only, and only when asked', () => {
    expect(clipOption(true, target)).toEqual({});
    const bounded: DataSource = { ...baseSource(), dataRange: RANGE };
    expect(clipOption(true, bounded)).toEqual({ clip: RANGE });
    expect(clipOption(false, bounded)).toEqual({});
  });
});
