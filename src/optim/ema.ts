import * as tf from '@tensorflow/tfjs-core';

/** Decay per step of an EMA whose weights halve every `halfLife` steps. */
export function emaDecay(halfLife: number): number {
  return Math.pow(0.5, 1 / halfLife);
}

/**
 * Decay at update `step` (>= 1): capped at (1 + t) / (10 + t) early on so the
 * average is not dominated by the random initialisation.
 */
export function emaDecayAt(halfLife: number, step: number): number {
  return Math.min(emaDecay(halfLife), (1 + step) / (10 + step));
}

/**
 * Exponential moving average of the weights, expressed as a half-life in steps.
 * Early on the decay is capped at (1 + t) / (10 + t) so the average is not
 * dominated by the random initialisation.
 */
export class Ema {
  readonly shadow: tf.Variable[];

  constructor(
    private readonly params: tf.Variable[],
    private readonly halfLife: number,
  ) {
    this.shadow = params.map((p) => tf.tidy(() => tf.variable(p.clone(), false)));
  }

  /** `step` is the number of optimiser updates done so far (>= 1). */
  update(step: number): void {
    const decay = emaDecayAt(this.halfLife, step);
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const s = this.shadow[i]!;
        s.assign(tf.add(tf.mul(s, decay), tf.mul(p, 1 - decay)));
      });
    });
  }

  dispose(): void {
    for (const t of this.shadow) t.dispose();
  }
}
