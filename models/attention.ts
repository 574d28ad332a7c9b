import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../src/rng.js';
import { dense } from './dense.js';
import { groupNorm } from './group-norm.js';
import type { ParameterList } from './init.js';

/** Parameters of one single-head self-attention layer over the positions of a feature map. */
export interface AttentionParams {
  gamma: tf.Variable;
  beta: tf.Variable;
  /** [c, 3c]: columns [0, c) give the queries, [c, 2c) the keys, [2c, 3c) the values. */
  qkvKernel: tf.Variable;
  qkvBias: tf.Variable;
  outKernel: tf.Variable;
  outBias: tf.Variable;
}

export function createAttention(list: ParameterList, prefix: string, channels: number, rng: Rng): AttentionParams {
  const c = channels;
  return {
    gamma: list.ones(`${prefix}/norm/gamma`, [c]),
    beta: list.zeros(`${prefix}/norm/beta`, [c]),
    qkvKernel: list.glorot(`${prefix}/qkv/kernel`, rng, [c, 3 * c], c, 3 * c),
    qkvBias: list.zeros(`${prefix}/qkv/bias`, [3 * c]),
    // Zero: the layer starts as the identity (its residual branch is 0).
    outKernel: list.zeros(`${prefix}/out/kernel`, [c, c]),
    outBias: list.zeros(`${prefix}/out/bias`, [c]),
  };
}

/**
 * x + out(softmax(q k^T / sqrt(c)) v) with q, k, v = split(norm(x) W_qkv + b):
 * every position of the map attends to every other, per example. Meant for the
 * lowest resolution (7 x 7 = 49 positions): the score matrices are
 * [n, 49, 49] batched products, which run on wasm's slower batched path.
 */
export function attention(x: tf.Tensor4D, p: AttentionParams, groups: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const positions = h * w;
  const xn = groupNorm(x, p.gamma as tf.Tensor1D, p.beta as tf.Tensor1D, { groups, silu: false });
  const qkv = dense(tf.reshape(xn, [n * positions, c]), p.qkvKernel as tf.Tensor2D, p.qkvBias as tf.Tensor1D);
  const [q, k, v] = tf.split(qkv, 3, 1).map((t) => tf.reshape(t, [n, positions, c]) as tf.Tensor3D) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
  // Explicit transpose: matMul's transpose flags take a slower path on wasm.
  const scores = tf.mul(tf.matMul(q, tf.transpose(k, [0, 2, 1])), 1 / Math.sqrt(c));
  const mixed = tf.matMul(tf.softmax(scores), v);
  const out = dense(tf.reshape(mixed, [n * positions, c]) as tf.Tensor2D, p.outKernel as tf.Tensor2D, p.outBias as tf.Tensor1D);
  return tf.add(x, tf.reshape(out, [n, h, w, c])) as tf.Tensor4D;
}
