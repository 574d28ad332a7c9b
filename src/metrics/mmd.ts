import type { Points } from '../../datasets/target.js';
import { fastExp } from './fast-exp.js';
import { pointCount, pooledMedianDistance, sqDist } from './pairwise.js';

/** Bandwidth multipliers of the median pairwise distance (docs/math.md section 7). */
export const MMD_BANDWIDTH_SCALES = [0.5, 1, 2] as const;

/**
 * Sum of the three Gaussian kernels at squared distance s for bandwidths
 * h/2, h, 2h: with e = exp(-s / (8 h^2)) (the widest) they are e^16, e^4 and e,
 * so one exponential serves all three.
 */
function kernelSum(s: number, minusInv8h2: number): number {
  const e = fastExp(s * minusInv8h2);
  const e2 = e * e;
  const e4 = e2 * e2;
  const e8 = e4 * e4;
  return e8 * e8 + e4 + e;
}

/** Sum of the kernel over distinct pairs i < j of one sample. */
function withinSum(x: Points, n: number, d: number, c: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) k += kernelSum(sqDist(x, i, x, j, d), c);
  return k;
}

/**
 * Unbiased MMD^2 with a sum of Gaussian kernels exp(-|x - y|^2 / (2 l^2)),
 * l in {0.5, 1, 2} x h, h the median pairwise distance of the pooled samples
 * (docs/math.md section 7; pass `bandwidth` to fix h). Within-sample terms are
 * U-statistics over i != j, the cross term averages all n m pairs, so the value
 * can be slightly negative when the laws agree; for identical samples it is
 * -(2/n)(3 - mean_{i != j} k(x_i, x_j)), not 0.
 */
export function mmd2(x: Points, y: Points, d: number, bandwidth?: number): number {
  const n = pointCount(x, d);
  const m = pointCount(y, d);
  if (n < 2 || m < 2) throw new RangeError('unbiased MMD^2 needs at least two points in each sample');
  const median = bandwidth ?? pooledMedianDistance(x, y, d);
  // All pooled points coincide: every kernel is 1 at any bandwidth, so any h > 0 gives the (zero) answer.
  const h = median > 0 ? median : 1;
  const c = -1 / (8 * h * h);
  const kxx = withinSum(x, n, d, c);
  const kyy = withinSum(y, m, d, c);
  let kxy = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) kxy += kernelSum(sqDist(x, i, y, j, d), c);
  return (2 * kxx) / (n * (n - 1)) + (2 * kyy) / (m * (m - 1)) - (2 * kxy) / (n * m);
}
