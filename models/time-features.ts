import * as tf from '@tensorflow/tfjs-core';

/**
 * Fourier features of the noise level tau in [0, 1]: sin and cos of
 * 2 pi f_k tau for frequencies f_k spaced geometrically from 1/2 to maxFrequency,
 * so the network sees both slow and fast variation in tau.
 */
export function fourierFrequencies(count: number, maxFrequency: number): Float32Array {
  const out = new Float32Array(count);
  const lo = 0.5;
  for (let k = 0; k < count; k++) {
    const f = count === 1 ? lo : lo * Math.pow(maxFrequency / lo, k / (count - 1));
    out[k] = 2 * Math.PI * f;
  }
  return out;
}

/** tau: [n, 1] -> [n, 2 * count]. */
export function timeFeatures(tau: tf.Tensor2D, omega: tf.Tensor2D): tf.Tensor2D {
  const phase = tf.matMul(tau, omega);
  return tf.concat([tf.sin(phase), tf.cos(phase)], 1) as tf.Tensor2D;
}
