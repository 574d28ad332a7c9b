import * as tf from '@tensorflow/tfjs-core';
import type { GaussianPath } from '../process/index.js';
import type { OdeSolver } from './ode-solver.js';
import { overLevels } from './ode-steps.js';
import type { ScoreFunction } from './score-function.js';

/** The data prediction D(x, t) = E[x0 | x_t = x] = (x + b^2 s) / a (Tweedie). */
function denoised(score: ScoreFunction, path: GaussianPath, x: tf.Tensor2D, t: number): tf.Tensor2D {
  const coeff = path.coefficients(t);
  return tf.tidy(() => tf.div(tf.add(x, tf.mul(score(x, t, coeff), coeff.b * coeff.b)), coeff.a) as tf.Tensor2D);
}

/** lambda = log(a / b). */
function lambdaAt(path: GaussianPath, t: number): number {
  const { a, b } = path.coefficients(t);
  return Math.log(a) - Math.log(b);
}

/**
 * DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2): multistep, second order,
 * data prediction, one network evaluation per step. It solves the
 * probability-flow ODE written for any Gaussian path x = a x0 + b eps as
 *   d(x / b) / dlambda = e^lambda D(x, t),   lambda = log(a / b),
 * exactly in its linear part (docs/solvers.md derives it; it needs only
 * a, b > 0 and lambda monotone, so it holds for VP and for PBM on (0, 1)),
 * with D linear in lambda through the last two evaluations.
 */
export const dpmSolverPlusPlus: OdeSolver = {
  name: 'dpm-solver++',
  family: 'ode',
  update:
    'DPM-Solver++(2M), lambda = log(a/b), h = lambda(t_{k-1}) - lambda(t_k), D_k = (x + b(t_k)^2 s(x, t_k)) / a(t_k); ' +
    'first step D = D_k, later D = (1 + 1/(2r)) D_k - D_{k+1} / (2r), r = h_prev / h; ' +
    'x <- (b(t_{k-1}) / b(t_k)) x - a(t_{k-1}) (e^-h - 1) D; ',
  evaluationsPerStep: 1,
  defaultGrid: 'log-snr',
  refusal: () => null,
  async integrate(x, context) {
    const { path, score } = context;
    let previous: { d: tf.Tensor2D; h: number } | null = null;
    const result = await overLevels(x, context, (y, t, tNext) => {
      const h = lambdaAt(path, tNext) - lambdaAt(path, t);
      const d = denoised(score, path, y, t);
      const next = tf.tidy(() => {
        const dEff =
          previous === null
            ? d
            : tf.sub(tf.mul(d, 1 + 1 / (2 * (previous.h / h))), tf.mul(previous.d, 1 / (2 * (previous.h / h))));
        const bRatio = path.coefficients(tNext).b / path.coefficients(t).b;
        return tf.sub(tf.mul(y, bRatio), tf.mul(dEff, path.coefficients(tNext).a * Math.expm1(-h))) as tf.Tensor2D;
      });
      previous?.d.dispose();
      previous = { d, h };
      return next;
    });
    (previous as { d: tf.Tensor2D } | null)?.d.dispose();
    return result;
  },
};
