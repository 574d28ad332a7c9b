import * as tf from '@tensorflow/tfjs-core';
import type { MnistSplit } from '../../datasets/mnist.js';
import type { ImageClassifier } from '../../models/classifier.js';
import { Adam } from '../optim/adam.js';
import { learningRate } from '../optim/schedule.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import { yieldToEventLoop } from '../yield.js';
import { stepsPerEpoch, totalSteps, type ClassifierRecipe } from './recipe.js';

/** A seeded Fisher-Yates permutation of 0..count-1, one per (seed, epoch). */
export function epochPermutation(count: number, seed: number, epoch: number): Uint32Array {
  const rng = Rng.derive(seed, RNG_STREAMS.classifierShuffle, epoch);
  const p = Uint32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** The images and labels of update `step` (0-based): a slice of its epoch's shuffle. */
export function batchIndices(count: number, recipe: ClassifierRecipe, step: number, cache: { epoch: number; perm: Uint32Array | null }): Uint32Array {
  const perEpoch = stepsPerEpoch(count, recipe.batchSize);
  const epoch = Math.floor(step / perEpoch);
  if (cache.epoch !== epoch || cache.perm === null) {
    cache.epoch = epoch;
    cache.perm = epochPermutation(count, recipe.seed, epoch);
  }
  const size = Math.min(recipe.batchSize, count);
  const start = (step % perEpoch) * size;
  return cache.perm.subarray(start, start + size);
}

function gather(data: MnistSplit, indices: Uint32Array, dim: number): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(indices.length * dim);
  const y = new Int32Array(indices.length);
  indices.forEach((k, i) => {
    x.set(data.images.subarray(k * dim, (k + 1) * dim), i * dim);
    y[i] = data.labels[k]!;
  });
  return { x, y };
}

/** Mean softmax cross-entropy of the classifier on one batch. */
export function crossEntropy(model: ImageClassifier, x: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const logits = model.forward(x).logits;
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, model.config.classes), logits) as tf.Scalar;
}

export interface ClassifierStep {
  /** Updates done (1-based). */
  step: number;
  total: number;
  loss: number;
}

export interface TrainClassifierOptions {
  onStep?: (s: ClassifierStep) => void;
  /** Checked between updates: stop early (e.g. Ctrl-C). */
  shouldStop?: () => boolean;
}

export interface TrainClassifierResult {
  steps: number;
  /** Loss of every update, in order. */
  losses: number[];
  stopped: boolean;
}

/**
 * Trains with Adam on cross-entropy, seeded shuffles per epoch, warm-up then
 * cosine decay. `data.images` are rows of the classifier's input size.
 */
export async function trainClassifier(
  model: ImageClassifier,
  data: MnistSplit,
  recipe: ClassifierRecipe,
  options: TrainClassifierOptions = {},
): Promise<TrainClassifierResult> {
  const { height, width, channels } = model.config;
  const dim = height * width * channels;
  const vars = model.params.map((p) => p.variable);
  const adam = new Adam(vars);
  const total = totalSteps(recipe, data.count);
  const cache = { epoch: -1, perm: null as Uint32Array | null };
  const losses: number[] = [];
  try {
    for (let step = 0; step < total; step++) {
      if (options.shouldStop?.()) return { steps: step, losses, stopped: true };
      const { x, y } = gather(data, batchIndices(data.count, recipe, step, cache), dim);
      const lr = learningRate(step + 1, recipe.lr, recipe.warmupSteps, total, 'cosine');
      const loss = tf.tidy(() => {
        const xt = tf.tensor2d(x, [y.length, dim]);
        const yt = tf.tensor1d(y, 'int32');
        const { value, grads } = tf.variableGrads(() => crossEntropy(model, xt, yt), vars);
        adam.apply(vars.map((v) => grads[v.name]!), lr, step + 1);
        return value.dataSync()[0]!;
      });
      if (!Number.isFinite(loss)) throw new Error(`classifier training diverged: loss ${loss} at update ${step + 1}`);
      losses.push(loss);
      options.onStep?.({ step: step + 1, total, loss });
      // Lets Ctrl-C handlers and progress output run.
      if ((step + 1) % 10 === 0) await yieldToEventLoop();
    }
    return { steps: total, losses, stopped: false };
  } finally {
    adam.dispose();
  }
}
