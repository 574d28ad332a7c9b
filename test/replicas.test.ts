import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import { createMlp } from '../models/mlp.js';
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
