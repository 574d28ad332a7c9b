import * as tf from '@tensorflow/tfjs-core';
import { dsmLoss, type DsmBatch } from '../loss.js';
import type { Optimiser, UpdateResult } from '../optim/optimiser.js';
import type { ScoreNetwork } from '../score-network.js';
import type { BatchArrays } from './batch.js';
import { splitByParameter, type ReplicaPool } from './replicas/pool.js';

export type StepResult = UpdateResult;

/**
 * One training update: DSM loss and gradients, then the optimiser, which
 * checks finiteness before any weight changes (so a blow-up never reaches the
 * weights), clips by global norm, applies Adam and updates the EMA.
 */
export function trainStep(
  net: ScoreNetwork,
  optimiser: Optimiser,
  batch: DsmBatch,
  lr: number,
  gradClip: number,
  step: number,
): StepResult {
  const vars = net.backbone.params.map((p) => p.variable);
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => dsmLoss(net, batch), vars);
    return optimiser.update(value, vars.map((v) => grads[v.name]!), lr, gradClip, step);
  });
}

/**
 * The same update with the loss and gradients of `arrays` from a replica pool
 * (`train --replicas R`): clipping, Adam and the EMA then run from host memory.
 */
export function replicaTrainStep(
  net: ScoreNetwork,
  optimiser: Optimiser,
  pool: ReplicaPool,
  arrays: BatchArrays,
  lr: number,
  gradClip: number,
  step: number,
): StepResult {
  const { loss, grads } = pool.lossAndGradients(net, arrays);
  const vars = net.backbone.params.map((p) => p.variable);
  return optimiser.updateFromHost(loss, splitByParameter(grads, vars), lr, gradClip, step);
}
