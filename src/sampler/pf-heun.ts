import * as tf from '@tensorflow/tfjs-core';
import type { OdeSolver } from './ode-solver.js';
import { overLevels } from './ode-steps.js';

/**
 * Heun's second-order method on the probability-flow ODE (EDM, Karras et al.
 * 2022, Algorithm 1): an Euler step, then the trapezoid of the slopes at both
 * ends; two network evaluations per step. EDM's last step, an Euler step to
 * sigma = 0, is here the final denoising x0 = (x + b^2 s) / a (exactly that
 * Euler step in EDM's variables), which `denoise` switches on.
 */
export const pfHeun: OdeSolver = {
  name: 'heun',
  family: 'ode',
  update:
    'probability-flow ODE v(x, t) = f(t) x - g(t)^2 s(x, t) / 2, Heun: dt = t_{k-1} - t_k, x1 = x + dt v(x, t_k), ' +
    'x <- x + dt (v(x, t_k) + v(x1, t_{k-1})) / 2; ',
  evaluationsPerStep: 2,
  defaultGrid: 'edm',
  refusal: () => null,
  integrate: (x, context) =>
    overLevels(x, context, (y, t, tNext) => {
      const dt = tNext - t;
      const v0 = context.velocity(y, t);
      const euler = tf.tidy(() => tf.add(y, tf.mul(v0, dt)) as tf.Tensor2D);
      const v1 = context.velocity(euler, tNext);
      const next = tf.tidy(() => tf.add(y, tf.mul(tf.add(v0, v1), 0.5 * dt)) as tf.Tensor2D);
      tf.dispose([v0, euler, v1]);
      return next;
    }),
};
