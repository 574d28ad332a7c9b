import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import { createProcess } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import { batchRows, batchTensors, drawBatch } from '../src/train/batch.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

describe('batchRows', () => {
  it('gives rows [start, end) of every field, views of the same memory', () => {
    const batch = { ...drawBatch(createTarget('gaussian', { dim: 3 }), createProcess('vp'), 10, Rng.fromSeed(1)), weight: Float32Array.from({ length: 10 }, (_, i) => i) };
    const rows = batchRows(batch, 4, 7);
    expect([rows.size, rows.dim]).toEqual([3, 3]);
    expect(Array.from(rows.x)).toEqual(Array.from(batch.x.slice(12, 21)));
    expect(Array.from(rows.eps)).toEqual(Array.from(batch.eps.slice(12, 21)));
    for (const key of ['tau', 'a', 'b', 'weight'] as const) expect(Array.from(rows[key]!)).toEqual(Array.from(batch[key].slice(4, 7)));
    expect(rows.x.buffer).toBe(batch.x.buffer);
    const { weight: _, ...unweighted } = batch;
    expect(batchRows(unweighted, 0, 2).weight).toBeUndefined();
  });

  it('turned into tensors equals the same rows sliced from the whole batch', () => {
    const batch = drawBatch(createTarget('gaussian', { dim: 2 }), createProcess('pbm'), 8, Rng.fromSeed(2));
    const whole = batchTensors(batch);
    const part = batchTensors(batchRows(batch, 2, 5));
    for (const key of ['x', 'eps', 'tau', 'a', 'b'] as const) {
      expect(part[key].shape).toEqual([3, whole[key].shape[1]]);
      expect(Array.from(part[key].dataSync())).toEqual(Array.from(tf.slice(whole[key], [2, 0], [3, -1]).dataSync()));
    }
    expect(part.weight).toBeUndefined();
  });
});
