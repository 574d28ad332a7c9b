import * as tf from '@tensorflow/tfjs-core';
import type { Target } from '../../datasets/target.js';
import type { GaussianPath } from '../process/index.js';
import type { Velocity } from '../sampler/probability-flow.js';
import type { Rng } from '../rng.js';

/**
 * How div v is computed: exactly (d vector-Jacobian products, one per basis
 * vector e_j: div v = sum_j e_j^T J e_j) or by Hutchinson's estimator with K
 * Rademacher probes eps_k (E[eps^T J eps] = tr J), each probe held fixed along
 * the whole trajectory so that its integral is an unbiased estimate of the
 * log-determinant and the ODE stays smooth for the adaptive solver.
 */
export type DivergenceMethod = { kind: 'exact' } | { kind: 'hutchinson'; probes: number };

/**
 * The probability-flow ODE on the augmented state [x, c_1 .. c_K] of a batch
 * ([rows, d + K]): dx/dtau = v(x, tau), dc_k/dtau = div v (exact: K = 1) or
 * its k-th probe's estimate. Integrated from tau_min to tau_max, c_k is the
 * k-th estimate of log p_tau_min(x) - log p_tau_max(x(tau_max)).
 */
export interface AugmentedVelocity {
  velocity: Velocity;
  /** K: the columns that follow the d coordinates. */
  columns: number;
  dispose(): void;
}

/**
 * The augmented velocity of a differentiable v (the network's probability
 * flow). The batch is tiled once per probe (d basis vectors, or K Rademacher
 * vectors) so that one forward and one backward pass give every product
 * J^T e for every row: grad_x <v(x), e> = J^T e.
 */
export function networkAugmentedVelocity(velocity: Velocity, rows: number, dim: number, method: DivergenceMethod, rng: Rng): AugmentedVelocity {
  const copies = method.kind === 'exact' ? dim : method.probes;
  const values = new Float32Array(copies * rows * dim);
  for (let c = 0; c < copies; c++) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < dim; j++) {
        values[(c * rows + i) * dim + j] = method.kind === 'exact' ? (j === c ? 1 : 0) : rng.uniform() < 0.5 ? -1 : 1;
      }
    }
  }
  const probes = tf.tensor2d(values, [copies * rows, dim]);
  return {
    columns: method.kind === 'exact' ? 1 : copies,
    velocity: (y, tau) =>
      tf.tidy(() => {
        const x = tf.slice(y, [0, 0], [rows, dim]);
        const tiled = tf.tile(x, [copies, 1]) as tf.Tensor2D;
        const { value, grad } = tf.valueAndGrad((z: tf.Tensor) => velocity(z as tf.Tensor2D, tau))(tiled, probes);
        const quadratic = tf.reshape(tf.sum(tf.mul(grad, probes), 1), [copies, rows]);
        const div = method.kind === 'exact' ? tf.reshape(tf.sum(quadratic, 0), [rows, 1]) : tf.transpose(quadratic);
        return tf.concat([tf.slice(value, [0, 0], [rows, dim]), div], 1) as tf.Tensor2D;
      }),
    dispose: () => probes.dispose(),
  };
}

/**
 * The augmented velocity of the exact score (--oracle), in float64 on the
 * host: the exact score is no tensor graph, but its Jacobian is known in
 * closed form through second-order Tweedie (docs/math.md, section 2):
 *   Hess log p_tau = (a^2 Cov[x0 | x] / b^2 - I) / b^2,
 * so div v = d f - (g^2 / 2) tr Hess = d f - (g^2 / 2) (a^2 tr Cov / b^2 - d) / b^2,
 * exact at every dimension (one column).
 */
export function oracleAugmentedVelocity(path: GaussianPath, target: Target, rows: number, dim: number): AugmentedVelocity {
  return {
    columns: 1,
    velocity: (y, tau) => {
      const state = y.dataSync();
      const width = dim + 1;
      const x = new Float64Array(rows * dim);
      for (let i = 0; i < rows; i++) for (let j = 0; j < dim; j++) x[i * dim + j] = state[i * width + j]!;
      const coeff = path.coefficients(tau);
      const { a, b } = coeff;
      const f = path.drift(tau);
      const halfG2 = 0.5 * path.diffusionSquared(tau);
      const score = target.noisedScore(x, coeff);
      const cov = target.posteriorCovariance(x, coeff);
      const out = new Float32Array(rows * width);
      for (let i = 0; i < rows; i++) {
        let trace = 0;
        for (let j = 0; j < dim; j++) {
          out[i * width + j] = f * x[i * dim + j]! - halfG2 * score[i * dim + j]!;
          trace += cov[i * dim * dim + j * dim + j]!;
        }
        const traceHessian = ((a * a * trace) / (b * b) - dim) / (b * b);
        out[i * width + dim] = dim * f - halfG2 * traceHessian;
      }
      return tf.tensor2d(out, [rows, width]);
    },
    dispose: () => {},
  };
}
