import type { Points } from '../../datasets/target.js';
import { pointCount, pooledMedianDistance, sqDist } from './pairwise.js';

/** Bandwidth multipliers of the median pairwise distance (MATH section 7). */
export const MMD_BANDWIDTH_SCALES = [0.5, 1, 2] as const;

/**
 * Unbiased MMD^2 (U-statistic) with a sum of Gaussian kernels
 * exp(-|x - y|^2 / (2 l^2)), l in {0.5, 1, 2} x the median pairwise distance of
 * the pooled samples. It can be slightly negative when the laws agree.
 */
export function mmd2(x: Points, y: Points, d: number, bandwidth?: number): number {
  const n = pointCount(x, d);
  const m = pointCount(y, d);
  if (n < 2 || m < 2) throw new RangeError('unbiased MMD^2 needs at least two points in each sample');
  const median = bandwidth ?? pooledMedianDistance(x, y, d);
  const gammas = MMD_BANDWIDTH_SCALES.map((s) => -1 / (2 * (s * median) ** 2));
  const kernel = (s: number) => {
    let k = 0;
    for (const g of gammas) k += Math.exp(g * s);
    return k;
  };
  let kxx = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) kxx += kernel(sqDist(x, i, x, j, d));
  let kyy = 0;
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) kyy += kernel(sqDist(y, i, y, j, d));
  let kxy = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) kxy += kernel(sqDist(x, i, y, j, d));
  return (2 * kxx) / (n * (n - 1)) + (2 * kyy) / (m * (m - 1)) - (2 * kxy) / (n * m);
}
