import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../src/rng.js';
import { activate, type Activation } from './activations.js';
import { dense, denseActivation, isFusedActivation } from './dense.js';
import { fourierFrequencies, timeFeatures } from './time-features.js';
import type { Backbone } from './backbone.js';
import { ParameterList } from './init.js';

export interface MlpConfig {
  kind: 'mlp';
  /** Data dimension: input and output width. */
  dim: number;
  width: number;
  /** Number of hidden layers. */
  depth: number;
  activation: Activation;
  /** Number of Fourier frequencies of tau (2 features each). */
  timeFrequencies: number;
  maxFrequency: number;
}

/** MLP on [x, Fourier(tau)]; knows nothing about processes or parameterisations. */
export function createMlp(config: MlpConfig, rng: Rng): Backbone {
  const list = new ParameterList();
  const widths = [config.dim + 2 * config.timeFrequencies];
  for (let i = 0; i < config.depth; i++) widths.push(config.width);
  widths.push(config.dim);
  const layers: { w: tf.Variable; b: tf.Variable }[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const [fanIn, fanOut] = [widths[i]!, widths[i + 1]!];
    const w = list.glorot(`dense${i}/kernel`, rng, [fanIn, fanOut], fanIn, fanOut);
    const b = list.zeros(`dense${i}/bias`, [fanOut]);
    layers.push({ w, b });
  }
  const omega = tf.keep(tf.tensor2d(fourierFrequencies(config.timeFrequencies, config.maxFrequency), [1, config.timeFrequencies]));

  return {
    config,
    params: list.params,
    apply(x, tau) {
      let h: tf.Tensor2D = tf.concat([x, timeFeatures(tau, omega)], 1);
      const act = config.activation;
      layers.forEach((layer, i) => {
        const [w, b] = [layer.w as tf.Tensor2D, layer.b as tf.Tensor1D];
        if (i + 1 === layers.length) h = dense(h, w, b);
        // One custom-gradient op per hidden layer (fused forward, hand-written derivative).
        else if (isFusedActivation(act)) h = denseActivation(h, w, b, act);
        else h = activate(dense(h, w, b), act);
      });
      return h;
    },
    dispose() {
      omega.dispose();
      list.dispose();
    },
  };
}
