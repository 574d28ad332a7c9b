import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { mnistDataSource } from '../datasets/mnist.js';
import { parameterCount } from '../models/backbone.js';
import { groupNorm, groupNormOps, groupNormReference } from '../models/group-norm.js';
import { initBackend } from '../src/platform/backend.js';
import { ParameterList } from '../models/init.js';
import { createResBlock, resBlock } from '../models/unet-blocks.js';
import { createUnet, type UnetConfig } from '../models/unet.js';
import { dsmLoss } from '../src/loss.js';
import { createProcess } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import type { ScoreNetwork } from '../src/score-network.js';
import { batchTensors, drawBatch } from '../src/train/batch.js';
import { freshState } from '../src/train/state.js';
import { trainStep } from '../src/train/step.js';
import { useWasm } from './helpers.js';

const SMALL: UnetConfig = {
  kind: 'unet',
  dim: 784,
  imageShape: [28, 28, 1],
  channels: [8, 16, 16],
  blocksPerLevel: 1,
  attention: true,
  groups: 4,
  embedDim: 32,
  timeFrequencies: 8,
  maxFrequency: 16,
};

function normals(shape: number[], seed: number, scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from(Rng.fromSeed(seed).normals(n), (v) => scale * v), shape);
}

/** Every weight set to small random values: the zero-initialised layers would hide the input and tau. */
function randomise(params: { variable: tf.Variable }[], seed: number): void {
  params.forEach((p, i) => tf.tidy(() => p.variable.assign(normals(p.variable.shape, seed + i, 0.2))));
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

beforeAll(async () => {
  await useWasm();
});

describe('group normalisation (+ SiLU) with a closed-form gradient', () => {
  const cases = (['wasm', 'cpu'] as const).flatMap((backend) => [false, true].map((silu) => [backend, silu] as const));
  it.each(cases)('%s, silu %s: value and gradients (host-memory kernels and tensor ops) match autodiff of the plain formula', async (backend, silu) => {
    await initBackend(backend, { threads: 1 });
    const x = normals([3, 5, 4, 8], 1, 2) as tf.Tensor4D;
    const gamma = normals([8], 2) as tf.Tensor1D;
    const beta = normals([8], 3) as tf.Tensor1D;
    const shift = normals([3, 8], 5) as tf.Tensor2D;
    const g = normals([3, 5, 4, 8], 4);
    const options = { groups: 4, silu };
    type Fn = typeof groupNorm;
    const withShift = (fn: Fn) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, s: tf.Tensor) =>
      tf.sum(tf.mul(fn(a as tf.Tensor4D, b as tf.Tensor1D, c as tf.Tensor1D, { ...options, shift: s as tf.Tensor2D }), g));
    const want = tf.grads(withShift(groupNormReference))([x, gamma, beta, shift]);
    const wantValue = groupNormReference(x, gamma, beta, { ...options, shift });
    expect(maxAbsDiff(groupNorm(x, gamma, beta, { ...options, shift }), wantValue)).toBeLessThan(1e-5);
    tf.grads(withShift(groupNorm))([x, gamma, beta, shift]).forEach((t, i) => expect(maxAbsDiff(t, want[i]!), `gradient ${i}`).toBeLessThan(1e-4));
    // The tensor-op path (other backends), on the shifted input.
    const shifted = tf.add(x, tf.reshape(shift, [3, 1, 1, 8])) as tf.Tensor4D;
    expect(maxAbsDiff(groupNormOps(shifted, gamma, beta, options), wantValue)).toBeLessThan(1e-5);
    const plain = (fn: Fn) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(fn(a as tf.Tensor4D, b as tf.Tensor1D, c as tf.Tensor1D, options), g));
    const ops = tf.grads(plain(groupNormOps))([shifted, gamma, beta]);
    const ref = tf.grads(plain(groupNormReference))([shifted, gamma, beta]);
    ops.forEach((t, i) => expect(maxAbsDiff(t, ref[i]!), `tensor-op gradient ${i}`).toBeLessThan(1e-4));
    await useWasm();
  });
});

describe('residual block on a channel concatenation', () => {
  it('equals the block applied to the concatenated input (the concatenation is never formed)', () => {
    const list = new ParameterList();
    const block = createResBlock(list, 'b', Rng.fromSeed(1), 16, 8, 12);
    randomise(list.params, 50);
    const h = normals([2, 6, 6, 8], 5) as tf.Tensor4D;
    const skip = normals([2, 6, 6, 8], 6) as tf.Tensor4D;
    const emb = normals([2, 12], 7) as tf.Tensor2D;
    const split = resBlock([h, skip], emb, block, 4);
    const joined = resBlock([tf.concat([h, skip], 3)], emb, block, 4);
    expect(maxAbsDiff(split, joined)).toBeLessThan(1e-5);
    list.dispose();
  });
});

describe('U-Net backbone', () => {
  it('maps [n, 784] to [n, 784], names its parameters uniquely in a fixed order and counts them', () => {
    const a = createUnet(SMALL, Rng.fromSeed(3));
    const b = createUnet(SMALL, Rng.fromSeed(3));
    const names = a.params.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.slice(0, 6)).toEqual(['time/dense0/kernel', 'time/dense0/bias', 'time/dense1/kernel', 'time/dense1/bias', 'in/conv/kernel', 'in/conv/bias']);
    expect(names).toContain('mid/attention/qkv/kernel');
    expect(names.at(-1)).toBe('out/conv/bias');
    expect(parameterCount(a)).toBe(a.params.reduce((s, p) => s + p.variable.size, 0));
    // Same seed, same initial weights.
    a.params.forEach((p, i) => expect(maxAbsDiff(p.variable, b.params[i]!.variable)).toBe(0));
    const x = normals([3, 784], 4) as tf.Tensor2D;
    const tau = tf.tensor2d([0.1, 0.5, 0.9], [3, 1]);
    const y = a.apply(x, tau);
    expect(y.shape).toEqual([3, 784]);
    // The output convolution starts at zero.
    expect(maxAbsDiff(y, tf.zerosLike(y))).toBe(0);
    a.dispose();
    b.dispose();
  });

  it('leaves its variables as the only tensors it owns, and frees them all on dispose', () => {
    const before = tf.memory().numTensors;
    const net = createUnet(SMALL, Rng.fromSeed(1));
    expect(tf.memory().numTensors - before).toBe(net.params.length + 1); // + the Fourier frequencies
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('depends on tau, and its gradients are finite', () => {
    const net = createUnet(SMALL, Rng.fromSeed(5));
    randomise(net.params, 100);
    const x = tf.tile(normals([1, 784], 8), [2, 1]) as tf.Tensor2D;
    const y = net.apply(x, tf.tensor2d([0.1, 0.7], [2, 1]));
    const [y0, y1] = tf.split(y, 2, 0);
    expect(maxAbsDiff(y0!, y1!)).toBeGreaterThan(1e-3);
    const vars = net.params.map((p) => p.variable);
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(net.apply(x, tf.tensor2d([0.3, 0.6], [2, 1])))) as tf.Scalar, vars);
    expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
    for (const v of vars) {
      const g = grads[v.name]!;
      expect(g.shape).toEqual(v.shape);
      expect(tf.all(tf.isFinite(g)).dataSync()[0]).toBe(1);
    }
    net.dispose();
  });

  it('works without attention and with two blocks per level (odd 7 x 7 level included)', () => {
    const net = createUnet({ ...SMALL, attention: false, blocksPerLevel: 2 }, Rng.fromSeed(6));
    expect(net.params.some((p) => p.name.includes('attention'))).toBe(false);
    expect(net.params.some((p) => p.name === 'up0/res1/conv1/kernel')).toBe(true);
    expect(net.apply(normals([2, 784], 9) as tf.Tensor2D, tf.tensor2d([0.2, 0.4], [2, 1])).shape).toEqual([2, 784]);
    net.dispose();
  });

  it('a few training steps on a small MNIST subset lower the DSM loss, with VP and with PBM', () => {
    const data = mnistDataSource({ subset: 256 });
    for (const processName of ['vp', 'pbm'] as const) {
      const path = createProcess(processName);
      const backbone = createUnet(SMALL, Rng.fromSeed(7));
      const net: ScoreNetwork = { backbone, parameterisation: 'noise', dataStd: data.dataStd };
      const state = freshState(backbone, 10);
      // One fixed held-out batch (same images, noise levels and noise before and after).
      const probe = batchTensors(drawBatch(data, path, 32, Rng.fromSeed(99)));
      const probeLoss = () => tf.tidy(() => dsmLoss(net, probe).dataSync()[0]!);
      const before = probeLoss();
      const tensorsBefore = tf.memory().numTensors;
      for (let step = 1; step <= 25; step++) {
        const batch = batchTensors(drawBatch(data, path, 8, Rng.derive(1, step)));
        const r = trainStep(net, state.optimiser, batch, 3e-3, 1, step);
        expect(r.finite).toBe(true);
        tf.dispose(Object.values(batch));
      }
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      const after = probeLoss();
      // At init the output is 0, so the loss is E eps^2 = 1; training must beat predicting zero.
      expect(before).toBeCloseTo(1, 1);
      expect(after, processName).toBeLessThan(0.7 * before);
      tf.dispose(Object.values(probe));
      backbone.dispose();
    }
  });
});
