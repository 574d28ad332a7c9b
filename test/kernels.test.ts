import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { columnSum } from '../src/platform/kernels/column-sum.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

const SHAPES: [number, number][] = [[1, 1], [3, 70], [67, 33], [512, 256], [64, 1]];
const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe.each(['wasm', 'cpu'])('host-memory kernels on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  it.each(SHAPES)('columnSum of %i x %i matches tf.sum(x, 0) to float32 round-off, with its gradient', (r, c) => {
    tf.tidy(() => {
      const x = tf.randomNormal([r, c], 0, 1, 'float32', r + c) as tf.Tensor2D;
      const ours = columnSum(x);
      expect(ours.shape).toEqual([c]);
      // Sums of r terms of size ~1: float32 accumulation errs by ~r * 6e-8.
      expect(maxAbs(ours, tf.sum(x, 0))).toBeLessThan(1e-6 * Math.max(1, r));
      const w = tf.randomNormal([c], 0, 1, 'float32', 3);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(columnSum(t as tf.Tensor2D), w)))(x);
      expect(maxAbs(g, tf.broadcastTo(tf.reshape(w, [1, c]), [r, c]))).toBe(0);
    });
  });

  it('leaves no tensors behind', () => {
    const x = tf.randomNormal([40, 30]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      tf.tidy(() => {
        columnSum(x);
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
