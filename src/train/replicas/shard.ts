import * as tf from '@tensorflow/tfjs-core';
import { dsmLoss } from '../../loss.js';
import type { ScoreNetwork } from '../../score-network.js';
import { batchRows, batchTensors, type BatchArrays } from '../batch.js';
import type { SharedViews } from './layout.js';

/**
 * DSM loss and gradients on rows [start, end) of the shared batch; the
 * gradients are written into `into`, concatenated in parameter order.
 */
export function shardLossAndGradients(
  net: ScoreNetwork,
  views: SharedViews,
  dim: number,
  start: number,
  end: number,
  into: Float32Array,
  weighted: boolean,
): number {
  const vars = net.backbone.params.map((p) => p.variable);
  return tf.tidy(() => {
    const shared: BatchArrays = { x: views.x, eps: views.eps, tau: views.tau, a: views.a, b: views.b, size: views.tau.length, dim, ...(weighted ? { weight: views.weight } : {}) };
    const batch = batchTensors(batchRows(shared, start, end));
    const { value, grads } = tf.variableGrads(() => dsmLoss(net, batch), vars);
    let offset = 0;
    for (const v of vars) {
      into.set(grads[v.name]!.dataSync() as Float32Array, offset);
      offset += v.size;
    }
    return value.dataSync()[0]!;
  });
}

/** Copies the weights out of the variables, concatenated in parameter order. */
export function readParams(vars: tf.Variable[], into: Float32Array): void {
  let offset = 0;
  for (const v of vars) {
    into.set(v.dataSync() as Float32Array, offset);
    offset += v.size;
  }
}

/** Sets the variables from concatenated weights (new tensors: the wasm backend caches packed weights by tensor). */
export function writeParams(vars: tf.Variable[], from: Float32Array): void {
  tf.tidy(() => {
    let offset = 0;
    for (const v of vars) {
      v.assign(tf.tensor(from.slice(offset, offset + v.size), v.shape));
      offset += v.size;
    }
  });
}
