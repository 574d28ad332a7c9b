import * as tf from '@tensorflow/tfjs-core';
import type { ImageClassifier } from '../../models/classifier.js';

/** What the classifier says about a set of images. */
export interface Predictions {
  count: number;
  /** Penultimate-layer features, count x hidden, row-major. */
  features: Float32Array;
  featureDim: number;
  /** Softmax class probabilities, count x classes, row-major. */
  probabilities: Float32Array;
  classes: number;
}

/** Images per forward pass: bounds memory (the first conv's output is 12.5 MB per 1000 images). */
export const PREDICT_BATCH = 500;

/**
 * Runs the classifier over `count` images (rows of height * width * channels
 * in [-1, 1]) in batches; the images may be float32 or float64.
 */
export function predict(model: ImageClassifier, images: ArrayLike<number>, count: number, onBatch?: (done: number) => void): Predictions {
  const { height, width, channels, hidden, classes } = model.config;
  const dim = height * width * channels;
  if (images.length !== count * dim) {
    throw new RangeError(`predict: ${count} images of ${dim} values need ${count * dim} numbers, got ${images.length}`);
  }
  const features = new Float32Array(count * hidden);
  const probabilities = new Float32Array(count * classes);
  for (let start = 0; start < count; start += PREDICT_BATCH) {
    const n = Math.min(PREDICT_BATCH, count - start);
    const slice =
      images instanceof Float32Array
        ? images.subarray(start * dim, (start + n) * dim)
        : Float32Array.from({ length: n * dim }, (_, i) => images[start * dim + i]!);
    const [f, p] = tf.tidy(() => {
      const out = model.forward(tf.tensor2d(slice, [n, dim]));
      return [out.features.dataSync() as Float32Array, tf.softmax(out.logits).dataSync() as Float32Array];
    });
    features.set(f!, start * hidden);
    probabilities.set(p!, start * classes);
    onBatch?.(start + n);
  }
  return { count, features, featureDim: hidden, probabilities, classes };
}

/** Index of the largest probability of each row. */
export function predictedLabels(p: Predictions): Uint8Array {
  const out = new Uint8Array(p.count);
  for (let i = 0; i < p.count; i++) {
    let best = 0;
    for (let c = 1; c < p.classes; c++) if (p.probabilities[i * p.classes + c]! > p.probabilities[i * p.classes + best]!) best = c;
    out[i] = best;
  }
  return out;
}

/** Share of rows whose predicted label equals `labels`. */
export function accuracy(p: Predictions, labels: ArrayLike<number>): number {
  const predicted = predictedLabels(p);
  let right = 0;
  for (let i = 0; i < p.count; i++) if (predicted[i] === labels[i]) right++;
  return right / p.count;
}
