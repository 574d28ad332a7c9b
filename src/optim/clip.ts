import * as tf from '@tensorflow/tfjs-core';

/** Global L2 norm of a list of gradients, as a scalar tensor. */
export function globalNorm(grads: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
}

/** Scales gradients so their global norm is at most maxNorm (no-op below it). */
export function clipByGlobalNorm(grads: tf.Tensor[], norm: number, maxNorm: number): tf.Tensor[] {
  if (!(norm > maxNorm)) return grads;
  const scale = maxNorm / norm;
  return grads.map((g) => tf.mul(g, scale));
}
