import * as tf from '@tensorflow/tfjs-core';
import type { StoredArray } from '../checkpoint.js';
import { adamCoefficients, type AdamConfig } from './adam.js';
import { emaDecayAt } from './ema.js';
import type { Optimiser, UpdateResult } from './optimiser.js';

/**
 * Clipping, Adam and EMA in one pass over CPU memory. Per step it reads the
 * gradients and weights once, writes each weight once as a new tensor (a new
 * tensor, not an in-place write: the wasm backend caches packed matrix
 * operands by tensor identity), and allocates nothing per parameter besides
 * that. Arithmetic is in float64, rounded to float32 when stored.
 */
export class HostOptimiser implements Optimiser {
  readonly placement = 'host' as const;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private readonly ema: Float32Array[];

  constructor(
    private readonly params: tf.Variable[],
    private readonly adam: AdamConfig,
    private readonly emaHalfLife: number,
  ) {
    this.m = params.map((p) => new Float32Array(p.size));
    this.v = params.map((p) => new Float32Array(p.size));
    this.ema = params.map((p) => Float32Array.from(p.dataSync() as Float32Array));
  }

  update(loss: tf.Scalar, grads: tf.Tensor[], lr: number, gradClip: number, step: number): UpdateResult {
    return this.updateFromHost(loss.dataSync()[0]!, grads.map((t) => t.dataSync() as Float32Array), lr, gradClip, step);
  }

  updateFromHost(lossValue: number, g: Float32Array[], lr: number, gradClip: number, step: number): UpdateResult {
    let sumSquares = 0;
    for (const gi of g) for (let j = 0; j < gi.length; j++) sumSquares += gi[j]! * gi[j]!;
    // Rounded like the device path's float32 norm, so both log the same value.
    const gradNorm = Math.fround(Math.sqrt(sumSquares));
    const finite = Number.isFinite(lossValue) && Number.isFinite(gradNorm);
    if (!finite) return { loss: lossValue, gradNorm, finite };

    const scale = gradNorm > gradClip ? gradClip / gradNorm : 1;
    const { beta1, beta2 } = this.adam;
    const { stepSize, epsilon } = adamCoefficients(this.adam, lr, step);
    const decay = emaDecayAt(this.emaHalfLife, step);
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const [gi, mi, vi, ei] = [g[i]!, this.m[i]!, this.v[i]!, this.ema[i]!];
        const current = p.dataSync() as Float32Array;
        const next = new Float32Array(current.length);
        for (let j = 0; j < next.length; j++) {
          const grad = scale === 1 ? gi[j]! : Math.fround(gi[j]! * scale);
          const m = (mi[j] = beta1 * mi[j]! + (1 - beta1) * grad);
          const v = (vi[j] = beta2 * vi[j]! + (1 - beta2) * grad * grad);
          const w = (next[j] = current[j]! - stepSize * (m / (Math.sqrt(v) + epsilon)));
          ei[j] = decay * ei[j]! + (1 - decay) * w;
        }
        p.assign(tf.tensor(next, p.shape));
      });
    });
    return { loss: lossValue, gradNorm, finite };
  }

  stateArrays(names: string[]) {
    const arrays = (list: Float32Array[]): StoredArray[] =>
      list.map((values, i) => ({
        name: names[i]!,
        shape: this.params[i]!.shape,
        read: () => values,
        write: (from) => values.set(from),
      }));
    return { ema: arrays(this.ema), adam_m: arrays(this.m), adam_v: arrays(this.v) };
  }

  copyEmaToParams(): void {
    tf.tidy(() => this.params.forEach((p, i) => p.assign(tf.tensor(this.ema[i]!, p.shape))));
  }

  dispose(): void {}
}
