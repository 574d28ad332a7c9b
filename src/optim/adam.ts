import * as tf from '@tensorflow/tfjs-core';

export interface AdamConfig {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const ADAM_DEFAULTS: AdamConfig = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/**
 * Adam's bias corrections folded into the step size and epsilon, so an update
 * is w -= stepSize * m / (sqrt(v) + epsilon); `step` counts from 1.
 */
export function adamCoefficients(config: AdamConfig, lr: number, step: number): { stepSize: number; epsilon: number } {
  const { beta1, beta2, epsilon } = config;
  return {
    stepSize: (lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step),
    epsilon: epsilon * Math.sqrt(1 - beta2 ** step),
  };
}

/**
 * Adam with its moments held as variables we own, so a checkpoint stores them
 * exactly and a resumed run continues bit for bit.
 */
export class Adam {
  readonly m: tf.Variable[];
  readonly v: tf.Variable[];

  constructor(
    private readonly params: tf.Variable[],
    private readonly config: AdamConfig = ADAM_DEFAULTS,
  ) {
    // tidy drops the initial tensors, so the variables alone own their memory.
    this.m = params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    this.v = params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
  }

  /** Applies one update; `step` counts from 1 (for the bias corrections). */
  apply(grads: tf.Tensor[], lr: number, step: number): void {
    const { beta1, beta2 } = this.config;
    const { stepSize, epsilon: eps } = adamCoefficients(this.config, lr, step);
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const g = grads[i]!;
        const m = tf.add(tf.mul(this.m[i]!, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[i]!, beta2), tf.mul(tf.square(g), 1 - beta2));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        p.assign(tf.sub(p, tf.mul(stepSize, tf.div(m, tf.add(tf.sqrt(v), eps)))));
      });
    });
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
