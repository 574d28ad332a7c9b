import { psdSqrt, symmetricEigen } from '../linalg/symmetric-eigen.js';

/**
 * The Frechet (2-Wasserstein) distance between Gaussian fits of two feature
 * sets, the quantity behind FID:
 *   d^2 = ||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^{1/2}),
 * with tr (S1 S2)^{1/2} = tr (S1^{1/2} S2 S1^{1/2})^{1/2}: the eigenvalues of
 * S1 S2 are those of the symmetric PSD matrix S1^{1/2} S2 S1^{1/2}, whose
 * square roots are summed. Everything by symmetric eigendecompositions, so
 * singular covariances (dead ReLU features) are no problem. Reported, like
 * FID, as the squared distance d^2.
 */

/** Mean and covariance (divided by n - 1) of n feature vectors. */
export interface GaussianFit {
  dim: number;
  count: number;
  mean: Float64Array;
  /** Row-major dim x dim. */
  cov: Float64Array;
}

/** Fits a Gaussian to `count` rows of `dim` features (row-major), in float64 with centred sums. */
export function fitGaussian(features: ArrayLike<number>, count: number, dim: number): GaussianFit {
  if (features.length !== count * dim) {
    throw new RangeError(`fitGaussian: ${count} rows of ${dim} need ${count * dim} numbers, got ${features.length}`);
  }
  if (count < 2) throw new RangeError(`fitGaussian: a covariance needs at least 2 rows, got ${count}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += features[i * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j] /= count;
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) centred[j] = features[i * dim + j]! - mean[j]!;
    for (let j = 0; j < dim; j++) {
      const cj = centred[j]!;
      if (cj === 0) continue;
      const row = j * dim;
      for (let k = j; k < dim; k++) cov[row + k] += cj * centred[k]!;
    }
  }
  for (let j = 0; j < dim; j++) {
    for (let k = j; k < dim; k++) cov[j * dim + k] = cov[k * dim + j] = cov[j * dim + k]! / (count - 1);
  }
  return { dim, count, mean, cov };
}

export interface FrechetParts {
  /** ||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^{1/2}), clipped at 0 (round-off can make it -1e-13). */
  distance: number;
  /** ||mu1 - mu2||^2. */
  meanTerm: number;
  /** tr(S1 + S2 - 2 (S1 S2)^{1/2}). */
  covarianceTerm: number;
}

/** tr (S1 S2)^{1/2} for symmetric PSD S1, S2 (d x d, row-major). */
export function traceSqrtProduct(s1: ArrayLike<number>, s2: ArrayLike<number>, d: number): number {
  const r = psdSqrt(s1, d);
  // M = R S2 R, symmetric PSD with the eigenvalues of S1 S2.
  const rs = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const rik = r[i * d + k]!;
      if (rik === 0) continue;
      for (let j = 0; j < d; j++) rs[i * d + j] += rik * s2[k * d + j]!;
    }
  }
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let sum = 0;
      for (let k = 0; k < d; k++) sum += rs[i * d + k]! * r[k * d + j]!;
      m[i * d + j] = m[j * d + i] = sum;
    }
  }
  let trace = 0;
  for (const l of symmetricEigen(m, d).values) trace += Math.sqrt(Math.max(0, l));
  return trace;
}

export function frechetParts(a: GaussianFit, b: GaussianFit): FrechetParts {
  if (a.dim !== b.dim) throw new RangeError(`frechetDistance: fits of dimension ${a.dim} and ${b.dim}`);
  const d = a.dim;
  let meanTerm = 0;
  for (let j = 0; j < d; j++) meanTerm += (a.mean[j]! - b.mean[j]!) ** 2;
  let traces = 0;
  for (let j = 0; j < d; j++) traces += a.cov[j * d + j]! + b.cov[j * d + j]!;
  const covarianceTerm = traces - 2 * traceSqrtProduct(a.cov, b.cov, d);
  return { distance: Math.max(0, meanTerm + covarianceTerm), meanTerm, covarianceTerm };
}

/** The squared Frechet distance between two Gaussian fits (FID when the features are a classifier's). */
export function frechetDistance(a: GaussianFit, b: GaussianFit): number {
  return frechetParts(a, b).distance;
}
