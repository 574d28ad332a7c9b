import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import { createMlp } from '../models/mlp.js';
import { createUnet, type UnetConfig } from '../models/unet.js';
import { dsmLoss } from '../src/loss.js';
import { createProcess } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import type { ScoreNetwork } from '../src/score-network.js';
import { batchTensors, drawBatch } from '../src/train/batch.js';
import { ReplicaPool } from '../src/train/replicas/pool.js';
import { useWasm } from './helpers.js';

const DIM = 3;
const BATCH = 101; // not divisible by the replica count: shards of unequal size

describe('data-parallel replicas', () => {
  let net: ScoreNetwork;
  let pool: ReplicaPool;

  beforeAll(async () => {
    await useWasm();
    const backbone = createMlp({ kind: 'mlp', dim: DIM, width: 32, depth: 2, activation: 'silu', timeFrequencies: 4, maxFrequency: 16 }, Rng.fromSeed(4));
    net = { backbone, parameterisation: 'noise', dataStd: 1.2 };
    pool = await ReplicaPool.start(3, 'wasm', net, BATCH, DIM);
  }, 60_000);

  afterAll(async () => {
    await pool?.close();
  });

  it('give the full-batch loss and gradients to float32 round-off, at the current weights', () => {
    const target = createTarget('gaussian', { dim: DIM, std: 2 });
    const path = createProcess('vp');
    const vars = net.backbone.params.map((p) => p.variable);
    for (const seed of [1, 2]) {
      const arrays = drawBatch(target, path, BATCH, Rng.fromSeed(seed));
      const replicated = pool.lossAndGradients(net, arrays);
      const batch = batchTensors(arrays);
      const { value, grads } = tf.variableGrads(() => dsmLoss(net, batch), vars);
      const full = Float32Array.from(vars.flatMap((v) => Array.from(grads[v.name]!.dataSync())));
      expect(Math.abs(replicated.loss - value.dataSync()[0]!) / value.dataSync()[0]!).toBeLessThan(1e-6);
      const scale = full.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const worst = full.reduce((m, v, j) => Math.max(m, Math.abs(v - replicated.grads[j]!)), 0);
      expect(worst / scale).toBeLessThan(1e-5);
      tf.dispose([value, ...Object.values(grads), ...(Object.values(batch) as tf.Tensor[])]);
      // Move the weights: the next call must see them (weights travel every step).
      tf.tidy(() => vars.forEach((v) => v.assign(tf.mul(v, 0.9))));
    }
  });

  it('refuses a batch of another shape', () => {
    const path = createProcess('vp');
    const small = drawBatch(createTarget('gaussian', { dim: DIM }), path, BATCH - 1, Rng.fromSeed(3));
    expect(() => pool.lossAndGradients(net, small)).toThrow(/the pool was set up for 101 x 3/);
  });
});

describe('data-parallel replicas of the U-Net (images of 784 values)', () => {
  it('give the full-batch loss and gradients to float32 round-off', async () => {
    await useWasm();
    const config: UnetConfig = { kind: 'unet', dim: 784, imageShape: [28, 28, 1], channels: [8, 16, 16], blocksPerLevel: 1, attention: true, groups: 4, embedDim: 32, timeFrequencies: 8, maxFrequency: 16 };
    const backbone = createUnet(config, Rng.fromSeed(3));
    const net: ScoreNetwork = { backbone, parameterisation: 'noise', dataStd: 1 };
    const rows = 9;
    const pool = await ReplicaPool.start(2, 'wasm', net, rows, 784);
    try {
      const arrays = drawBatch(createTarget('gaussian', { dim: 784 }), createProcess('vp'), rows, Rng.fromSeed(1));
      const replicated = pool.lossAndGradients(net, arrays);
      const vars = backbone.params.map((p) => p.variable);
      const batch = batchTensors(arrays);
      const { value, grads } = tf.variableGrads(() => dsmLoss(net, batch), vars);
      const full = Float32Array.from(vars.flatMap((v) => Array.from(grads[v.name]!.dataSync())));
      const loss = value.dataSync()[0]!;
      // Every row's squared error is computed alike; only the mean's summation order differs:
      // n = rows x 784 non-negative terms, so at most 2 (n - 1) u apart (u = 2^-24).
      expect(Math.abs(replicated.loss - loss) / loss).toBeLessThanOrEqual(2 * (rows * 784 - 1) * 2 ** -24);
      const scale = full.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const worst = full.reduce((m, v, j) => Math.max(m, Math.abs(v - replicated.grads[j]!)), 0);
      expect(worst / scale).toBeLessThan(1e-5);
      tf.dispose([value, ...Object.values(grads), ...(Object.values(batch) as tf.Tensor[])]);
    } finally {
      await pool.close();
      backbone.dispose();
    }
  }, 120_000);
});
