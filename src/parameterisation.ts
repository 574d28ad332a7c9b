import * as tf from '@tensorflow/tfjs-core';

/**
 * What the network output means (docs/math.md section 2):
 * noise: eps_hat, s = -eps_hat / b;  score: s itself;  data: D, s = (a D - x) / b^2.
 */
export const PARAMETERISATIONS = ['noise', 'score', 'data'] as const;
export type Parameterisation = (typeof PARAMETERISATIONS)[number];

/**
 * b * s(x) from the network output. The DSM loss is || b s + eps ||^2, and
 * working with b s avoids dividing by a tiny b and multiplying back.
 * a, b broadcast against x: [n, 1] or [1, 1].
 */
export function scaledScore(
  kind: Parameterisation,
  out: tf.Tensor2D,
  x: tf.Tensor2D,
  a: tf.Tensor2D,
  b: tf.Tensor2D,
): tf.Tensor2D {
  switch (kind) {
    case 'noise':
      return tf.neg(out);
    case 'score':
      return tf.mul(b, out);
    case 'data':
      return tf.div(tf.sub(tf.mul(a, out), x), b);
  }
}
