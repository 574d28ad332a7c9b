import type { Points } from '../../datasets/target.js';
import type { Rng } from '../rng.js';
import { pointCount } from './pairwise.js';

/** Sorted projections of the points onto one direction. */
function sortedProjection(x: Points, d: number, direction: Float64Array): Float64Array {
  const n = x.length / d;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += x[i * d + k]! * direction[k]!;
    out[i] = s;
  }
  return out.sort();
}

/** Empirical quantile of sorted values at level u in (0, 1), linear between order statistics. */
function quantile(sorted: Float64Array, u: number): number {
  const pos = u * sorted.length - 0.5;
  if (pos <= 0) return sorted[0]!;
  if (pos >= sorted.length - 1) return sorted[sorted.length - 1]!;
  const lo = Math.floor(pos);
  return sorted[lo]! + (pos - lo) * (sorted[lo + 1]! - sorted[lo]!);
}

/** Squared 1-D W2 between two sorted samples: exact pairing when sizes agree, else quantile matching. */
function w2Squared1d(a: Float64Array, b: Float64Array): number {
  const k = Math.max(a.length, b.length);
  let s = 0;
  for (let i = 0; i < k; i++) {
    const u = (i + 0.5) / k;
    const diff = (a.length === k ? a[i]! : quantile(a, u)) - (b.length === k ? b[i]! : quantile(b, u));
    s += diff * diff;
  }
  return s / k;
}

/**
 * Sliced Wasserstein-2: sqrt of the mean over random unit directions of the
 * squared 1-D W2 between the projected samples.
 */
export function slicedWasserstein2(x: Points, y: Points, d: number, rng: Rng, directions = 256): number {
  pointCount(x, d);
  pointCount(y, d);
  let total = 0;
  const theta = new Float64Array(d);
  for (let r = 0; r < directions; r++) {
    let norm = 0;
    for (let k = 0; k < d; k++) {
      theta[k] = rng.normal();
      norm += theta[k]! * theta[k]!;
    }
    for (let k = 0; k < d; k++) theta[k]! /= Math.sqrt(norm);
    total += w2Squared1d(sortedProjection(x, d, theta), sortedProjection(y, d, theta));
  }
  return Math.sqrt(total / directions);
}
