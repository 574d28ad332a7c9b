import * as tf from '@tensorflow/tfjs-core';
import { variableArrays } from '../checkpoint.js';
import { Adam, type AdamConfig } from './adam.js';
import { clipByGlobalNorm, globalNorm } from './clip.js';
import { Ema } from './ema.js';
import type { Optimiser, UpdateResult } from './optimiser.js';

/** Clipping, Adam and EMA as tensor operations, with the state next to the weights. */
export class DeviceOptimiser implements Optimiser {
  readonly placement = 'device' as const;
  private readonly adam: Adam;
  private readonly ema: Ema;

  constructor(
    private readonly params: tf.Variable[],
    adam: AdamConfig,
    emaHalfLife: number,
  ) {
    this.adam = new Adam(params, adam);
    this.ema = new Ema(params, emaHalfLife);
  }

  update(loss: tf.Scalar, grads: tf.Tensor[], lr: number, gradClip: number, step: number): UpdateResult {
    return tf.tidy(() => {
      // One read-back for both numbers.
      const [lossValue, gradNorm] = tf.stack([loss, globalNorm(grads)]).dataSync() as Float32Array;
      const finite = Number.isFinite(lossValue!) && Number.isFinite(gradNorm!);
      if (finite) {
        this.adam.apply(clipByGlobalNorm(grads, gradNorm!, gradClip), lr, step);
        this.ema.update(step);
      }
      return { loss: lossValue!, gradNorm: gradNorm!, finite };
    });
  }

  updateFromHost(loss: number, grads: Float32Array[], lr: number, gradClip: number, step: number): UpdateResult {
    return tf.tidy(() => this.update(tf.scalar(loss), grads.map((g, i) => tf.tensor(g, this.params[i]!.shape)), lr, gradClip, step));
  }

  stateArrays(names: string[]) {
    const named = (list: tf.Variable[]) => variableArrays(list.map((variable, i) => ({ name: names[i]!, variable })));
    return { ema: named(this.ema.shadow), adam_m: named(this.adam.m), adam_v: named(this.adam.v) };
  }

  copyEmaToParams(): void {
    this.params.forEach((p, i) => p.assign(this.ema.shadow[i]!));
  }

  dispose(): void {
    this.adam.dispose();
    this.ema.dispose();
  }
}
