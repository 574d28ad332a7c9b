import * as tf from '@tensorflow/tfjs-core';
import type { StoredArray } from '../checkpoint.js';
import { ADAM_DEFAULTS, type AdamConfig } from './adam.js';
import { DeviceOptimiser } from './device-optimiser.js';
import { HostOptimiser } from './host-optimiser.js';

// A type alias (not an interface) so tf.tidy accepts it as a return value.
export type UpdateResult = {
  loss: number;
  /** Global L2 norm of the gradients before clipping. */
  gradNorm: number;
  /** False when the loss or the gradient norm was NaN or infinite: nothing was updated. */
  finite: boolean;
};

/**
 * Global-norm clipping, Adam and the weight EMA as one update. Two
 * placements, numerically equivalent to float32 round-off (tested):
 * `host` keeps Adam's moments and the EMA in CPU memory and updates them in
 * one fused loop (the wasm and cpu backends, whose tensors live in CPU memory
 * anyway, so this costs no transfer and replaces ~100 small kernel launches);
 * `device` keeps them as tensors next to the weights (GPU backends, where a
 * read-back each step would cost more than the kernels).
 */
export interface Optimiser {
  readonly placement: OptimiserPlacement;
  /**
   * Reads the loss and the gradients' global norm; only if both are finite,
   * clips the gradients to `gradClip`, applies Adam at `lr` (`step` counts
   * from 1, for the bias corrections) and updates the EMA.
   */
  update(loss: tf.Scalar, grads: tf.Tensor[], lr: number, gradClip: number, step: number): UpdateResult;
  /** The same from values already in CPU memory (gradients combined across replicas). */
  updateFromHost(loss: number, grads: Float32Array[], lr: number, gradClip: number, step: number): UpdateResult;
  /** Checkpoint arrays in parameter order, named by `names`. */
  stateArrays(names: string[]): { ema: StoredArray[]; adam_m: StoredArray[]; adam_v: StoredArray[] };
  /** Sets the parameters to the EMA weights (for sampling after training). */
  copyEmaToParams(): void;
  dispose(): void;
}

export const OPTIMISER_PLACEMENTS = ['host', 'device'] as const;
export type OptimiserPlacement = (typeof OPTIMISER_PLACEMENTS)[number];

/** Host for the CPU backends (wasm, cpu), device for the rest. */
export function defaultPlacement(backend = tf.getBackend()): OptimiserPlacement {
  return backend === 'wasm' || backend === 'cpu' ? 'host' : 'device';
}

export interface OptimiserOptions {
  emaHalfLife: number;
  adam?: AdamConfig;
  placement?: OptimiserPlacement;
}

export function createOptimiser(params: tf.Variable[], options: OptimiserOptions): Optimiser {
  const adam = options.adam ?? ADAM_DEFAULTS;
  const placement = options.placement ?? defaultPlacement();
  return placement === 'host'
    ? new HostOptimiser(params, adam, options.emaHalfLife)
    : new DeviceOptimiser(params, adam, options.emaHalfLife);
}
