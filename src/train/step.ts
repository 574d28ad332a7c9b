import * as tf from '@tensorflow/tfjs-core';
import { dsmLoss, type DsmBatch } from '../loss.js';
import type { Optimiser, UpdateResult } from '../optim/optimiser.js';
import type { ScoreNetwork } from '../score-network.js';

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
