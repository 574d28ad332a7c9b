import type { Points } from '../../datasets/target.js';
import { pointCount } from './pairwise.js';

export function sampleMean(x: Points, d: number): Float64Array {
  const n = pointCount(x, d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k]! += x[i * d + k]!;
  for (let k = 0; k < d; k++) mean[k]! /= n;
  return mean;
}

/** Unbiased sample covariance, d x d row-major. */
export function sampleCovariance(x: Points, d: number): Float64Array {
  const n = pointCount(x, d);
  if (n < 2) throw new RangeError('a sample covariance needs at least two points');
  const mean = sampleMean(x, d);
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const dj = x[i * d + j]! - mean[j]!;
      for (let k = j; k < d; k++) cov[j * d + k]! += dj * (x[i * d + k]! - mean[k]!);
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      cov[j * d + k]! /= n - 1;
      cov[k * d + j] = cov[j * d + k]!;
    }
  }
  return cov;
}

/** Euclidean norm of the difference of the sample means. */
export function meanError(x: Points, y: Points, d: number): number {
  const a = sampleMean(x, d);
  const b = sampleMean(y, d);
  return Math.sqrt(a.reduce((s, v, k) => s + (v - b[k]!) ** 2, 0));
}

/** Frobenius norm of the difference of the sample covariances. */
export function covError(x: Points, y: Points, d: number): number {
  const a = sampleCovariance(x, d);
  const b = sampleCovariance(y, d);
  return Math.sqrt(a.reduce((s, v, k) => s + (v - b[k]!) ** 2, 0));
}
