/**
 * Eigenvalues of small symmetric matrices, stored row-major as d x d blocks of a larger
 * Float64Array (as Target.posteriorCovariance returns them).
 */

/** Above this dimension the largest eigenvalue comes from power iteration, not Jacobi. */
export const JACOBI_MAX_DIM = 32;

const MAX_SWEEPS = 60;
const POWER_MAX_ITERATIONS = 2000;
const POWER_TOLERANCE = 1e-13;

/**
 * All eigenvalues, ascending, of the symmetric block at `offset` (cyclic Jacobi: accurate to
 * working precision and simple; O(d^3) per sweep, for d up to a few dozen). The block is
 * symmetrised as (A + A^T) / 2 first, so a slightly asymmetric input gives the eigenvalues
 * of its symmetric part.
 */
export function symmetricEigenvalues(blocks: ArrayLike<number>, d: number, offset = 0): Float64Array {
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) a[i * d + j] = 0.5 * (blocks[offset + i * d + j] + blocks[offset + j * d + i]);
  }
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < d; i++) {
      diag += a[i * d + i] ** 2;
      for (let j = i + 1; j < d; j++) off += a[i * d + j] ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) rotate(a, d, p, q);
  }
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) out[i] = a[i * d + i];
  return out.sort();
}

/** One Jacobi rotation A <- P^T A P that zeroes a[p][q] (Numerical Recipes' choice of angle). */
function rotate(a: Float64Array, d: number, p: number, q: number): void {
  const apq = a[p * d + q];
  if (apq === 0) return;
  const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
  // For huge theta, theta^2 would overflow; t ~ 1 / (2 theta) there.
  const t = Math.abs(theta) > 1e150 ? 1 / (2 * theta) : Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  const s = t * c;
  for (let k = 0; k < d; k++) {
    const akp = a[k * d + p];
    const akq = a[k * d + q];
    a[k * d + p] = c * akp - s * akq;
    a[k * d + q] = s * akp + c * akq;
  }
  for (let k = 0; k < d; k++) {
    const apk = a[p * d + k];
    const aqk = a[q * d + k];
    a[p * d + k] = c * apk - s * aqk;
    a[q * d + k] = s * apk + c * aqk;
  }
  a[p * d + q] = a[q * d + p] = 0;
}

/**
 * The largest eigenvalue of a symmetric positive semi-definite block: Jacobi up to
 * JACOBI_MAX_DIM, power iteration above (which finds the eigenvalue of largest magnitude,
 * the largest one for a PSD matrix such as a posterior covariance).
 */
export function largestEigenvalue(blocks: ArrayLike<number>, d: number, offset = 0): number {
  if (d === 1) return blocks[offset];
  if (d <= JACOBI_MAX_DIM) {
    const values = symmetricEigenvalues(blocks, d, offset);
    return values[d - 1];
  }
  return powerIteration(blocks, d, offset);
}

function powerIteration(blocks: ArrayLike<number>, d: number, offset: number): number {
  // A fixed start with distinct entries: never orthogonal to the top eigenvector by symmetry.
  let v = Float64Array.from({ length: d }, (_, i) => 1 + i / d);
  normalise(v);
  let w = new Float64Array(d);
  let lambda = 0;
  for (let iter = 0; iter < POWER_MAX_ITERATIONS; iter++) {
    for (let i = 0; i < d; i++) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += blocks[offset + i * d + j] * v[j];
      w[i] = sum;
    }
    let next = 0;
    for (let i = 0; i < d; i++) next += v[i] * w[i];
    if (normalise(w) === 0) return 0;
    [v, w] = [w, v];
    if (Math.abs(next - lambda) <= POWER_TOLERANCE * Math.max(1, Math.abs(next))) return next;
    lambda = next;
  }
  return lambda;
}

function normalise(v: Float64Array): number {
  let sq = 0;
  for (const x of v) sq += x * x;
  const norm = Math.sqrt(sq);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return norm;
}
