import * as tf from '@tensorflow/tfjs-core';
import type { GaussianPath } from '../process/index.js';
import { Rng } from '../rng.js';
import type { ScoreFunction } from './score-function.js';

/** dx/dtau at noise level tau for a batch of particles [rows, d]. */
export type Velocity = (x: tf.Tensor2D, tau: number) => tf.Tensor2D;

/**
 * The probability-flow ODE of any Gaussian path (Song et al. 2021, eq. 13):
 *   dx/dtau = f(tau) x - g(tau)^2 s(x, tau) / 2,
 * whose solution carries p_tau into p_tau' for every pair of levels. Built from
 * tensor ops only, so it runs batched over particles and can be differentiated
 * (tf.grad, Jacobian-vector products) for the change of variables of a likelihood.
 */
export function probabilityFlowVelocity(path: GaussianPath, score: ScoreFunction): Velocity {
  return (x, tau) => {
    const f = path.drift(tau);
    const halfG2 = 0.5 * path.diffusionSquared(tau);
    return tf.tidy(() => tf.sub(tf.mul(x, f), tf.mul(score(x, tau, path.coefficients(tau)), halfG2)) as tf.Tensor2D);
  };
}

/**
 * Where the ODE starts: N(0, b(tau_max)^2 I), the path's law at tau_max with
 * the signal a(tau_max) x0 dropped. For VP at tau_max = 1 it is the prior up
 * to b(1)^2 = 1 - 4e-5. PBM cannot start at its pinned point (every trajectory
 * would be the same one), so it starts at tau_max < 1 from this Gaussian; its
 * error (docs/solvers.md) is KL(p_tau_max || start) <= a^2 E|x0|^2 / (2 b^2)
 * = (1 - tau_max) E|x0|^2 / (2 sigma^2 tau_max), and the flow, a bijection,
 * carries that KL unchanged to the samples (with the exact score).
 */
export function probabilityFlowStart(path: GaussianPath, tauMax: number, rows: number, dim: number, rng: Rng): tf.Tensor2D {
  const { b } = path.coefficients(tauMax);
  return tf.tensor2d(Float32Array.from(rng.normals(rows * dim), (z) => b * z), [rows, dim]);
}

/** log density of the start law N(0, b(tau_max)^2 I) at each row of x (dimension d). */
export function probabilityFlowStartLogDensity(path: GaussianPath, tauMax: number, x: Float64Array, dim: number): Float64Array {
  const { b } = path.coefficients(tauMax);
  const rows = x.length / dim;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let squared = 0;
    for (let j = 0; j < dim; j++) squared += x[i * dim + j]! ** 2;
    out[i] = -0.5 * (dim * Math.log(2 * Math.PI * b * b) + squared / (b * b));
  }
  return out;
}
