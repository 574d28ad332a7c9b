import { z } from 'zod';
import type { Rng } from '../src/rng.js';
import { checkInteger, checkPath, countRows } from './checks.js';
import { defineTarget } from './target-module.js';
import type { NormalMarginal, ParameterDescription, PathCoefficients, Points, Target } from './target.js';

const LOG_2PI = Math.log(2 * Math.PI);

export interface FunnelOptions {
  dim?: number;
  /** Stop refining the v-grid once halving its spacing changes the results by less than this. */
  gridTolerance?: number;
  /** Most points the v-grid of one point may use. */
  maxGridPoints?: number;
}

export const FUNNEL_DEFAULTS = { dim: 10, scale: 3, gridTolerance: 1e-10, maxGridPoints: 16385 } as const;

/** The noise level's constants, shared by every point of one call. */
interface Level {
  a: number;
  b: number;
  a2: number;
  b2: number;
  /** log a^2 (-Infinity at a = 0) and log b^2: for u = a^2 e^v + b^2 in logs (`logUAt`). */
  logA2: number;
  logB2: number;
  /** Variance of y_0 = a v + b e_0: scale^2 a^2 + b^2. */
  y0Variance: number;
  /** Std of v given y_0 alone (prior times the y_0 likelihood). */
  s: number;
  /** scale^2 a / y0Variance: m = E[v | y_0] = gain y_0. */
  gain: number;
}

/**
 * Neal's funnel: v = x0[0] ~ N(0, scale^2), x0[i] | v ~ N(0, e^v) for i >= 1.
 *
 * Noised quantities are integrals over v (docs/math.md section 5), computed by `VGrid`.
 * logDensity and everything at b = 0 use the closed form instead.
 */
export class NealFunnel implements Target {
  readonly name = 'funnel';
  readonly dim: number;
  /** Standard deviation of the first coordinate v. */
  readonly funnelScale: number = FUNNEL_DEFAULTS.scale;
  /** v ~ N(0, scale^2) exactly. */
  readonly marginal: NormalMarginal = { coordinate: 0, mean: 0, std: this.funnelScale };
  /** The funnel's neck shows in the (x1, v) plane. */
  readonly plotAxes = [1, 0] as const;
  readonly params: Record<string, unknown>;
  readonly parameterDescriptions: ParameterDescription[] = [
    { name: 'dim', description: 'dimension d: first coordinate v, then d - 1 coordinates of variance e^v' },
    { name: 'scale', description: 'standard deviation of the first coordinate v' },
    { name: 'grid_tolerance', description: 'convergence tolerance of the v-grid behind the noised quantities' },
    { name: 'max_grid_points', description: 'most points of the v-grid for one point' },
  ];
  readonly dataStd: number;

  private readonly halfRest: number;
  private readonly grid: VGrid;

  constructor(options: FunnelOptions = {}) {
    const dim = options.dim ?? FUNNEL_DEFAULTS.dim;
    const tolerance = options.gridTolerance ?? FUNNEL_DEFAULTS.gridTolerance;
    const maxPoints = options.maxGridPoints ?? FUNNEL_DEFAULTS.maxGridPoints;
    checkInteger('funnel dim', dim, 2);
    if (!(tolerance > 0)) throw new RangeError(`funnel gridTolerance must be positive, got ${tolerance}`);
    checkInteger('funnel maxGridPoints', maxPoints, 65);
    this.dim = dim;
    this.halfRest = (dim - 1) / 2;
    this.params = { dim, scale: this.funnelScale, grid_tolerance: tolerance, max_grid_points: maxPoints };
    const varV = this.funnelScale ** 2;
    // E[e^v] = e^{scale^2 / 2} for v ~ N(0, scale^2).
    this.dataStd = Math.sqrt((varV + (dim - 1) * Math.exp(varV / 2)) / dim);
    this.grid = new VGrid(this.halfRest, tolerance, maxPoints);
  }

  sample(n: number, rng: Rng): Points {
    const d = this.dim;
    const out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const v = this.funnelScale * rng.normal();
      const std = Math.exp(v / 2);
      out[i * d] = v;
      for (let j = 1; j < d; j++) out[i * d + j] = std * rng.normal();
    }
    return out;
  }

  /** Closed form: log N(v; 0, scale^2) + sum_i log N(x_i; 0, e^v). */
  logDensity(x: Points): Float64Array {
    const n = countRows(x, this.dim);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.exactLogDensity(x[i * this.dim], this.restSquares(x, i));
    return out;
  }

  noisedLogDensity(x: Points, path: PathCoefficients): Float64Array {
    const level = this.level(path);
    const n = countRows(x, this.dim);
    const out = new Float64Array(n);
    const { a, b } = level;
    for (let i = 0; i < n; i++) {
      const y0 = x[i * this.dim];
      const sumSq = this.restSquares(x, i);
      if (b === 0) {
        // y = a x0 exactly: p(y) = pi(y / a) / a^d.
        out[i] = this.exactLogDensity(y0 / a, sumSq / (a * a)) - this.dim * Math.log(a);
        continue;
      }
      const g = this.grid.integrate(y0, sumSq, level);
      // p(y) = N(y_0; 0, y0Variance) (2 pi)^{-(d-1)/2} E_{v ~ N(m, s^2)}[e^{f(v)}].
      out[i] =
        -0.5 * (LOG_2PI + Math.log(level.y0Variance) + (y0 * y0) / level.y0Variance) -
        this.halfRest * LOG_2PI +
        g.logMeanExpF;
    }
    return out;
  }

  /**
   * Tweedie rewritten so nothing cancels as b -> 0:
   * score_0 = -y_0 / (scale^2 a^2 + b^2) + (a s / b^2) E[z | y] with z = (v - m) / s,
   * score_i = -y_i E[1/u | y] with u = a^2 e^v + b^2.
   */
  noisedScore(x: Points, path: PathCoefficients): Points {
    const level = this.level(path);
    const d = this.dim;
    const n = countRows(x, this.dim);
    const out = new Float64Array(n * d);
    const { a, b } = level;
    for (let i = 0; i < n; i++) {
      const y0 = x[i * d];
      const sumSq = this.restSquares(x, i);
      if (b === 0) {
        // grad log p(y) = (grad log pi)(y / a) / a.
        const x0 = y0 / a;
        const decay = Math.exp(-x0);
        out[i * d] = (-x0 / this.funnelScale ** 2 - this.halfRest + (0.5 * sumSq * decay) / (a * a)) / a;
        for (let j = 1; j < d; j++) out[i * d + j] = (-x[i * d + j] * decay) / (a * a);
        continue;
      }
      const g = this.grid.integrate(y0, sumSq, level);
      out[i * d] = -y0 / level.y0Variance + ((a * level.s) / level.b2) * g.meanZ;
      for (let j = 1; j < d; j++) out[i * d + j] = -x[i * d + j] * g.meanInverseU;
    }
    return out;
  }

  /** E[x0_0 | y] = E[v | y]; E[x0_i | y] = E[k(v) | y] y_i with k = a e^v / u. */
  posteriorMean(x: Points, path: PathCoefficients): Points {
    const level = this.level(path);
    const d = this.dim;
    const n = countRows(x, this.dim);
    const out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      if (level.b === 0) {
        for (let j = 0; j < d; j++) out[i * d + j] = x[i * d + j] / level.a;
        continue;
      }
      const m = this.grid.moments(x[i * d], this.restSquares(x, i), level);
      out[i * d] = m.meanV;
      for (let j = 1; j < d; j++) out[i * d + j] = m.meanK * x[i * d + j];
    }
    return out;
  }

  /**
   * Given v the coordinates are independent: x0_0 = v, x0_i ~ N(k y_i, c) with
   * k = a e^v / u, c = e^v b^2 / u. Mixing over v:
   *   Cov_00 = Var(v), Cov_0i = Cov(v, k) y_i, Cov_ij = delta_ij E[c] + Var(k) y_i y_j.
   */
  posteriorCovariance(x: Points, path: PathCoefficients): Float64Array {
    const level = this.level(path);
    const d = this.dim;
    const n = countRows(x, this.dim);
    const out = new Float64Array(n * d * d);
    if (level.b === 0) return out; // x0 = y / a exactly
    for (let i = 0; i < n; i++) {
      const m = this.grid.moments(x[i * d], this.restSquares(x, i), level);
      const block = i * d * d;
      out[block] = m.varV;
      for (let j = 1; j < d; j++) {
        const yj = x[i * d + j];
        out[block + j] = out[block + j * d] = m.covVK * yj;
        // Upper triangle, mirrored: the block is exactly symmetric.
        for (let l = j; l < d; l++) out[block + j * d + l] = out[block + l * d + j] = m.varK * yj * x[i * d + l];
        out[block + j * d + j] += m.meanC;
      }
    }
    return out;
  }

  private level(path: PathCoefficients): Level {
    const { a, b } = checkPath(path);
    const scale2 = this.funnelScale ** 2;
    const y0Variance = scale2 * a * a + b * b;
    return {
      a,
      b,
      a2: a * a,
      b2: b * b,
      logA2: Math.log(a * a),
      logB2: Math.log(b * b),
      y0Variance,
      s: (this.funnelScale * b) / Math.sqrt(y0Variance),
      gain: (scale2 * a) / y0Variance,
    };
  }

  private exactLogDensity(v: number, sumSq: number): number {
    const scale = this.funnelScale;
    return (
      (-0.5 * (v * v)) / (scale * scale) -
      Math.log(scale) -
      0.5 * LOG_2PI -
      this.halfRest * (LOG_2PI + v) -
      0.5 * sumSq * Math.exp(-v)
    );
  }

  /** sum_{i>=1} y_i^2 of point i: all the v-grid needs from the last d - 1 coordinates. */
  private restSquares(x: Points, i: number): number {
    const d = this.dim;
    let sum = 0;
    for (let j = 1; j < d; j++) sum += x[i * d + j] * x[i * d + j];
    return sum;
  }
}

export function funnel(options: FunnelOptions = {}): NealFunnel {
  return new NealFunnel(options);
}

export const FUNNEL_TARGET = defineTarget({
  name: 'funnel',
  summary: "Neal's funnel: v ~ N(0, 3^2), x_i | v ~ N(0, e^v) for i >= 1",
  options: z.object({ dim: z.number().int().min(2).default(FUNNEL_DEFAULTS.dim).describe('dimension d') }).strict(),
  requestKeys: { dim: 'dim' },
  capabilities: { exactScore: true, logDensity: true, mixture: false, marginal: true, nodeOnly: false },
  build: (options) => new NealFunnel(options),
});

/** Window edges sit where the (tilted) integrand is below e^-TAIL of its value at the centre. */
const TAIL = 40;
/** Largest log-slope in v of the tilts the moments use (k(v)^2 ~ e^{2v}); it widens the window. */
const TILT_SLOPE = 2;
/**
 * e^v overflows past ~709: above V_LIMIT, u = a^2 e^v + b^2 is handled in logs; below -V_LIMIT,
 * e^v < 1e-304 is nothing next to b^2 and u = b^2. A poor network's reverse SDE leaves states
 * with m = E[v | y_0] near -900 or +400, so the window may reach far past +-V_LIMIT; V_RANGE
 * only keeps (v - m)^2 finite for absurd input.
 */
const V_LIMIT = 700;
const V_RANGE = 1e6;
/** Initial grids of more intervals than this have their window trimmed first (cheap next to the grid). */
const TRIM_ABOVE = 256;
/** Points of the scan for the higher of two modes of the log integrand. */
const SCAN_POINTS = 33;
/** Fewest intervals of the first, coarsest grid. */
const MIN_INTERVALS = 32;

/** The log integrand L tilted by the moments, and where its bounds come from (see `trimmedEdge`). */
interface TiltedIntegrand {
  m: number;
  s2: number;
  /** The reference point, and L(vRef) - TAIL: what lies below it is cut. */
  vRef: number;
  floor: number;
  /** Where f peaks (-Infinity: f falls everywhere). */
  vPeakF: number;
  f(v: number): number;
}

/**
 * Moves the window's edge `edge` towards vRef past every piece of v where the tilted log integrand
 * is surely below the floor. The bounds in `window` hold f at sup f between m and vRef, which is
 * loose far off the funnel (a point a poor network left at y_0 = -300 has m far below the mass and
 * f there 10^5 below its peak): they give a window a thousand units of v wide for a posterior
 * of std 0.04. Here, on a piece [p, q], the tilted log integrand is at most sup G + sup f, with
 * G(v) = -(v - m)^2 / (2 s^2) + TILT_SLOPE |v - vRef| and f each unimodal (G peaks at m -+ TILT_SLOPE s^2
 * on either side of vRef, f at v_f), so both sups are exact. The pieces double in width from vRef
 * outwards; the edge moves in over the outermost pieces below the floor, up to the first that is not.
 */
function trimmedEdge(edge: number, vRef: number, width: number, at: TiltedIntegrand): number {
  const { m, s2, floor, vPeakF } = at;
  const clamp = (v: number, p: number, q: number) => Math.min(Math.max(v, p), q);
  const g = (v: number) => (-0.5 * (v - m) ** 2) / s2 + TILT_SLOPE * Math.abs(v - vRef);
  const bound = (p: number, q: number) => {
    let gSup = -Infinity;
    if (p <= vRef) gSup = g(clamp(m - TILT_SLOPE * s2, p, Math.min(q, vRef)));
    if (q >= vRef) gSup = Math.max(gSup, g(clamp(m + TILT_SLOPE * s2, Math.max(p, vRef), q)));
    return gSup + at.f(clamp(vPeakF, p, q));
  };
  const direction = Math.sign(edge - vRef);
  if (direction === 0) return edge;
  // Piece boundaries vRef + direction width (2^k - 1), k = 0, 1, ..., the last at the edge.
  const ends: number[] = [vRef];
  for (let k = 1; direction * (edge - ends[ends.length - 1]) > 0; k++) {
    const next = vRef + direction * width * (2 ** k - 1);
    ends.push(direction * (edge - next) > 0 ? next : edge);
  }
  let trimmed = edge;
  for (let k = ends.length - 1; k > 0; k--) {
    const [p, q] = direction > 0 ? [ends[k - 1], ends[k]] : [ends[k], ends[k - 1]];
    if (!(bound(p, q) < floor)) break;
    trimmed = ends[k - 1];
  }
  return trimmed;
}

/** log u = log(a^2 e^v + b^2), with no overflow at large v (u = b^2 at a = 0). */
function logUAt(v: number, level: Level): number {
  const x = v + level.logA2;
  return x > level.logB2 ? x + Math.log1p(Math.exp(level.logB2 - x)) : level.logB2 + Math.log1p(Math.exp(x - level.logB2));
}

interface GridIntegral {
  /** log E_{v ~ N(m, s^2)}[e^{f(v)}]. */
  logMeanExpF: number;
  /** E[z | y], z = (v - m) / s. */
  meanZ: number;
  /** E[1 / u | y]. */
  meanInverseU: number;
}

interface PosteriorMoments {
  meanV: number;
  meanK: number;
  meanC: number;
  varV: number;
  covVK: number;
  varK: number;
}

/**
 * The v-integrals of one point. The prior of v and the likelihood of y_0 = a v + b e_0
 * are Gaussian and combine in closed form into N(v; m, s^2), m = gain y_0,
 * s = scale b / sqrt(scale^2 a^2 + b^2). The rest, prod_i N(y_i; 0, u) with
 * u = a^2 e^v + b^2, enters as e^{f(v)}, f = -(d-1)/2 log u - S / (2u), S = sum_i y_i^2.
 * The grid is uniform in z = (v - m) / s, so it follows the posterior as b -> 0 (a fixed
 * grid over the prior would need a spacing below b there).
 *
 * Window: bounds on f give a range of v outside which every integrand is below e^-TAIL of
 * its maximum, wherever y is (see `window`); far off the funnel, where those bounds are
 * loose, exact bounds on pieces of v trim it to the posterior's mass (`trimmedEdge`).
 *
 * Spacing: trapezoid sums of a smooth integrand that vanishes at both ends converge
 * geometrically, so the grid halves its spacing (reusing the old points) until the
 * results move by less than the tolerance, and returns the finer sum. It needs more points
 * at prior-like noise levels, where e^{f} is sharper than the Gaussian part, than at small b,
 * and more in higher dimension (docs/measurements.md).
 */
class VGrid {
  private readonly z: Float64Array;
  private readonly logWeight: Float64Array;
  private readonly inverseU: Float64Array;
  /** Points filled by the last `integrate`. */
  private count = 0;
  private maxLog = -Infinity;
  private centre = 0;

  constructor(
    private readonly halfRest: number,
    private readonly tolerance: number,
    private readonly maxPoints: number,
  ) {
    this.z = new Float64Array(maxPoints);
    this.logWeight = new Float64Array(maxPoints);
    this.inverseU = new Float64Array(maxPoints);
  }

  integrate(y0: number, sumSq: number, level: Level): GridIntegral {
    const { s } = level;
    const m = level.gain * y0;
    const { lo, hi, sharpness } = this.window(m, sumSq, level);
    const zStart = (lo - m) / s;
    const span = (hi - lo) / s;
    // Start with about two grid points per posterior std; doubling does the rest.
    let intervals = Math.max(MIN_INTERVALS, Math.ceil(2 * span * sharpness));
    intervals = Math.min(intervals, this.maxPoints - 1);

    this.count = 0;
    this.maxLog = -Infinity;
    this.centre = m;
    const sums = { total: 0, z: 0, inverseU: 0 };
    let dz = span / intervals;
    this.addPoints(zStart, dz, intervals + 1, sumSq, level, sums);
    let previous = this.estimate(dz, sums);
    for (;;) {
      if (2 * intervals + 1 > this.maxPoints) return previous;
      // Halve the spacing: the new points are the midpoints of the old intervals.
      this.addPoints(zStart + dz / 2, dz, intervals, sumSq, level, sums);
      intervals *= 2;
      dz /= 2;
      const current = this.estimate(dz, sums);
      if (this.converged(previous, current)) return current;
      previous = current;
    }
  }

  /**
   * The range [lo, hi] of v that holds all the mass of every integrand, and the posterior's
   * sharpness in z (1 / its std) near its mode. L(v) = -(v - m)^2 / (2 s^2) + f(v) is the log
   * integrand; the moments tilt it by at most TILT_SLOPE |v - v'| between any v, v'.
   *
   * f rises up to its peak v_f (where u = S / (d - 1)) and falls after it, so the local maximum
   * vRef of L that bisection finds lies between m and v_f. On the side of m facing vRef,
   * f <= sup f; on the other side f <= f(m). Where
   *   -(v - m)^2 / (2 s^2) + F_side + T |v - vRef| < L(vRef) - TAIL
   * the integrand is below e^-TAIL of its maximum, which bounds the window on each side.
   */
  private window(m: number, sumSq: number, level: Level): { lo: number; hi: number; sharpness: number } {
    const { a2, b2, s } = level;
    const s2 = s * s;
    const h = this.halfRest;
    const { logA2, logB2 } = level;
    const logUOf = (v: number) => logUAt(v, level);
    const f = (logU: number) => -h * logU - 0.5 * sumSq * Math.exp(-logU);
    const logIntegrand = (v: number) => (-0.5 * (v - m) ** 2) / s2 + f(logUOf(v));
    // L'(v) = -(v - m) / s^2 + t (S / (2u) - h), t = a^2 e^v / u in [0, 1).
    const slope = (v: number) => {
      const logU = logUOf(v);
      return -(v - m) / s2 + Math.exp(v + logA2 - logU) * (0.5 * sumSq * Math.exp(-logU) - h);
    };
    const peakU = sumSq / (2 * h);
    const canPeak = a2 > 0 && peakU > b2;
    const supF = canPeak ? f(Math.log(peakU)) : f(logB2);

    const start = Math.min(Math.max(m, -V_RANGE), V_RANGE);
    const vPeakF = canPeak ? Math.min(Math.max(Math.log((peakU - b2) / a2), -V_RANGE), V_RANGE) : -Infinity;
    // Bisection for a sign change of L' from + (at p) to - (at q).
    const climb = (p: number, q: number) => {
      for (let iter = 0; iter < 80 && q - p > 0.01 * s; iter++) {
        const mid = 0.5 * (p + q);
        if (slope(mid) > 0) p = mid;
        else q = mid;
      }
      return 0.5 * (p + q);
    };
    let vRef = start;
    const startSlope = slope(start);
    if (startSlope !== 0) {
      // Bracket a sign change of L' from + to -: towards v_f, or within s^2 (d-1)/2 below m,
      // since f' >= -(d-1)/2 makes L'(m - s^2 (d-1)/2) >= 0.
      const p = startSlope > 0 ? start : Math.max(start - s2 * h, -V_RANGE);
      const q = startSlope > 0 ? (canPeak ? vPeakF : V_RANGE) : start;
      vRef = climb(p, Math.min(Math.max(q, p), V_RANGE));
    }
    // Bisection need not climb: keep whichever of vRef and m is higher.
    let logRef = logIntegrand(vRef);
    const logAtStart = logIntegrand(start);
    if (logAtStart > logRef) [vRef, logRef] = [start, logAtStart];
    // L has at most sup f (G <= 0). Far below that, L may have two modes, between m and v_f, and
    // the one found may be the lower: a point far off the funnel. Scan between them for the higher,
    // so the window's bounds below, all relative to L(vRef), stay tight.
    if (canPeak && supF - logRef > TAIL) {
      const [from, to] = start < vPeakF ? [start, vPeakF] : [vPeakF, start];
      const step = (to - from) / (SCAN_POINTS - 1);
      let best = -1;
      for (let j = 0; j < SCAN_POINTS; j++) {
        const value = logIntegrand(from + j * step);
        if (value > logRef) [vRef, logRef, best] = [from + j * step, value, j];
      }
      if (best >= 0) {
        const peak = climb(Math.max(vRef - step, from), Math.min(vRef + step, to));
        const value = logIntegrand(peak);
        if (value > logRef) [vRef, logRef] = [peak, value];
      }
    }

    const reach = (bound: number) => {
      const r = bound - logRef + TAIL + TILT_SLOPE * Math.abs(vRef - m);
      const disc = (TILT_SLOPE * s2) ** 2 + 2 * s2 * r;
      return disc > 0 ? TILT_SLOPE * s2 + Math.sqrt(disc) : 0;
    };
    const clamped = start !== m;
    const fAtM = f(logUOf(start));
    const up = reach(vRef >= m || clamped ? supF : fAtM);
    const down = reach(vRef <= m || clamped ? supF : fAtM);
    let lo = Math.max(m - down, -V_RANGE);
    let hi = Math.min(m + up, V_RANGE);
    // Curvature of L in z at vRef: 1 - s^2 f'', f'' = t (1 - t)(S / (2u) - h) - t^2 S / (2u).
    const logU = logUOf(vRef);
    const t = Math.exp(vRef + logA2 - logU);
    const pressure = 0.5 * sumSq * Math.exp(-logU);
    const curvature = 1 - s2 * (t * (1 - t) * (pressure - h) - t * t * pressure);
    const sharpness = Math.sqrt(Math.max(1, curvature));
    if (!(hi - lo > 1e-3 * s)) {
      // Centre beyond +-V_RANGE (meaningless input): a finite window at the nearer end.
      const width = Math.max(up + down, 20 * s);
      [lo, hi] = m > 0 ? [V_RANGE - width, V_RANGE] : [-V_RANGE, -V_RANGE + width];
    } else if (2 * ((hi - lo) / s) * sharpness > TRIM_ABOVE && lo <= vRef && vRef <= hi) {
      const tilted = { m, s2, vRef, floor: logRef - TAIL, vPeakF, f: (v: number) => f(logUOf(v)) };
      // Pieces from the width of the posterior at vRef (std s / sharpness in v), doubling outwards.
      lo = trimmedEdge(lo, vRef, s / sharpness, tilted);
      hi = trimmedEdge(hi, vRef, s / sharpness, tilted);
    }
    return { lo, hi, sharpness };
  }

  /** Posterior moments of v, k = a e^v / u and c = e^v b^2 / u; centred second pass. */
  moments(y0: number, sumSq: number, level: Level): PosteriorMoments {
    const { a, b2, s } = level;
    this.integrate(y0, sumSq, level);
    const logA = Math.log(a); // -Infinity at a = 0, where k = 0 and c = e^v
    let total = 0;
    let zSum = 0;
    let kSum = 0;
    let cSum = 0;
    // Overwrite the buffers with the normalised weights and k, for the second pass.
    for (let j = 0; j < this.count; j++) {
      const weight = Math.exp(this.logWeight[j] - this.maxLog);
      const v = this.centre + s * this.z[j];
      // Above V_LIMIT (a > 0 there), e^v overflows: k = 1 / (a + b^2 e^-v / a), c = b^2 k / a.
      const far = v > V_LIMIT && a > 0;
      const k = a === 0 ? 0 : far ? 1 / (a + (b2 * Math.exp(-v)) / a) : Math.exp(logA + v) * this.inverseU[j];
      total += weight;
      zSum += weight * this.z[j];
      kSum += weight * k;
      cSum += weight * (far ? (b2 * k) / a : Math.exp(v) * b2 * this.inverseU[j]);
      this.logWeight[j] = weight;
      this.inverseU[j] = k;
    }
    const meanZ = zSum / total;
    const meanK = kSum / total;
    let zz = 0;
    let zk = 0;
    let kk = 0;
    for (let j = 0; j < this.count; j++) {
      const weight = this.logWeight[j];
      const dz = this.z[j] - meanZ;
      const dk = this.inverseU[j] - meanK;
      zz += weight * dz * dz;
      zk += weight * dz * dk;
      kk += weight * dk * dk;
    }
    return {
      meanV: this.centre + s * meanZ,
      meanK,
      meanC: cSum / total,
      varV: (s * s * zz) / total,
      covVK: (s * zk) / total,
      varK: kk / total,
    };
  }

  /** Evaluates `n` points z = zFirst + j step: log weight -z^2/2 + f(v), and 1/u; adds them to the sums. */
  private addPoints(
    zFirst: number,
    step: number,
    n: number,
    sumSq: number,
    level: Level,
    sums: { total: number; z: number; inverseU: number },
  ): void {
    const { a2, b2, s } = level;
    const h = this.halfRest;
    const start = this.count;
    const end = start + n;
    const growth = Math.exp(s * step);
    // e^v by one multiplication per point; 0 below -V_LIMIT (and where a = 0: u = b^2), computed
    // afresh where the grid climbs past -V_LIMIT (an underflowed start would otherwise stay 0).
    let ev = 0;
    let maxLog = this.maxLog;
    for (let j = start; j < end; j++) {
      const z = zFirst + (j - start) * step;
      const v = this.centre + s * z;
      ev = v <= -V_LIMIT || a2 === 0 ? 0 : ev > 0 ? ev * growth : Math.exp(v);
      let inverseU: number;
      let logInverseU: number;
      if (v > V_LIMIT && a2 > 0) {
        // a^2 e^v overflows: u in logs.
        logInverseU = -logUAt(v, level);
        inverseU = Math.exp(logInverseU);
      } else {
        inverseU = 1 / (a2 * ev + b2);
        logInverseU = Math.log(inverseU);
      }
      const logWeight = -0.5 * z * z + h * logInverseU - 0.5 * sumSq * inverseU;
      this.z[j] = z;
      this.logWeight[j] = logWeight;
      this.inverseU[j] = inverseU;
      if (logWeight > maxLog) maxLog = logWeight;
    }
    if (maxLog > this.maxLog) {
      // Rescale the old sums to the new maximum (log-sum-exp).
      const rescale = Number.isFinite(this.maxLog) ? Math.exp(this.maxLog - maxLog) : 0;
      sums.total *= rescale;
      sums.z *= rescale;
      sums.inverseU *= rescale;
      this.maxLog = maxLog;
    }
    for (let j = start; j < end; j++) {
      const weight = Math.exp(this.logWeight[j] - maxLog);
      sums.total += weight;
      sums.z += weight * this.z[j];
      sums.inverseU += weight * this.inverseU[j];
    }
    this.count = end;
  }

  /** int phi(z) e^{f} dz ~ dz sum_j phi(z_j) e^{f(v_j)}, and the posterior means. */
  private estimate(dz: number, sums: { total: number; z: number; inverseU: number }): GridIntegral {
    return {
      logMeanExpF: Math.log(dz) - 0.5 * LOG_2PI + this.maxLog + Math.log(sums.total),
      meanZ: sums.z / sums.total,
      meanInverseU: sums.inverseU / sums.total,
    };
  }

  private converged(previous: GridIntegral, current: GridIntegral): boolean {
    const tol = this.tolerance;
    return (
      Math.abs(current.logMeanExpF - previous.logMeanExpF) <= tol &&
      Math.abs(current.meanZ - previous.meanZ) <= tol &&
      Math.abs(current.meanInverseU - previous.meanInverseU) <= tol * current.meanInverseU
    );
  }
}
