import * as tf from '@tensorflow/tfjs-core';
import type { OdeContext } from './ode-solver.js';

/**
 * The loop the fixed-grid ODE solvers share: one `step` per pair of adjacent
 * levels, tau_max down to tau_min, reporting each level reached. `step` gets
 * the index k of the step (0 first) and returns a new tensor.
 */
export async function overLevels(
  x: tf.Tensor2D,
  { levels, reached }: OdeContext,
  step: (x: tf.Tensor2D, t: number, tNext: number, k: number) => tf.Tensor2D,
): Promise<tf.Tensor2D> {
  let y = x;
  for (let k = 0; k + 1 < levels.length; k++) {
    const tNext = levels[k + 1]!;
    const next = step(y, levels[k]!, tNext, k);
    if (y !== x) y.dispose();
    y = next;
    await reached(tNext, y);
  }
  return y === x ? tf.clone(x) : y;
}
