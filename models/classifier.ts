import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../src/rng.js';
import type { NamedParameter } from './backbone.js';
import { glorotUniform, heUniform, ParameterList } from './init.js';
import { conv2d } from './conv2d.js';
import { dense, denseActivation } from './dense.js';

/**
 * A small CNN image classifier (the MNIST classifier behind the image
 * metrics): blocks of [k x k conv ('same') + bias + ReLU, 2 x 2 max pool (stride 2)],
 * then a dense ReLU layer (the features) and a dense layer to the logits.
 */
export interface ClassifierConfig {
  kind: 'cnn-classifier';
  height: number;
  width: number;
  channels: number;
  /** Output channels of each conv block. */
  convChannels: number[];
  /** Spatial size of every conv kernel. */
  kernel: number;
  /** Width of the penultimate (feature) layer. */
  hidden: number;
  classes: number;
}

export const MNIST_CLASSIFIER_CONFIG: ClassifierConfig = {
  kind: 'cnn-classifier',
  height: 28,
  width: 28,
  channels: 1,
  convChannels: [16, 32],
  kernel: 3,
  hidden: 128,
  classes: 10,
};

export interface ClassifierOutput {
  /** Penultimate layer, after its ReLU: [n, hidden]. */
  features: tf.Tensor2D;
  logits: tf.Tensor2D;
}

export interface ImageClassifier {
  readonly config: ClassifierConfig;
  /** Trainable parameters in a fixed order (the weight file's order). */
  readonly params: NamedParameter[];
  /** x: [n, height * width * channels], rows of row-major NHWC pixels in [-1, 1]. */
  forward(x: tf.Tensor2D): ClassifierOutput;
  dispose(): void;
}

/** Spatial size after the conv blocks: each 2 x 2 pool (stride 2, 'valid') halves it, rounding down. */
export function pooledSize(config: ClassifierConfig): { height: number; width: number } {
  let [h, w] = [config.height, config.width];
  for (let i = 0; i < config.convChannels.length; i++) [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
  return { height: h, width: w };
}

export function createClassifier(config: ClassifierConfig, rng: Rng): ImageClassifier {
  const list = new ParameterList();
  const k = config.kernel;
  const convs: { w: tf.Variable; b: tf.Variable }[] = [];
  let cin = config.channels;
  config.convChannels.forEach((cout, i) => {
    const fanIn = k * k * cin;
    // He-uniform: every conv block is followed by a ReLU.
    const w = list.add(`conv${i}/kernel`, heUniform(rng, fanIn * cout, fanIn), [k, k, cin, cout]);
    const b = list.zeros(`conv${i}/bias`, [cout]);
    convs.push({ w, b });
    cin = cout;
  });
  const pooled = pooledSize(config);
  const flat = pooled.height * pooled.width * cin;
  // He-uniform before a ReLU (the features), Glorot-uniform for the logits.
  const denseLayer = (name: string, fanIn: number, fanOut: number, relu: boolean) => ({
    w: list.add(`${name}/kernel`, relu ? heUniform(rng, fanIn * fanOut, fanIn) : glorotUniform(rng, fanIn * fanOut, fanIn, fanOut), [fanIn, fanOut]),
    b: list.zeros(`${name}/bias`, [fanOut]),
  });
  const hidden = denseLayer('dense0', flat, config.hidden, true);
  const out = denseLayer('dense1', config.hidden, config.classes, false);

  return {
    config,
    params: list.params,
    forward(x) {
      let h: tf.Tensor4D = tf.reshape(x, [x.shape[0], config.height, config.width, config.channels]);
      for (const { w, b } of convs) {
        // pool(relu(z + b)) = relu(pool(z) + b): max pooling commutes with a per-channel
        // constant and with ReLU (monotone), and this order does the bias and ReLU (and their
        // gradients) on the 4x smaller pooled tensor.
        const pooledZ = tf.maxPool(conv2d(h, w as tf.Tensor4D, { padding: 'same' }), 2, 2, 'valid');
        h = tf.relu(tf.add(pooledZ, b));
      }
      const flatH = tf.reshape(h, [h.shape[0], flat]) as tf.Tensor2D;
      const features = denseActivation(flatH, hidden.w as tf.Tensor2D, hidden.b as tf.Tensor1D, 'relu');
      const logits = dense(features, out.w as tf.Tensor2D, out.b as tf.Tensor1D);
      return { features, logits };
    },
    dispose() {
      list.dispose();
    },
  };
}

export function classifierParameterCount(model: ImageClassifier): number {
  return model.params.reduce((sum, p) => sum + p.variable.size, 0);
}
