/**
 * The curves of docs/math.md section 6 from one sample of localisations L(x), x ~ p_tau:
 *   survival        s_r(u)      = P(L > u)
 *   integrated tail h(delta, r) = E[(L - (1 - delta))_+]
 *   m*(r) = min_{delta in (0, 1]} h / delta, delta*(r) its largest minimiser
 *   zeta*_M(r) = (1 + r^2) max_{delta in (0, 1]} [delta - M h(delta, r)]
 * All of them are read off the sorted sample with suffix sums, exactly (no binning).
 */

/** The sample sorted, with suffix sums: P(L > u) and E[(L - t)_+] in O(log n) each. */
export class SortedSample {
  readonly sorted: Float64Array;
  /** suffix[k] = sum of sorted[k..n-1]. */
  private readonly suffix: Float64Array;

  constructor(values: ArrayLike<number>) {
    this.sorted = Float64Array.from(values).sort();
    const n = this.sorted.length;
    if (n === 0) throw new RangeError('localisation curves need at least one point');
    if (this.sorted.some((v) => Number.isNaN(v))) throw new RangeError('localisation values contain NaN');
    this.suffix = new Float64Array(n + 1);
    for (let k = n - 1; k >= 0; k--) this.suffix[k] = this.suffix[k + 1] + this.sorted[k];
  }

  get size(): number {
    return this.sorted.length;
  }

  get max(): number {
    return this.sorted[this.sorted.length - 1];
  }

  get mean(): number {
    return this.suffix[0] / this.size;
  }

  /** Index of the first value > t (binary search). */
  private firstAbove(t: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid] > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** P(L > u). */
  survival(u: number): number {
    return (this.size - this.firstAbove(u)) / this.size;
  }

  /** E[(L - t)_+]. */
  tail(t: number): number {
    const k = this.firstAbove(t);
    return (this.suffix[k] - t * (this.size - k)) / this.size;
  }

  /** The smallest u with P(L > u) <= p (an upper quantile), for axis ranges. */
  upperQuantile(p: number): number {
    const keep = Math.floor(p * this.size);
    return this.sorted[Math.max(0, this.size - 1 - keep)];
  }
}

export interface CurveGrids {
  /** Where the survival curve is tabulated. */
  u: Float64Array;
  /** The grid of delta in (0, 1] on which h is tabulated (m* and zeta* are optimised exactly, see candidateThresholds). */
  delta: Float64Array;
  /** Levels M of the effective curvature. */
  mValues: number[];
}

export interface LocalisationCurves {
  r: number;
  meanL: number;
  maxL: number;
  /** s_r(1): the share of points where the smoothed target is locally log-convex. */
  survivalAtOne: number;
  u: Float64Array;
  survival: Float64Array;
  /** h(delta, r) on the delta grid. */
  h: Float64Array;
  mStar: number;
  deltaStar: number;
  /** zeta*_M for each M of the grid, in order. */
  zeta: number[];
}

/** m values within this margin (relative, absolute below 1) of the minimum count as minimisers: rounding ties. */
const TIE_TOLERANCE = 1e-12;

/**
 * Where m and zeta are optimised, as thresholds t = 1 - delta: the grid, delta = 1, and every
 * kink t = L_i with delta = 1 - L_i in (0, 1]. h is piecewise linear in delta with kinks
 * exactly there, so delta - M h (concave) peaks at a kink or an end, and h / delta (monotone
 * between kinks) is lowest at one: the optimum is exact, not a grid approximation (which the
 * factor 1 + r^2 would blow up at high SNR). Thresholds are kept as given so that h at a
 * kink is computed from L_i itself, without the rounding of 1 - (1 - L_i).
 */
function candidateThresholds(sample: SortedSample, grid: Float64Array): Float64Array {
  const kinks: number[] = [];
  for (const v of sample.sorted) if (v < 1 && v >= 0) kinks.push(v);
  return Float64Array.from([...Array.from(grid, (dl) => 1 - dl), ...kinks, 0]);
}

export function localisationCurves(sample: SortedSample, r: number, grids: CurveGrids): LocalisationCurves {
  const { u, delta, mValues } = grids;
  const survival = u.map((v) => sample.survival(v));
  const h = delta.map((dl) => sample.tail(1 - dl));
  const thresholds = candidateThresholds(sample, delta);
  const deltas = thresholds.map((t) => 1 - t);
  const tails = thresholds.map((t) => sample.tail(t));
  let mStar = Infinity;
  for (let k = 0; k < deltas.length; k++) mStar = Math.min(mStar, tails[k] / deltas[k]);
  let deltaStar = 0;
  for (let k = 0; k < deltas.length; k++) {
    if (tails[k] / deltas[k] <= mStar + TIE_TOLERANCE * Math.max(mStar, 1)) deltaStar = Math.max(deltaStar, deltas[k]);
  }
  // In docs/math.md's OU parameterisation 1 / (1 - e^{-2t}) = 1 + r^2. The max over (0, 1] is a
  // supremum: where delta - M h falls all the way, it is the limit -M h(0+) = -M E[(L - 1)_+].
  const hAtZero = sample.tail(1);
  const zeta = mValues.map((m) => {
    let best = -m * hAtZero;
    for (let k = 0; k < deltas.length; k++) best = Math.max(best, deltas[k] - m * tails[k]);
    return (1 + r * r) * best;
  });
  return {
    r,
    meanL: sample.mean,
    maxL: sample.max,
    survivalAtOne: sample.survival(1),
    u,
    survival,
    h,
    mStar,
    deltaStar,
    zeta,
  };
}

/** count points evenly from lo to hi, both included. */
export function linearGrid(lo: number, hi: number, count: number): Float64Array {
  if (count === 1) return Float64Array.of(lo);
  return Float64Array.from({ length: count }, (_, k) => lo + ((hi - lo) * k) / (count - 1));
}

/** delta_k = k / count, k = 1..count: a uniform grid of (0, 1] that ends at delta = 1. */
export function deltaGrid(count: number): Float64Array {
  return Float64Array.from({ length: count }, (_, k) => (k + 1) / count);
}

/**
 * Kolmogorov distance sup_u |P(L1 > u) - P(L2 > u)| between two samples: the largest
 * difference between two survival curves, over every u and not only over a grid.
 */
export function survivalDistance(a: SortedSample, b: SortedSample): number {
  const x = a.sorted;
  const y = b.sorted;
  let i = 0;
  let j = 0;
  let worst = 0;
  while (i < x.length || j < y.length) {
    const t = j >= y.length || (i < x.length && x[i] <= y[j]) ? x[i] : y[j];
    while (i < x.length && x[i] <= t) i++;
    while (j < y.length && y[j] <= t) j++;
    worst = Math.max(worst, Math.abs(i / x.length - j / y.length));
  }
  return worst;
}
