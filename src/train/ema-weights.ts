import * as tf from '@tensorflow/tfjs-core';
import type { TrainingState } from './state.js';

/**
 * Runs `use` with the EMA weights in the network, then puts the training weights back exactly
 * (the same float32 values, as new tensors), so that sampling in the middle of training (the
 * snapshots) leaves the training that follows bit for bit as it was.
 */
export async function withEmaWeights<T>(state: TrainingState, use: () => Promise<T>): Promise<T> {
  const variables = state.backbone.params.map((p) => p.variable);
  const saved = variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  state.optimiser.copyEmaToParams();
  try {
    return await use();
  } finally {
    tf.tidy(() => variables.forEach((v, i) => v.assign(tf.tensor(saved[i]!, v.shape))));
  }
}
