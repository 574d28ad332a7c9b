import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { PathCoefficients } from '../../datasets/target.js';
import type { ScoreFunction } from './score-function.js';
import type { Corrector } from './solver.js';

/**
 * Langevin corrector steps at one noise level (predictor-corrector sampling):
 * `steps` per noise level (0 is none), and the signal-to-noise ratio r of a
 * step, eps mean|s| = r sqrt(2 eps) mean|z| (norms averaged over the batch).
 */
export const correctorOptionsSchema = z.object({ steps: z.number().int().min(0), snr: z.number().finite() });
export type CorrectorOptions = z.infer<typeof correctorOptionsSchema>;

/** The corrector's clause of the bundle's sampler.update. */
export const LANGEVIN_UPDATE =
  'if corrector {steps, snr}: then that many Langevin steps at t_{k-1}, x <- x + eps s + sqrt(2 eps) z, ' +
  'eps = 2 (snr mean|z| / mean|s|)^2 with the norms averaged over the batch; ';

/** The sampler's `corrector` option: absent for none or 0 steps (plain Euler-Maruyama). */
export function correctorOption(corrector: CorrectorOptions | undefined): { corrector?: CorrectorOptions } {
  return corrector === undefined || corrector.steps === 0 ? {} : { corrector };
}

/**
 * One Langevin step x <- x + eps s(x, tau) + sqrt(2 eps) z at fixed tau, with
 * eps = 2 (r mean|z| / mean|s|)^2, the norms averaged over the batch (Song et
 * al. 2021, Algorithm 5). The rule is scale-free: where p_tau is locally
 * Gaussian with spread v the step settles at eps = 2 r^2 v, so the same r serves
 * VP and PBM at every noise level, and the singular ends (huge |s|) get tiny
 * steps. Why the batch mean and not each particle's own ratio: a particle near
 * a mode or a saddle has |s| ~ 0 and would take a huge step (in 2-D the
 * oracle sampler then misses the target), and a step sized by the very z it
 * adds inflates a Gaussian's variance beyond unadjusted Langevin's r^2 (the
 * measurement is in docs/math.md section 4).
 */
export function langevinStep(
  score: ScoreFunction,
  x: tf.Tensor2D,
  tau: number,
  coeff: PathCoefficients,
  z: tf.Tensor2D,
  snr: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const s = score(x, tau, coeff);
    // Both batch means in one read from the backend.
    const [sNorm, zNorm] = tf.stack([tf.mean(tf.norm(s, 'euclidean', 1)), tf.mean(tf.norm(z, 'euclidean', 1))]).dataSync() as Float32Array;
    // A score that vanishes on the whole batch gives the rule no scale: leave x as it is.
    if (!(sNorm > 0)) return tf.clone(x);
    const eps = 2 * ((snr * zNorm) / sNorm) ** 2;
    return tf.add(tf.add(x, tf.mul(s, eps)), tf.mul(z, Math.sqrt(2 * eps))) as tf.Tensor2D;
  });
}

/** `options.steps` Langevin steps at the level reached, each with its own z from the batch's stream. */
export function langevinCorrector(options: CorrectorOptions): Corrector {
  return {
    correct(x, tau, score, path, noise) {
      let y = x;
      for (let j = 0; j < options.steps; j++) {
        const z = noise();
        const next = langevinStep(score, y, tau, path.coefficients(tau), z, options.snr);
        z.dispose();
        if (y !== x) y.dispose();
        y = next;
      }
      return y === x ? tf.clone(x) : y;
    },
  };
}
