import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../models/index.js';
import { scaledScore, type Parameterisation } from './parameterisation.js';

/**
 * A backbone turned into a score model: inputs are scaled to unit variance
 * (c_in = 1 / sqrt(a^2 sigma_data^2 + b^2), as in EDM) so one network serves
 * every noise level of every process, and the output is read through the
 * parameterisation.
 */
export interface ScoreNetwork {
  backbone: Backbone;
  parameterisation: Parameterisation;
  /** Per-coordinate data standard deviation used in c_in. */
  dataStd: number;
}

/** Per-example noise-level tensors, all [n, 1] (or [1, 1] to broadcast). */
export interface NoiseLevel {
  tau: tf.Tensor2D;
  a: tf.Tensor2D;
  b: tf.Tensor2D;
}

/** b(tau) * s_theta(x, tau). */
export function scaledNetworkScore(net: ScoreNetwork, x: tf.Tensor2D, level: NoiseLevel): tf.Tensor2D {
  return tf.tidy(() => {
    const variance = tf.add(tf.square(tf.mul(level.a, net.dataStd)), tf.square(level.b));
    const xIn = tf.mul(x, tf.rsqrt(variance)) as tf.Tensor2D;
    const tau = level.tau.shape[0] === x.shape[0] ? level.tau : tf.broadcastTo(level.tau, [x.shape[0], 1]);
    const out = net.backbone.apply(xIn, tau as tf.Tensor2D);
    return scaledScore(net.parameterisation, out, x, level.a, level.b);
  });
}

/** s_theta(x, tau) at a single noise level for every row of x. */
export function networkScore(net: ScoreNetwork, x: tf.Tensor2D, tau: number, a: number, b: number): tf.Tensor2D {
  return tf.tidy(() => {
    const level: NoiseLevel = {
      tau: tf.fill([x.shape[0], 1], tau) as tf.Tensor2D,
      a: tf.tensor2d([a], [1, 1]),
      b: tf.tensor2d([b], [1, 1]),
    };
    return tf.div(scaledNetworkScore(net, x, level), b) as tf.Tensor2D;
  });
}
