/**
 * Eigenvalues and eigenvectors of small dense symmetric matrices (row-major) by the cyclic
 * Jacobi method: accurate to working precision for every eigenvalue (large or tiny), with
 * orthonormal eigenvectors; O(d^3) per sweep, about 10 sweeps, so meant for d up to a few
 * hundred (feature covariances, posterior covariances, Lanczos tridiagonals). Every input is
 * symmetrised as (A + A^T) / 2 first, so round-off asymmetry does no harm.
 */

export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Eigenvectors as columns, row-major d x d: vectors[i * d + k] is entry i of eigenvector k. */
  vectors: Float64Array;
}

/** Above this dimension largestEigenvalue uses power iteration, not Jacobi. */
export const JACOBI_MAX_DIM = 32;

const MAX_SWEEPS = 100;
const POWER_MAX_ITERATIONS = 2000;
const POWER_TOLERANCE = 1e-13;

/** A = V diag(values) V^T for a symmetric d x d matrix (row-major). */
export function symmetricEigen(matrix: ArrayLike<number>, d: number): SymmetricEigen {
  if (matrix.length !== d * d) throw new RangeError(`symmetricEigen: a ${d} x ${d} matrix has ${d * d} entries, got ${matrix.length}`);
  const a = symmetricPart(matrix, d, 0);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  diagonalise(a, d, v);
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => a[i * d + i] - a[j * d + j]);
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  order.forEach((src, k) => {
    values[k] = a[src * d + src];
    for (let i = 0; i < d; i++) vectors[i * d + k] = v[i * d + src];
  });
  return { values, vectors };
}

/**
 * All eigenvalues, ascending, of the symmetric d x d block that starts at `offset` of a larger
 * array of blocks (as Target.posteriorCovariance returns them); no eigenvectors.
 */
export function symmetricEigenvalues(blocks: ArrayLike<number>, d: number, offset = 0): Float64Array {
  const a = symmetricPart(blocks, d, offset);
  diagonalise(a, d);
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) out[i] = a[i * d + i];
  return out.sort();
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

/**
 * The square root of a symmetric positive semi-definite matrix,
 * V diag(sqrt(max(lambda, 0))) V^T: eigenvalues below zero by round-off count as zero.
 */
export function psdSqrt(matrix: ArrayLike<number>, d: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, d);
  const roots = values.map((l) => Math.sqrt(Math.max(0, l)));
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let sum = 0;
      for (let k = 0; k < d; k++) sum += vectors[i * d + k] * roots[k] * vectors[j * d + k];
      out[i * d + j] = out[j * d + i] = sum;
    }
  }
  return out;
}

function symmetricPart(blocks: ArrayLike<number>, d: number, offset: number): Float64Array {
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) a[i * d + j] = 0.5 * (blocks[offset + i * d + j] + blocks[offset + j * d + i]);
  }
  return a;
}

/** Cyclic Jacobi sweeps on `a` in place until it is diagonal; rotations accumulate into `v` when given. */
function diagonalise(a: Float64Array, d: number, v?: Float64Array): void {
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < d; i++) {
      total += a[i * d + i] ** 2;
      for (let j = i + 1; j < d; j++) {
        off += a[i * d + j] ** 2;
        total += 2 * a[i * d + j] ** 2;
      }
    }
    // Converged when the off-diagonal mass is at round-off level of the whole matrix.
    if (off === 0 || off <= 1e-30 * total) break;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) rotate(a, d, p, q, v);
  }
}

/** One rotation A <- J^T A J zeroing a[p][q], accumulated into V <- V J (Numerical Recipes' angle). */
function rotate(a: Float64Array, d: number, p: number, q: number, v: Float64Array | undefined): void {
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
  if (!v) return;
  for (let k = 0; k < d; k++) {
    const vkp = v[k * d + p];
    const vkq = v[k * d + q];
    v[k * d + p] = c * vkp - s * vkq;
    v[k * d + q] = s * vkp + c * vkq;
  }
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
