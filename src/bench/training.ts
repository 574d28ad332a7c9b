import * as tf from '@tensorflow/tfjs-core';
import * as tfjs from '@tensorflow/tfjs';
import { createMlp, type MlpConfig } from '../../models/mlp.js';
import { fourierFrequencies, timeFeatures } from '../../models/time-features.js';
import { createTarget } from '../../datasets/index.js';
import { ADAM_DEFAULTS } from '../optim/adam.js';
import { createOptimiser } from '../optim/optimiser.js';
import { createProcess } from '../process/index.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import type { ScoreNetwork } from '../score-network.js';
import type { DsmBatch } from '../loss.js';
import { batchTensors, drawBatch, type BatchArrays } from '../train/batch.js';
import { trainStep } from '../train/step.js';

/** A training-step benchmark: the network and its batch size. */
export interface TrainCase {
  dim: number;
  width: number;
  depth: number;
  batchSize: number;
}

/** Matmul floating-point operations of one training step: 2 forward + 4 backward per weight and example. */
export function trainStepFlops(c: TrainCase, timeFrequencies: number): number {
  const widths = [c.dim + 2 * timeFrequencies, ...new Array<number>(c.depth).fill(c.width), c.dim];
  let macs = 0;
  for (let i = 0; i + 1 < widths.length; i++) macs += widths[i]! * widths[i + 1]!;
  return 6 * c.batchSize * macs;
}

export const BENCH_TIME_FREQUENCIES = 8;

export function mlpConfig(c: TrainCase): MlpConfig {
  return {
    kind: 'mlp',
    dim: c.dim,
    width: c.width,
    depth: c.depth,
    activation: 'silu',
    timeFrequencies: BENCH_TIME_FREQUENCIES,
    maxFrequency: 16,
  };
}

/** A few DSM batches of a standard Gaussian target under the VP process, drawn once and reused in turn. */
export function benchBatchArrays(dim: number, batchSize: number, count = 4): BatchArrays[] {
  const target = createTarget('gaussian', { dim });
  const path = createProcess('vp');
  return Array.from({ length: count }, (_, i) => drawBatch(target, path, batchSize, Rng.derive(11, RNG_STREAMS.train, i)));
}

/** The same batches as tensors. */
export function benchBatches(dim: number, batchSize: number, count = 4): DsmBatch[] {
  return benchBatchArrays(dim, batchSize, count).map(batchTensors);
}

export interface StepRunner {
  /** One full update; returns the loss (read back, so the step has finished). */
  step(): number;
  dispose(): void | Promise<void>;
}

/**
 * The project's training step in this thread: custom-gradient layers, global-norm clipping, Adam,
 * EMA. The runner owns `net`, and the batches too when `ownsBatches`.
 */
export function plainRunner(net: ScoreNetwork, batches: DsmBatch[], ownsBatches = false): StepRunner {
  const vars = net.backbone.params.map((p) => p.variable);
  const optimiser = createOptimiser(vars, { emaHalfLife: 250 });
  let k = 0;
  return {
    step() {
      k += 1;
      return trainStep(net, optimiser, batches[k % batches.length]!, 1e-4, 1, k).loss;
    },
    dispose() {
      optimiser.dispose();
      net.backbone.dispose();
      if (ownsBatches) tf.dispose(batches.flatMap((b) => Object.values(b) as tf.Tensor[]));
    },
  };
}

/** The project's step on a training case's MLP. */
export const fastRunner = (c: TrainCase, batches: DsmBatch[]): StepRunner => plainRunner(benchMlpNetwork(c), batches);

/** The network of a training case, with the same initial weights in every runner. */
export function benchMlpNetwork(c: TrainCase): ScoreNetwork {
  return { backbone: createMlp(mlpConfig(c), Rng.fromSeed(3)), parameterisation: 'noise', dataStd: 1 };
}

/**
 * The same network and loss built the straightforward way: tf.layers dense
 * layers (swish = silu) and optimizer.minimize with tf.train.adam, inputs
 * scaled and time features built as in the project. It has no clipping or EMA,
 * so it does less work per step than the project's step.
 */
export function layersRunner(c: TrainCase, batches: DsmBatch[]): StepRunner {
  const model = tfjs.sequential();
  const inputs = c.dim + 2 * BENCH_TIME_FREQUENCIES;
  for (let i = 0; i < c.depth; i++) {
    model.add(tfjs.layers.dense({ units: c.width, activation: 'swish', ...(i === 0 ? { inputShape: [inputs] } : {}) }));
  }
  model.add(tfjs.layers.dense({ units: c.dim }));
  const optimizer = tfjs.train.adam(1e-4, ADAM_DEFAULTS.beta1, ADAM_DEFAULTS.beta2, ADAM_DEFAULTS.epsilon);
  const omega = tf.tensor2d(fourierFrequencies(BENCH_TIME_FREQUENCIES, 16), [1, BENCH_TIME_FREQUENCIES]);
  let k = 0;
  return {
    step() {
      k += 1;
      const batch = batches[k % batches.length]!;
      const loss = optimizer.minimize(() => {
        const variance = tf.add(tf.square(batch.a), tf.square(batch.b));
        const input = tf.concat([tf.mul(batch.x, tf.rsqrt(variance)), timeFeatures(batch.tau, omega)], 1);
        const out = model.apply(input) as tf.Tensor2D;
        return tf.mean(tf.square(tf.add(tf.neg(out), batch.eps))) as tf.Scalar;
      }, true)!;
      const value = loss.dataSync()[0]!;
      loss.dispose();
      return value;
    },
    dispose() {
      optimizer.dispose();
      model.dispose();
      omega.dispose();
    },
  };
}
