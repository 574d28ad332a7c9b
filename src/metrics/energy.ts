import type { Points } from '../../datasets/target.js';
import { pointCount, sqDist } from './pairwise.js';

/**
 * Mean distance over distinct pairs (the U-statistic for E|X - X'|). A single
 * point has no pairs; 0 is then the exact value for its Dirac law, which makes
 * the energy distance of two single points 2 |x - y|.
 */
function meanWithinDistance(x: Points, n: number, d: number): number {
  if (n < 2) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += Math.sqrt(sqDist(x, i, x, j, d));
  return (2 * s) / (n * (n - 1));
}

/**
 * Energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'|, the cross term over all
 * pairs and the within-set terms as U-statistics (so it can dip below 0 when the
 * laws agree; for identical samples it is -(2/n) E_U|X - X'|).
 */
export function energyDistance(x: Points, y: Points, d: number): number {
  const n = pointCount(x, d);
  const m = pointCount(y, d);
  if (n < 1 || m < 1) throw new RangeError('energy distance needs at least one point in each sample');
  let xy = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) xy += Math.sqrt(sqDist(x, i, y, j, d));
  return (2 * xy) / (n * m) - meanWithinDistance(x, n, d) - meanWithinDistance(y, m, d);
}
