import * as tf from '@tensorflow/tfjs-core';
import { dsmLoss, type DsmBatch } from '../loss.js';
import type { Adam } from '../optim/adam.js';
import { clipByGlobalNorm, globalNorm } from '../optim/clip.js';
import type { Ema } from '../optim/ema.js';
import type { ScoreNetwork } from '../score-network.js';

export interface StepResult {
  loss: number;
  gradNorm: number;
  /** False when the loss or gradient was NaN or infinite: nothing was updated. */
  finite: boolean;
}

export interface Optimisers {
  adam: Adam;
  ema: Ema;
}

/**
 * One training update: DSM loss and gradients, a finiteness check before any
 * weight changes (so a blow-up never reaches the weights), global-norm
 * clipping, Adam, then the EMA.
 */
export function trainStep(
  net: ScoreNetwork,
  opt: Optimisers,
  batch: DsmBatch,
  lr: number,
  gradClip: number,
  step: number,
): StepResult {
  const vars = net.backbone.params.map((p) => p.variable);
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => dsmLoss(net, batch), vars);
    const list = vars.map((v) => grads[v.name]!);
    const [loss, gradNorm] = tf.stack([value, globalNorm(list)]).dataSync() as Float32Array;
    const finite = Number.isFinite(loss!) && Number.isFinite(gradNorm!);
    if (finite) {
      opt.adam.apply(clipByGlobalNorm(list, gradNorm!, gradClip), lr, step);
      opt.ema.update(step);
    }
    return { loss: loss!, gradNorm: gradNorm!, finite };
  });
}
