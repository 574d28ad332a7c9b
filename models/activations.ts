import * as tf from '@tensorflow/tfjs-core';

export const ACTIVATIONS = ['silu', 'relu', 'gelu', 'tanh'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

const GELU_C = Math.sqrt(2 / Math.PI);

export function activate(x: tf.Tensor2D, kind: Activation): tf.Tensor2D {
  switch (kind) {
    case 'silu':
      return tf.mul(x, tf.sigmoid(x));
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'gelu': {
      // tanh approximation, as in most diffusion codebases.
      const inner = tf.mul(GELU_C, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
    }
  }
}
