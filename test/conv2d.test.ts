import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/platform/backend.js';
import { Rng } from '../src/rng.js';
import { axisGeometry, conv2d, conv2dWithBias, type Conv2dPadding } from '../models/conv2d.js';

interface Case {
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: number;
  padding: Conv2dPadding;
}

/** Even and odd sizes, non-square inputs and filters, 1x1 and even filters, strides 1, 2, 3. */
const CASES: Case[] = [
  { x: [2, 7, 7, 3], w: [3, 3, 3, 4], stride: 1, padding: 'same' },
  { x: [2, 8, 8, 3], w: [3, 3, 3, 5], stride: 1, padding: 'same' },
  { x: [2, 7, 7, 3], w: [3, 3, 3, 4], stride: 2, padding: 'same' },
  { x: [3, 8, 5, 3], w: [3, 3, 3, 4], stride: 2, padding: 'same' },
  { x: [2, 7, 6, 2], w: [1, 1, 2, 3], stride: 2, padding: 'same' },
  { x: [2, 5, 5, 2], w: [4, 4, 2, 3], stride: 2, padding: 'same' },
  { x: [2, 11, 9, 2], w: [5, 3, 2, 3], stride: 3, padding: 'same' },
  { x: [1, 6, 6, 2], w: [3, 3, 2, 2], stride: 1, padding: 'valid' },
  { x: [2, 9, 7, 2], w: [3, 2, 2, 3], stride: 2, padding: 'valid' },
  { x: [4, 14, 14, 8], w: [3, 3, 8, 6], stride: 2, padding: 'same' },
];

function normals(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from(Rng.fromSeed(seed).normals(n)), shape);
}

type Triple = [Float32Array, Float32Array, Float32Array];

/** Value, input gradient and filter gradient of sum(conv(x, w) * g). */
function evaluate(c: Case, conv: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D, seed: number): Triple {
  return tf.tidy(() => {
    const x = normals(c.x, seed) as tf.Tensor4D;
    const w = normals(c.w, seed + 1) as tf.Tensor4D;
    const y = conv(x, w);
    const g = normals(y.shape, seed + 2);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), g)))([x, w]);
    return [y, dx!, dw!].map((t) => t.dataSync() as Float32Array) as Triple;
  });
}

function maxAbs(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/** Max |a - b| relative to the reference's largest entry. */
function relativeError(got: Float32Array, want: Float32Array): number {
  expect(got.length).toBe(want.length);
  let m = 0;
  for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i]! - want[i]!));
  return m / Math.max(1e-30, maxAbs(want));
}

describe('conv2d with forward-convolution gradients', () => {
  it('geometry follows TensorFlow: same = ceil(h / s) with the extra padding after; valid = floor((h - k) / s) + 1', () => {
    expect(axisGeometry(28, 3, 1, 'same')).toEqual({ inSize: 28, outSize: 28, padBefore: 1, padAfter: 1 });
    expect(axisGeometry(28, 3, 2, 'same')).toEqual({ inSize: 28, outSize: 14, padBefore: 0, padAfter: 1 });
    expect(axisGeometry(7, 3, 2, 'same')).toEqual({ inSize: 7, outSize: 4, padBefore: 1, padAfter: 1 });
    expect(axisGeometry(9, 3, 2, 'valid')).toEqual({ inSize: 9, outSize: 4, padBefore: 0, padAfter: 0 });
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`on ${backend}: values and both gradients match tf.conv2d + autodiff on the cpu backend`, async () => {
      for (const [i, c] of CASES.entries()) {
        await initBackend('cpu');
        const want = evaluate(c, (x, w) => tf.conv2d(x, w, c.stride, c.padding), 10 * i);
        await initBackend(backend, { threads: 1 });
        const got = evaluate(c, (x, w) => conv2d(x, w, { stride: c.stride, padding: c.padding }), 10 * i);
        const label = `${JSON.stringify(c)} on ${backend}`;
        // Sums of at most a few hundred float32 products: a few ulps of the largest entry.
        for (let k = 0; k < 3; k++) expect(relativeError(got[k], want[k]), `${label}, output ${k}`).toBeLessThan(2e-6);
      }
    });
  }

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`on ${backend}: conv2dWithBias matches tf.conv2d + bias, bias gradient included`, async () => {
      for (const [i, c] of [CASES[0]!, CASES[3]!, CASES[8]!].entries()) {
        const run = (conv: (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor4D) =>
          tf.tidy(() => {
            const x = normals(c.x, 10 * i) as tf.Tensor4D;
            const w = normals(c.w, 10 * i + 1) as tf.Tensor4D;
            const b = normals([c.w[3]], 10 * i + 3) as tf.Tensor1D;
            const y = conv(x, w, b);
            const g = normals(y.shape, 10 * i + 2);
            const grads = tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(conv(p as tf.Tensor4D, q as tf.Tensor4D, r as tf.Tensor1D), g)))([x, w, b]);
            return [y, ...grads].map((t) => t.dataSync() as Float32Array);
          });
        await initBackend('cpu');
        const want = run((x, w, b) => tf.add(tf.conv2d(x, w, c.stride, c.padding), b) as tf.Tensor4D);
        await initBackend(backend, { threads: 1 });
        const got = run((x, w, b) => conv2dWithBias(x, w, b, { stride: c.stride, padding: c.padding }));
        for (let k = 0; k < 4; k++) expect(relativeError(got[k]!, want[k]!), `${JSON.stringify(c)}, output ${k}`).toBeLessThan(2e-6);
      }
    });
  }

  it('trains on wasm, where tf.conv2d cannot (Conv2DBackpropFilter is not registered there)', async () => {
    await initBackend('wasm', { threads: 1 });
    const x = normals([2, 6, 6, 2], 1) as tf.Tensor4D;
    const w = normals([3, 3, 2, 2], 2) as tf.Tensor4D;
    const loss = (conv: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor) => (b: tf.Tensor) => tf.sum(conv(x, b as tf.Tensor4D));
    expect(() => tf.grad(loss((a, b) => tf.conv2d(a, b, 1, 'same')))(w)).toThrow(/Conv2DBackpropFilter/);
    const dw = tf.grad(loss((a, b) => conv2d(a, b)))(w);
    expect(dw.shape).toEqual([3, 3, 2, 2]);
    expect(Number.isFinite(tf.sum(tf.abs(dw)).dataSync()[0]!)).toBe(true);
    tf.dispose([x, w, dw]);
  });

  it('leaves no tensors behind in a forward + backward pass', async () => {
    await initBackend('wasm', { threads: 1 });
    const x = normals([2, 7, 7, 3], 1) as tf.Tensor4D;
    const w = normals([3, 3, 3, 4], 2) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(conv2d(a as tf.Tensor4D, b as tf.Tensor4D, { stride: 2 })))([x, w]);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([x, w, dx!, dw!]);
  });

  it('refuses mismatched channels and bad strides with a message naming them', () => {
    const x = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    expect(() => conv2d(x, tf.zeros([3, 3, 2, 1]) as tf.Tensor4D)).toThrow(/3 channels, filter expects 2/);
    expect(() => conv2d(x, tf.zeros([3, 3, 3, 1]) as tf.Tensor4D, { stride: 0 })).toThrow(/stride/);
  });
});
