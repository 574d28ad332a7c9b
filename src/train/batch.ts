import * as tf from '@tensorflow/tfjs-core';
import type { DataSource } from '../../datasets/target.js';
import type { DsmBatch } from '../loss.js';
import type { GaussianPath } from '../process/index.js';
import type { Rng } from '../rng.js';
import { tauFromUniform, type TauSampling } from './tau-sampling.js';

/** A DSM batch in plain arrays (float64 arithmetic, float32 storage). */
export interface BatchArrays {
  x: Float32Array;
  eps: Float32Array;
  tau: Float32Array;
  a: Float32Array;
  b: Float32Array;
  size: number;
  dim: number;
  /** Per-example loss weights (absent: all 1). */
  weight?: Float32Array;
}

/**
 * Draws x0 from the target, tau from one uniform draw by `tauSampling`
 * (default: tau ~ U[tauMin, tauMax]), eps ~ N(0, I) and forms x = a x0 + b eps
 * in double precision, all from one seeded stream.
 */
export function drawBatch(target: DataSource, path: GaussianPath, size: number, rng: Rng, tauSampling: TauSampling = 'uniform'): BatchArrays {
  const d = target.dim;
  const x0 = target.sample(size, rng);
  const out: BatchArrays = {
    x: new Float32Array(size * d),
    eps: new Float32Array(size * d),
    tau: new Float32Array(size),
    a: new Float32Array(size),
    b: new Float32Array(size),
    size,
    dim: d,
  };
  for (let i = 0; i < size; i++) {
    const tau = tauFromUniform(path, tauSampling, rng.uniform());
    const { a, b } = path.coefficients(tau);
    out.tau[i] = tau;
    out.a[i] = a;
    out.b[i] = b;
    for (let j = i * d; j < (i + 1) * d; j++) {
      const e = rng.normal();
      out.eps[j] = e;
      out.x[j] = a * x0[j]! + b * e;
    }
  }
  return out;
}

/** Rows [start, end) of a batch, as views into the same arrays (no copy). */
export function batchRows(batch: BatchArrays, start: number, end: number): BatchArrays {
  const d = batch.dim;
  return {
    x: batch.x.subarray(start * d, end * d),
    eps: batch.eps.subarray(start * d, end * d),
    tau: batch.tau.subarray(start, end),
    a: batch.a.subarray(start, end),
    b: batch.b.subarray(start, end),
    size: end - start,
    dim: d,
    ...(batch.weight === undefined ? {} : { weight: batch.weight.subarray(start, end) }),
  };
}

/** The batch as the loss's tensors: [size, dim] for x and eps, [size, 1] for the per-row values. */
export function batchTensors(batch: BatchArrays): DsmBatch {
  const { size, dim } = batch;
  return {
    x: tf.tensor2d(batch.x, [size, dim]),
    eps: tf.tensor2d(batch.eps, [size, dim]),
    tau: tf.tensor2d(batch.tau, [size, 1]),
    a: tf.tensor2d(batch.a, [size, 1]),
    b: tf.tensor2d(batch.b, [size, 1]),
    ...(batch.weight === undefined ? {} : { weight: tf.tensor2d(batch.weight, [size, 1]) }),
  };
}
