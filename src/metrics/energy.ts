import type { Points } from '../../datasets/target.js';
import { pointCount, sqDist } from './pairwise.js';

/** Energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'|, within-set terms as U-statistics. */
export function energyDistance(x: Points, y: Points, d: number): number {
  const n = pointCount(x, d);
  const m = pointCount(y, d);
  if (n < 2 || m < 2) throw new RangeError('energy distance needs at least two points in each sample');
  let xy = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) xy += Math.sqrt(sqDist(x, i, y, j, d));
  let xx = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) xx += Math.sqrt(sqDist(x, i, x, j, d));
  let yy = 0;
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) yy += Math.sqrt(sqDist(y, i, y, j, d));
  return (2 * xy) / (n * m) - (2 * xx) / (n * (n - 1)) - (2 * yy) / (m * (m - 1));
}
