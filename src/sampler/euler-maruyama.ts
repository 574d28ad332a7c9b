import * as tf from '@tensorflow/tfjs-core';
import type { DataRange } from '../../datasets/target.js';
import type { GaussianPath } from '../process/index.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import { yieldToEventLoop } from '../yield.js';
import { clippedScoreFunction } from './clip-denoised.js';
import { langevinStep, type CorrectorOptions } from './langevin-corrector.js';
import type { ScoreFunction } from './score-function.js';

export interface SamplerOptions {
  /** Number of Euler-Maruyama steps. */
  steps: number;
  tauMin: number;
  tauMax: number;
  /** Finish with x0_hat = (x + b^2 s(x, tau_min)) / a. */
  denoise: boolean;
  /** Particles integrated together. */
  batchSize: number;
  seed: number;
  /** Clip the denoised estimate to this box at every step and in the final denoising (see clippedScoreFunction). */
  clip?: DataRange;
  /** Langevin corrector steps after each predictor step (predictor-corrector); absent or 0 steps: plain EM. */
  corrector?: CorrectorOptions;
}

export type SamplerProgress = (done: number, total: number) => void;

/**
 * Reverse-time Euler-Maruyama (MATH section 4) on the uniform grid from tauMax
 * down to tauMin: x <- x - h [f(t) x - g(t)^2 s(x, t)] + g(t) sqrt(h) z,
 * with s read through the clipped denoised estimate when `clip` is given.
 * With `corrector`, each step is followed by that many Langevin steps at the
 * level it reached (predictor-corrector, Song et al. 2021, Algorithm 1): never
 * at tau_max, where PBM's particles all sit on the pinned point and the score
 * there says nothing about the spread of p_tau.
 * Returns n x d samples, row-major float32.
 */
export async function sampleReverseSde(
  path: GaussianPath,
  networkOrExactScore: ScoreFunction,
  n: number,
  dim: number,
  options: SamplerOptions,
  onProgress?: SamplerProgress,
): Promise<Float32Array> {
  const score = options.clip === undefined ? networkOrExactScore : clippedScoreFunction(networkOrExactScore, options.clip);
  const out = new Float32Array(n * dim);
  const h = (options.tauMax - options.tauMin) / options.steps;
  const batches = Math.ceil(n / options.batchSize);
  const corrector = options.corrector ?? { steps: 0, snr: 0 };
  const total = batches * options.steps;
  let done = 0;
  for (let bi = 0; bi < batches; bi++) {
    const rows = Math.min(options.batchSize, n - bi * options.batchSize);
    const rng = Rng.derive(options.seed, RNG_STREAMS.sample, bi);
    let x = tf.tensor2d(Float32Array.from(path.samplePrior(rows, dim, rng)), [rows, dim]);
    for (let k = options.steps; k >= 1; k--) {
      const t = options.tauMin + k * h;
      const f = path.drift(t);
      const g2 = path.diffusionSquared(t);
      const z = tf.tensor2d(Float32Array.from(rng.normals(rows * dim)), [rows, dim]);
      const next = tf.tidy(() => {
        const s = score(x, t, path.coefficients(t));
        const driftTerm = tf.sub(tf.mul(x, f), tf.mul(s, g2));
        return tf.add(tf.sub(x, tf.mul(driftTerm, h)), tf.mul(z, Math.sqrt(g2 * h))) as tf.Tensor2D;
      });
      tf.dispose([x, z]);
      x = next;
      const tNext = options.tauMin + (k - 1) * h;
      for (let j = 0; j < corrector.steps; j++) {
        const zc = tf.tensor2d(Float32Array.from(rng.normals(rows * dim)), [rows, dim]);
        const corrected = langevinStep(score, x, tNext, path.coefficients(tNext), zc, corrector.snr);
        tf.dispose([x, zc]);
        x = corrected;
      }
      done += 1;
      if (done % 25 === 0 || done === total) {
        onProgress?.(done, total);
        await yieldToEventLoop();
      }
    }
    if (options.denoise) {
      const coeff = path.coefficients(options.tauMin);
      const denoised = tf.tidy(() => {
        const s = score(x, options.tauMin, coeff);
        const x0 = tf.div(tf.add(x, tf.mul(s, coeff.b * coeff.b)), coeff.a) as tf.Tensor2D;
        // Already in the range up to round-off through s; clipped again so it is exactly.
        return options.clip === undefined ? x0 : (tf.clipByValue(x0, options.clip.lo, options.clip.hi) as tf.Tensor2D);
      });
      x.dispose();
      x = denoised;
    }
    out.set(x.dataSync() as Float32Array, bi * options.batchSize * dim);
    x.dispose();
  }
  return out;
}
