import * as tf from '@tensorflow/tfjs-core';
import type { PathCoefficients, Points } from '../../datasets/target.js';
import type { Rng } from '../rng.js';
import type { ScoreFunction } from '../sampler/score-function.js';
import { symmetricEigenvalues } from '../linalg/symmetric-eigen.js';

/**
 * Localisation from a score model (docs/math.md section 6): C = I + b^2 sym(J), J = grad_x s(x, tau),
 * sym(J) = (J + J^T) / 2. A true score has a symmetric Jacobian (it is a Hessian), so the
 * asymmetry ||J - J^T||_F / ||J||_F measures how far the network is from a gradient field,
 * and an eigenvalue of C below 0 is a covariance no distribution has.
 *
 * The score must be built from differentiable tf ops (a network, or an exact score written in
 * tf for tests); each row of x is treated independently, so one backward pass gives the same
 * Jacobian row (or vector-Jacobian product) for every point at once.
 */
export const JACOBIAN_METHODS = ['auto', 'full', 'iterative'] as const;
export type JacobianMethod = (typeof JACOBIAN_METHODS)[number];

/** `auto` builds the full Jacobian (d backward passes) up to this dimension. */
export const FULL_JACOBIAN_MAX_DIM = 20;
/** Lanczos steps of the iterative method: exact for d up to this, extreme eigenvalues converged well before it for larger d. */
export const LANCZOS_MAX_STEPS = 40;
/** Random probes of the Hutchinson estimate of ||J - J^T||_F in the iterative method. */
const ASYMMETRY_PROBES = 8;

export interface NetworkLocalisation {
  /** Largest eigenvalue of C per point. */
  localisation: Float64Array;
  /** Smallest eigenvalue of C per point (negative: not a covariance). */
  minEigenvalue: Float64Array;
  /** ||J - J^T||_F / ||J||_F per point (a Hutchinson estimate in the iterative method). */
  asymmetry: Float64Array;
}

export interface NetworkLocalisationOptions {
  method: JacobianMethod;
  /** Points per tf batch (memory bound). */
  batchSize: number;
  /** Probe vectors of the iterative method. */
  rng: Rng;
}

export function resolveJacobianMethod(method: JacobianMethod, d: number): 'full' | 'iterative' {
  if (method !== 'auto') return method;
  return d <= FULL_JACOBIAN_MAX_DIM ? 'full' : 'iterative';
}

export function networkLocalisation(
  score: ScoreFunction,
  x: Points,
  d: number,
  tau: number,
  coeff: PathCoefficients,
  options: NetworkLocalisationOptions,
): NetworkLocalisation {
  const n = x.length / d;
  const out: NetworkLocalisation = {
    localisation: new Float64Array(n),
    minEigenvalue: new Float64Array(n),
    asymmetry: new Float64Array(n),
  };
  const method = resolveJacobianMethod(options.method, d);
  for (let start = 0; start < n; start += options.batchSize) {
    const end = Math.min(n, start + options.batchSize);
    const rows = x.subarray(start * d, end * d);
    if (method === 'full') fullJacobianBatch(score, rows, d, tau, coeff, out, start);
    else iterativeBatch(score, rows, d, tau, coeff, out, start, options.rng);
  }
  return out;
}

/** Row j of every point's Jacobian: grad_x sum_i s_j(x_i). */
function jacobianRows(score: ScoreFunction, rows: Points, d: number, tau: number, coeff: PathCoefficients): Float32Array[] {
  const m = rows.length / d;
  return tf.tidy(() => {
    const x = tf.tensor2d(Float32Array.from(rows), [m, d]);
    return Array.from({ length: d }, (_, j) => {
      const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.slice(score(xx as tf.Tensor2D, tau, coeff), [0, j], [-1, 1])))(x);
      return g.dataSync() as Float32Array;
    });
  });
}

function fullJacobianBatch(
  score: ScoreFunction,
  rows: Points,
  d: number,
  tau: number,
  coeff: PathCoefficients,
  out: NetworkLocalisation,
  first: number,
): void {
  const m = rows.length / d;
  const grads = jacobianRows(score, rows, d, tau, coeff);
  const b2 = coeff.b * coeff.b;
  const jac = new Float64Array(d * d);
  const c = new Float64Array(d * d);
  for (let i = 0; i < m; i++) {
    let total = 0;
    let skew = 0;
    for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) jac[j * d + k] = grads[j][i * d + k];
    for (let j = 0; j < d; j++) {
      for (let k = 0; k < d; k++) {
        total += jac[j * d + k] ** 2;
        skew += (jac[j * d + k] - jac[k * d + j]) ** 2;
        c[j * d + k] = (j === k ? 1 : 0) + 0.5 * b2 * (jac[j * d + k] + jac[k * d + j]);
      }
    }
    const values = symmetricEigenvalues(c, d);
    out.localisation[first + i] = values[d - 1];
    out.minEigenvalue[first + i] = values[0];
    out.asymmetry[first + i] = total > 0 ? Math.sqrt(skew / total) : 0;
  }
}

/**
 * J v and J^T v for every row. tf has no forward mode, so J v comes from differentiating the
 * vector-Jacobian product u -> J^T u = grad_x <s(x), u> (linear in u) once more: J v = grad_u <J^T u, v>.
 */
function jacobianProducts(
  score: ScoreFunction,
  x: tf.Tensor2D,
  v: tf.Tensor2D,
  tau: number,
  coeff: PathCoefficients,
): { jv: tf.Tensor2D; jtv: tf.Tensor2D } {
  const vjp = (u: tf.Tensor2D) => tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(score(xx as tf.Tensor2D, tau, coeff), u)))(x) as tf.Tensor2D;
  const jtv = vjp(v);
  const jv = tf.grad((u: tf.Tensor) => tf.sum(tf.mul(vjp(u as tf.Tensor2D), v)))(tf.zerosLike(v)) as tf.Tensor2D;
  return { jv, jtv };
}

/** Row-wise dot products of two [m, d] tensors, as float64. */
function rowDots(a: tf.Tensor2D, b: tf.Tensor2D): Float64Array {
  const dots = tf.tidy(() => tf.sum(tf.mul(a, b), 1));
  const values = Float64Array.from(dots.dataSync());
  dots.dispose();
  return values;
}

/**
 * Lanczos on every point's operator at once (row i of each tensor belongs to point i), with
 * full reorthogonalisation. Returns per row the extreme Ritz values, the eigenvalues of the
 * tridiagonal matrix T: exact up to rounding once the Krylov space is the whole R^d (steps = d),
 * and the extremes converge first, so a few dozen steps serve large d as well.
 * A row whose Krylov space closes early (beta ~ 0, e.g. C = c I) stops there: its next
 * vectors are zero, and its T is cut at that size.
 */
function rowLanczos(apply: (v: tf.Tensor2D) => tf.Tensor2D, start: tf.Tensor2D, steps: number): { max: Float64Array; min: Float64Array } {
  const m = start.shape[0];
  const alphas: Float64Array[] = [];
  const betas: Float64Array[] = [];
  const size = new Int32Array(m).fill(steps);
  const basis: tf.Tensor2D[] = [tf.tidy(() => tf.div(start, tf.norm(start, 'euclidean', 1, true)) as tf.Tensor2D)];
  for (let j = 0; j < steps; j++) {
    const q = basis[j];
    const w0 = apply(q);
    const alpha = rowDots(q, w0);
    alphas.push(alpha);
    if (j === steps - 1) {
      w0.dispose();
      break;
    }
    // w - sum_k <w, q_k> q_k over every basis vector (twice is enough in float32).
    let w = w0;
    for (let pass = 0; pass < 2; pass++) {
      for (const qk of basis) {
        const next = tf.tidy(() => tf.sub(w, tf.mul(qk, tf.sum(tf.mul(w, qk), 1, true))) as tf.Tensor2D);
        w.dispose();
        w = next;
      }
    }
    const beta = Float64Array.from(rowDots(w, w), Math.sqrt);
    betas.push(beta);
    const keep = new Float32Array(m);
    for (let i = 0; i < m; i++) {
      const scale = Math.abs(alpha[i]) + (j > 0 ? betas[j - 1][i] : 0);
      if (size[i] === steps && !(beta[i] > 1e-5 * Math.max(scale, 1e-30))) size[i] = j + 1;
      keep[i] = size[i] > j + 1 ? 1 / beta[i] : 0;
    }
    basis.push(tf.tidy(() => tf.mul(w, tf.tensor2d(keep, [m, 1])) as tf.Tensor2D));
    w.dispose();
  }
  tf.dispose(basis);
  const max = new Float64Array(m);
  const min = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const k = size[i];
    const t = new Float64Array(k * k);
    for (let j = 0; j < k; j++) {
      t[j * k + j] = alphas[j][i];
      if (j + 1 < k) t[j * k + j + 1] = t[(j + 1) * k + j] = betas[j][i];
    }
    const values = symmetricEigenvalues(t, k);
    max[i] = values[k - 1];
    min[i] = values[0];
  }
  return { max, min };
}

function iterativeBatch(
  score: ScoreFunction,
  rows: Points,
  d: number,
  tau: number,
  coeff: PathCoefficients,
  out: NetworkLocalisation,
  first: number,
  rng: Rng,
): void {
  const m = rows.length / d;
  const b2 = coeff.b * coeff.b;
  const x = tf.tensor2d(Float32Array.from(rows), [m, d]);
  // C v = v + b^2 (J v + J^T v) / 2.
  const applyC = (v: tf.Tensor2D) =>
    tf.tidy(() => {
      const { jv, jtv } = jacobianProducts(score, x, v, tau, coeff);
      return tf.add(v, tf.mul(tf.add(jv, jtv), 0.5 * b2)) as tf.Tensor2D;
    });
  const start = tf.tensor2d(Float32Array.from(rng.normals(m * d)), [m, d]);
  const ritz = rowLanczos(applyC, start, Math.min(d, LANCZOS_MAX_STEPS));
  start.dispose();

  // Hutchinson: E ||A z||^2 = ||A||_F^2 for z ~ N(0, I).
  const skew = new Float64Array(m);
  const total = new Float64Array(m);
  for (let p = 0; p < ASYMMETRY_PROBES; p++) {
    tf.tidy(() => {
      const z = tf.tensor2d(Float32Array.from(rng.normals(m * d)), [m, d]);
      const { jv, jtv } = jacobianProducts(score, x, z, tau, coeff);
      const diff = tf.sub(jv, jtv) as tf.Tensor2D;
      rowDots(diff, diff).forEach((v, i) => (skew[i] += v));
      rowDots(jv, jv).forEach((v, i) => (total[i] += v));
    });
  }
  x.dispose();
  for (let i = 0; i < m; i++) {
    out.localisation[first + i] = ritz.max[i];
    out.minEigenvalue[first + i] = ritz.min[i];
    out.asymmetry[first + i] = total[i] > 0 ? Math.sqrt(skew[i] / total[i]) : 0;
  }
}
