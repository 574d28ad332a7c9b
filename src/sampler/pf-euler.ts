import * as tf from '@tensorflow/tfjs-core';
import type { OdeSolver } from './ode-solver.js';
import { overLevels } from './ode-steps.js';

/** Euler's method on the probability-flow ODE: first order, one network evaluation per step. */
export const pfEuler: OdeSolver = {
  name: 'euler',
  family: 'ode',
  update: 'probability-flow ODE v(x, t) = f(t) x - g(t)^2 s(x, t) / 2, Euler: x <- x + (t_{k-1} - t_k) v(x, t_k); ',
  evaluationsPerStep: 1,
  defaultGrid: 'edm',
  refusal: () => null,
  integrate: (x, context) =>
    overLevels(x, context, (y, t, tNext) => {
      const v = context.velocity(y, t);
      const next = tf.tidy(() => tf.add(y, tf.mul(v, tNext - t)) as tf.Tensor2D);
      v.dispose();
      return next;
    }),
};
