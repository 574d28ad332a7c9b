import type { Points } from '../../datasets/target.js';
import type { Rng } from '../rng.js';
import { pointCount } from './pairwise.js';

/** Sorted projections of the points onto one direction, written into `out`. */
function sortedProjection(x: Points, d: number, direction: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += x[i * d + k] * direction[k];
    out[i] = s;
  }
  return out.sort();
}

/**
 * Squared W2 between two 1-D empirical laws given sorted: the integral over
 * u in (0, 1) of (F_a^{-1}(u) - F_b^{-1}(u))^2 for the step quantile functions,
 * exact for any sizes (breakpoints i/n and j/m merged, in integer units of 1/(n m));
 * for n = m it is the mean squared difference of the order statistics.
 */
export function w2Squared1d(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let at = 0;
  let s = 0;
  while (i < n && j < m) {
    const nextA = (i + 1) * m;
    const nextB = (j + 1) * n;
    const next = Math.min(nextA, nextB);
    const diff = a[i] - b[j];
    s += (next - at) * diff * diff;
    at = next;
    if (nextA === next) i++;
    if (nextB === next) j++;
  }
  return s / (n * m);
}

/**
 * Sliced Wasserstein-2: sqrt of the mean, over `directions` random unit
 * directions drawn from rng, of the squared 1-D W2 between the projections.
 */
export function slicedWasserstein2(x: Points, y: Points, d: number, rng: Rng, directions = 256): number {
  const n = pointCount(x, d);
  const m = pointCount(y, d);
  if (n < 1 || m < 1) throw new RangeError('sliced Wasserstein needs at least one point in each sample');
  const px = new Float64Array(n);
  const py = new Float64Array(m);
  const theta = new Float64Array(d);
  let total = 0;
  for (let r = 0; r < directions; r++) {
    let norm = 0;
    for (let k = 0; k < d; k++) {
      theta[k] = rng.normal();
      norm += theta[k] * theta[k];
    }
    norm = Math.sqrt(norm);
    for (let k = 0; k < d; k++) theta[k] /= norm;
    total += w2Squared1d(sortedProjection(x, d, theta, px), sortedProjection(y, d, theta, py));
  }
  return Math.sqrt(total / directions);
}
