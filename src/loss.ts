import * as tf from '@tensorflow/tfjs-core';
import { scaledNetworkScore, type NoiseLevel, type ScoreNetwork } from './score-network.js';

/** One batch of the denoising problem: x = a x0 + b eps at per-example noise levels. */
export interface DsmBatch extends NoiseLevel {
  x: tf.Tensor2D;
  eps: tf.Tensor2D;
  /** Per-example loss weights [n, 1] (absent: all 1). */
  weight?: tf.Tensor2D;
}

/**
 * Denoising score matching with weight w = b^2 (docs/math.md section 3):
 * mean over examples and coordinates of || b s_theta(x, tau) + eps ||^2,
 * i.e. the noise-prediction loss whatever the parameterisation; with
 * `batch.weight`, each example's term is multiplied by its weight.
 */
export function dsmLoss(net: ScoreNetwork, batch: DsmBatch): tf.Scalar {
  return tf.tidy(() => {
    const residual = tf.square(tf.add(scaledNetworkScore(net, batch.x, batch), batch.eps));
    if (batch.weight === undefined) return tf.mean(residual) as tf.Scalar;
    return tf.mean(tf.mul(tf.mean(residual, 1, true), batch.weight)) as tf.Scalar;
  });
}

/**
 * Min-SNR-gamma loss weights (Hang et al., 2023) for the noise-prediction
 * loss: w = min(SNR, gamma) / SNR = min(1, gamma b^2 / a^2), SNR = a^2 / b^2.
 * Why: at high SNR (little noise) the noise-prediction loss keeps pulling on
 * fine detail; capping the SNR's share frees the network for the noisier
 * levels where a sample's shape is decided.
 */
export function minSnrWeights(a: ArrayLike<number>, b: ArrayLike<number>, gamma: number): Float32Array {
  if (!(gamma > 0)) throw new RangeError(`minSnrWeights: gamma must be positive, got ${gamma}`);
  const w = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i]!;
    w[i] = ai === 0 ? 1 : Math.min(1, (gamma * b[i]! * b[i]!) / (ai * ai));
  }
  return w;
}
