import * as tf from '@tensorflow/tfjs-core';
import * as tfjs from '@tensorflow/tfjs';
import { mnistDataSource } from '../../datasets/mnist.js';
import { conv2d } from '../../models/conv2d.js';
import { parameterCount } from '../../models/backbone.js';
import { createUnet, type UnetConfig } from '../../models/unet.js';
import { TRAIN_DEFAULTS } from '../config/recipes.js';
import { createProcess } from '../process/index.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import type { ScoreNetwork } from '../score-network.js';
import { batchTensors, drawBatch } from '../train/batch.js';
import { replicaRunner, replicasSuffix } from './replica-runner.js';
import { measure } from './timing.js';
import { plainRunner, type StepRunner } from './training.js';

/** What the image cases report (a BenchRow without its case name). */
export interface ImageBenchResult {
  description: string;
  ms: number;
  minMs: number;
  repeats: number;
  gflops?: number;
  note?: string;
}

export interface ImageBenchOptions {
  repeats: number;
  /** Data-parallel replicas of the U-Net's training step (1: the plain step; the conv case ignores it). */
  replicas?: number;
}

/** First line of an error, e.g. tfjs's "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'". */
function why(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 160);
}

function normals(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(Float32Array.from(Rng.fromSeed(seed).normals(shape.reduce((a, b) => a * b, 1))), shape);
}

/**
 * 3x3 convolution, 32 -> 32 channels, 28 x 28, batch 64: forward, input
 * gradient and filter gradient (3 passes of 2 N H W 9 Cin Cout flops each),
 * with models/conv2d.ts; beside it what tfjs's own tf.conv2d + autodiff does
 * on the active backend.
 */
export async function convCase(o: ImageBenchOptions): Promise<ImageBenchResult> {
  const [n, size, cin, cout] = [64, 28, 32, 32];
  const x = normals([n, size, size, cin], 1) as tf.Tensor4D;
  const w = normals([3, 3, cin, cout], 2) as tf.Tensor4D;
  const g = normals([n, size, size, cout], 3);
  const gradients = (conv: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor) =>
    tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), g)));
  const ours = gradients((a, b) => conv2d(a, b));
  const pass = () => {
    const r = ours([x, w]);
    r.forEach((t) => t.dataSync());
    tf.dispose(r);
  };
  const t = await measure(pass, { warmup: 2, repeats: o.repeats });
  const flops = 3 * 2 * n * size * size * 9 * cin * cout;
  // The straightforward build: tf.conv2d and its registered gradients.
  let note: string;
  try {
    tf.dispose(gradients((a, b) => tf.conv2d(a, b, 1, 'same'))([x, w]));
    const plain = await measure(() => tf.dispose(gradients((a, b) => tf.conv2d(a, b, 1, 'same'))([x, w]).map((r) => (r.dataSync(), r))), {
      warmup: 1,
      repeats: 3,
    });
    note = `tf.conv2d + autodiff: ${plain.median.toFixed(0)} ms`;
  } catch (err) {
    // Its input gradient alone runs (Conv2DBackpropInput is registered); time it for comparison.
    const inputOnly = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, w, 1, 'same'), g)));
    const partial = await measure(() => tf.tidy(() => inputOnly(x).dataSync()), { warmup: 1, repeats: 3 });
    note = `tf.conv2d + autodiff cannot train here (${why(err)}); its forward + input gradient alone: ${partial.median.toFixed(0)} ms`;
  }
  tf.dispose([x, w, g]);
  return {
    description: `conv 3x3, ${cin} -> ${cout} channels, ${size} x ${size}, batch ${n}: forward + input and filter gradients (models/conv2d.ts)`,
    ms: t.median,
    minMs: t.min,
    repeats: o.repeats,
    gflops: flops / (t.median * 1e6),
    note,
  };
}

/** The U-Net of the GPU recipe (the point recipe's U-Net settings; `--target mnist` defaults to the CPU recipe's smaller one). */
export function benchUnetConfig(): UnetConfig {
  const D = TRAIN_DEFAULTS;
  return {
    kind: 'unet',
    dim: 784,
    imageShape: [28, 28, 1],
    channels: [...D.channels],
    blocksPerLevel: D.blocksPerLevel,
    attention: D.attention,
    groups: D.groups,
    embedDim: 4 * D.channels[0],
    timeFrequencies: D.timeFrequencies,
    maxFrequency: D.maxFrequency,
  };
}

/**
 * Multiply-add flops x 2 of the U-Net's convolutions, dense layers and
 * attention products for one forward pass of `batch` images (a training step
 * is about 3 times this: forward, input and weight gradients).
 */
export function unetForwardFlops(c: UnetConfig, batch: number): number {
  const [h, w, imageChannels] = c.imageShape;
  const size = (l: number) => Math.ceil(h / 2 ** l) * Math.ceil(w / 2 ** l);
  const conv = (positions: number, k: number, cin: number, cout: number) => 2 * positions * k * k * cin * cout;
  const res = (positions: number, cin: number, cout: number) =>
    conv(positions, 3, cin, cout) + conv(positions, 3, cout, cout) + (cin === cout ? 0 : conv(positions, 1, cin, cout)) + 2 * c.embedDim * cout;
  const L = c.channels.length;
  let total = conv(size(0), 3, imageChannels, c.channels[0]!) + conv(size(0), 3, c.channels[0]!, imageChannels);
  total += 2 * (2 * c.timeFrequencies * c.embedDim + c.embedDim * c.embedDim);
  let cin = c.channels[0]!;
  for (let l = 0; l < L; l++) {
    const cl = c.channels[l]!;
    for (let b = 0; b < c.blocksPerLevel; b++) {
      total += res(size(l), cin, cl) + res(size(l), 2 * cl, cl);
      cin = cl;
    }
    if (l + 1 < L) total += conv(size(l + 1), 3, cl, cl) + conv(size(l), 3, c.channels[l + 1]!, cl);
  }
  const low = c.channels[L - 1]!;
  const p = size(L - 1);
  total += 2 * res(p, low, low);
  if (c.attention) total += 2 * p * low * 4 * low + 2 * 2 * p * p * low;
  return batch * total;
}

/** Does the straightforward tf.layers build of a small conv net train on this backend? */
function layersConvProblem(): string | null {
  const model = tfjs.sequential({
    layers: [tfjs.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, padding: 'same' }), tfjs.layers.flatten(), tfjs.layers.dense({ units: 1 })],
  });
  const optimizer = tfjs.train.adam(1e-3);
  try {
    tf.tidy(() => {
      optimizer.minimize(() => tf.mean(model.apply(tf.zeros([2, 28, 28, 1])) as tf.Tensor) as tf.Scalar);
    });
    return null;
  } catch (err) {
    return why(err);
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

/** One training step (DSM loss, gradients, clipping, Adam, EMA) of the MNIST U-Net at batch 64, VP. */
export async function unetCase(o: ImageBenchOptions): Promise<ImageBenchResult> {
  const config = benchUnetConfig();
  const batchSize = 64;
  const data = mnistDataSource({ subset: 4096 });
  const path = createProcess('vp');
  const arrays = Array.from({ length: 4 }, (_, i) => drawBatch(data, path, batchSize, Rng.derive(11, RNG_STREAMS.train, i)));
  const backbone = createUnet(config, Rng.fromSeed(3));
  const net: ScoreNetwork = { backbone, parameterisation: 'noise', dataStd: data.dataStd };
  const params = parameterCount(backbone);
  const replicas = o.replicas ?? 1;
  const runner = replicas > 1 ? await replicaRunner(net, arrays, replicas) : plainRunner(net, arrays.map(batchTensors), true);
  const t = await measure(() => runner.step(), { warmup: 2, repeats: o.repeats });
  await runner.dispose();
  const problem = layersConvProblem();
  return {
    description: `train step, U-Net ${config.channels.join(',')} (${config.blocksPerLevel} block per level, attention ${config.attention ? 'at 7 x 7' : 'off'}, ${params.toLocaleString('en-US')} parameters), MNIST batch ${batchSize}${replicasSuffix(replicas)}`,
    ms: t.median,
    minMs: t.min,
    repeats: o.repeats,
    gflops: (3 * unetForwardFlops(config, batchSize)) / (t.median * 1e6),
    note: problem ? `tf.layers conv2d + minimize: cannot train here (${problem})` : 'tf.layers conv2d + minimize trains on this backend (not timed)',
  };
}
