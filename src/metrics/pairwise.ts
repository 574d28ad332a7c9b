import type { Points } from '../../datasets/target.js';

/** Number of points in a row-major array of dimension d; rejects ragged input. */
export function pointCount(x: Points, d: number): number {
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`dimension must be a positive integer, got ${d}`);
  if (x.length % d !== 0) throw new RangeError(`array of length ${x.length} is not n points of dimension ${d}`);
  return x.length / d;
}

/** |x_i - y_j|^2 for points stored row-major. */
export function sqDist(x: Points, i: number, y: Points, j: number, d: number): number {
  const oi = i * d;
  const oj = j * d;
  let s = 0;
  for (let k = 0; k < d; k++) {
    const t = x[oi + k] - y[oj + k];
    s += t * t;
  }
  return s;
}

/** Full n x m matrix of squared distances, row-major, written into `out` when given (reused buffers). */
export function crossSqDistances(x: Points, y: Points, d: number, out?: Float64Array): Float64Array {
  const n = pointCount(x, d);
  const m = pointCount(y, d);
  const c = out ?? new Float64Array(n * m);
  if (c.length < n * m) throw new RangeError(`buffer of ${c.length} entries cannot hold ${n} x ${m} distances`);
  for (let i = 0; i < n; i++) {
    const o = i * m;
    for (let j = 0; j < m; j++) c[o + j] = sqDist(x, i, y, j, d);
  }
  return c;
}

/** k-th smallest value (0-based) by in-place quickselect: reorders `v`. */
export function selectInPlace(v: Float64Array, k: number, lo = 0, hi = v.length - 1): number {
  if (k < lo || k > hi) throw new RangeError(`rank ${k} outside [${lo}, ${hi}]`);
  while (hi > lo) {
    // Median of three as pivot keeps sorted or clustered inputs from going quadratic.
    const mid = (lo + hi) >>> 1;
    const a = v[lo];
    const b = v[mid];
    const c = v[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        const t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        j--;
      }
    }
    // Now v[lo..j] <= pivot <= v[i..hi], and v[j+1..i-1] equal the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return v[k];
  }
  return v[k];
}

/**
 * Exact median (mean of the two middle values for an even count) by quickselect;
 * reorders `v`. `transform` maps the selected values before averaging, so the
 * median of distances can be taken over squared distances (sqrt is monotone).
 */
export function medianInPlace(v: Float64Array, transform: (s: number) => number = (s) => s): number {
  const n = v.length;
  if (n === 0) throw new RangeError('median of an empty set');
  const k = (n - 1) >>> 1;
  const lower = selectInPlace(v, k);
  if (n % 2 === 1) return transform(lower);
  // After selection every entry right of k is >= v[k]: the next order statistic is their minimum.
  let upper = Infinity;
  for (let i = k + 1; i < n; i++) if (v[i] < upper) upper = v[i];
  return 0.5 * (transform(lower) + transform(upper));
}

/** Squared distances over distinct pairs i < j of one set, flattened. */
export function withinSqDistances(x: Points, d: number): Float64Array {
  const n = pointCount(x, d);
  const out = new Float64Array((n * (n - 1)) / 2);
  let p = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[p++] = sqDist(x, i, x, j, d);
  return out;
}

/** Largest pooled set whose pairwise distances are ranked exactly (about 8e6 pairs, 64 MB). */
export const MEDIAN_MAX_POINTS = 4000;

/**
 * Median Euclidean distance over distinct pairs of the pooled samples x and y.
 * Exact up to MEDIAN_MAX_POINTS pooled points; beyond that the pairs of an evenly
 * strided subset of MEDIAN_MAX_POINTS pooled points are used, which is
 * deterministic and an estimate good to O(1/MEDIAN_MAX_POINTS) in rank.
 */
export function pooledMedianDistance(x: Points, y: Points, d: number, maxPoints = MEDIAN_MAX_POINTS): number {
  const n = pointCount(x, d);
  const total = n + pointCount(y, d);
  const keep = Math.min(total, maxPoints);
  if (keep < 2) throw new RangeError('median pairwise distance needs at least two points');
  const pooled = new Float64Array(keep * d);
  for (let r = 0; r < keep; r++) {
    const src = Math.floor((r * total) / keep);
    const from = src < n ? x.subarray(src * d, (src + 1) * d) : y.subarray((src - n) * d, (src - n + 1) * d);
    pooled.set(from, r * d);
  }
  return medianInPlace(withinSqDistances(pooled, d), Math.sqrt);
}
