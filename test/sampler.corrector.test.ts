import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import { createProcess } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import { sampleReverseSde } from '../src/sampler/reverse-sde.js';
import type { SamplerSettings as SamplerOptions } from '../src/sampler/settings.js';
import { langevinStep } from '../src/sampler/langevin-corrector.js';
import { oracleScoreFunction, type ScoreFunction } from '../src/sampler/score-function.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

/** Mean of x^2 over every entry (the variance of a centred cloud). */
function meanSquare(x: tf.Tensor2D): number {
  return tf.tidy(() => tf.mean(tf.square(x)).dataSync()[0]!);
}

describe('Langevin corrector', () => {
  // For N(0, v I), s = -x/v, and the rule eps = 2 (r mean|z| / mean|s|)^2 settles at eps = 2 r^2 v^2 / v',
  // where unadjusted Langevin keeps v' = v / (1 - eps / (2v)): so v' = v (1 + r^2), up to O(1/n).
  it('drives a cloud four times too wide to the Gaussian it targets, with the (1 + r^2) bias of unadjusted Langevin', () => {
    const v = 0.7;
    const snr = 0.16;
    const [n, d] = [1000, 100];
    const score: ScoreFunction = (x) => tf.mul(x, -1 / v) as tf.Tensor2D;
    const rng = Rng.derive(3);
    let x = tf.tensor2d(Float32Array.from(rng.normals(n * d).map((e) => 2 * Math.sqrt(v) * e)), [n, d]);
    for (let k = 0; k < 200; k++) {
      const z = tf.tensor2d(Float32Array.from(rng.normals(n * d)), [n, d]);
      const next = langevinStep(score, x, 0.5, { a: 1, b: 1 }, z, snr);
      tf.dispose([x, z]);
      x = next;
    }
    const ratio = meanSquare(x) / v;
    x.dispose();
    // n d = 1e5 squares: the variance estimate has relative s.e. sqrt(2 / (n d)) = 0.0045 (4 s.e. = 0.018).
    expect(Math.abs(ratio - (1 + snr * snr))).toBeLessThan(4 * Math.sqrt(2 / (n * d)));
  });

  it('0 corrector steps is plain Euler-Maruyama, draw for draw', async () => {
    const target = createTarget('grid9', {});
    const path = createProcess('vp');
    const options: SamplerOptions = { steps: 20, tauMin: path.tauMin, tauMax: path.tauMax, denoise: true, batchSize: 50, seed: 4 };
    const plain = await sampleReverseSde(path, oracleScoreFunction(target), 100, 2, options);
    const zero = await sampleReverseSde(path, oracleScoreFunction(target), 100, 2, { ...options, corrector: { steps: 0, snr: 0.16 } });
    expect(Array.from(zero)).toEqual(Array.from(plain));
  });
});
