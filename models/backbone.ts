import type * as tf from '@tensorflow/tfjs-core';
import type { MlpConfig } from './mlp.js';
import type { UnetConfig } from './unet.js';

export interface NamedParameter {
  name: string;
  variable: tf.Variable;
}

export const BACKBONE_KINDS = ['mlp', 'unet'] as const;
export type BackboneKind = (typeof BACKBONE_KINDS)[number];

/** Architecture description: everything needed to rebuild a backbone. */
export type BackboneConfig = MlpConfig | UnetConfig;

/**
 * A network mapping (scaled input x, noise level tau) to an output of the
 * same shape as x. What the output means is the parameterisation's business.
 */
export interface Backbone {
  readonly config: BackboneConfig;
  /** Trainable parameters in a fixed order (the checkpoint order). */
  readonly params: NamedParameter[];
  /** x: [n, d], tau: [n, 1] -> [n, d]. */
  apply(x: tf.Tensor2D, tau: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

export function parameterCount(backbone: Backbone): number {
  return backbone.params.reduce((sum, p) => sum + p.variable.size, 0);
}
