import * as tf from '@tensorflow/tfjs-core';
import type { ReverseSolver } from './solver.js';

/**
 * Reverse-time Euler-Maruyama (docs/math.md section 4), the predictor:
 * x <- x - h [f(t) x - g(t)^2 s(x, t)] + g(t) sqrt(h) z, one z per step.
 */
export const eulerMaruyama: ReverseSolver = {
  name: 'euler-maruyama',
  update: 'x <- x - h [f(t_k) x - g(t_k)^2 s(x, t_k)] + g(t_k) sqrt(h) z, z ~ N(0, I); ',
  step(x, { t, h }, score, path, noise) {
    const f = path.drift(t);
    const g2 = path.diffusionSquared(t);
    const z = noise();
    const next = tf.tidy(() => {
      const s = score(x, t, path.coefficients(t));
      const driftTerm = tf.sub(tf.mul(x, f), tf.mul(s, g2));
      return tf.add(tf.sub(x, tf.mul(driftTerm, h)), tf.mul(z, Math.sqrt(g2 * h))) as tf.Tensor2D;
    });
    z.dispose();
    return next;
  },
};
