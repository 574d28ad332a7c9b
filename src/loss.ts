import * as tf from '@tensorflow/tfjs-core';
import { scaledNetworkScore, type NoiseLevel, type ScoreNetwork } from './score-network.js';

/** One batch of the denoising problem: x = a x0 + b eps at per-example noise levels. */
export interface DsmBatch extends NoiseLevel {
  x: tf.Tensor2D;
  eps: tf.Tensor2D;
}

/**
 * Denoising score matching with weight w = b^2 (MATH section 3):
 * mean over examples and coordinates of || b s_theta(x, tau) + eps ||^2,
 * i.e. the noise-prediction loss whatever the parameterisation.
 */
export function dsmLoss(net: ScoreNetwork, batch: DsmBatch): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.add(scaledNetworkScore(net, batch.x, batch), batch.eps))) as tf.Scalar);
}
