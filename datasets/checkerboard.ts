import { z } from 'zod';
import { erf, erfcx } from '../src/metrics/normal.js';
import type { Rng } from '../src/rng.js';
import { checkPath, countRows } from './checks.js';
import { defineTarget } from './target-module.js';
import type { ParameterDescription, PathCoefficients, Points, Target } from './target.js';

/** The board [-4, 4]^2, cut into 4 x 4 cells of side 2 per axis. */
const LOW = -4;
const CELL = 2;
const CELLS = 4;
const HIGH = LOW + CELLS * CELL;

/**
 * The black cells (i, j): column i spans x in [-4 + 2i, -2 + 2i], row j spans y in
 * [-4 + 2j, -2 + 2j], and a cell is black where i + j is even, so the corner cell
 * [-4, -2]^2 is black. Eight cells, mass 1/8 each.
 */
const SQUARES: readonly (readonly [number, number])[] = Array.from({ length: CELLS * CELLS }, (_, k) => [Math.floor(k / CELLS), k % CELLS] as const).filter(
  ([i, j]) => (i + j) % 2 === 0,
);
const LOG_SQUARE_WEIGHT = -Math.log(SQUARES.length);
/** log of the data density on the black cells: 1 / (8 cells of area 4). */
const LOG_DENSITY_INSIDE = -Math.log(SQUARES.length * CELL * CELL);
const LOG_2PI = Math.log(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * The 2-D checkerboard: x0 uniform on the 8 black cells of a 4 x 4 board on [-4, 4]^2.
 *
 * Under x = a x0 + b eps both the uniform law of a cell and the noise factorise over the
 * axes, so the noised density is a mixture over the black cells of products of
 *   q(y; lo, hi) = [Phi((a hi - y) / b) - Phi((a lo - y) / b)] / (a (hi - lo)),
 * and given the cell, each coordinate of x0 is a normal truncated to the cell's interval:
 * u = (y + b w) / a with w ~ N(0, 1) restricted to [(a lo - y) / b, (a hi - y) / b]. The
 * score is E[w | x] / b and the posterior moments mix the truncated-normal moments over the
 * cells. Interval masses are taken in log space (erfcx in the tails), so the score stays
 * finite however far x lies from the board.
 *
 * At b = 0 the law is x0 scaled by a: the density is flat on the black cells and jumps at
 * their edges, so `noisedScore` has no value there and throws.
 */
export class Checkerboard implements Target {
  readonly name = 'checkerboard';
  readonly dim = 2;
  readonly params: Record<string, unknown> = {
    low: LOW,
    high: HIGH,
    cells: CELLS,
    black: 'cells (i, j) with i + j even; cell (0, 0) is [-4, -2]^2',
  };
  readonly parameterDescriptions: ParameterDescription[] = [
    { name: 'low', description: 'lower edge of the board on each axis' },
    { name: 'high', description: 'upper edge of the board on each axis' },
    { name: 'cells', description: 'cells per axis' },
    { name: 'black', description: 'which cells carry mass (uniformly, equal shares)' },
  ];
  /** Each coordinate is uniform on [-4, 4]: variance 8^2 / 12. */
  readonly dataStd = (HIGH - LOW) / Math.sqrt(12);

  sample(n: number, rng: Rng): Points {
    const out = new Float64Array(n * 2);
    for (let p = 0; p < n; p++) {
      const [i, j] = SQUARES[rng.int(SQUARES.length)];
      out[2 * p] = LOW + CELL * (i + rng.uniform());
      out[2 * p + 1] = LOW + CELL * (j + rng.uniform());
    }
    return out;
  }

  logDensity(x: Points): Float64Array {
    return this.noisedLogDensity(x, { a: 1, b: 0 });
  }

  noisedLogDensity(x: Points, path: PathCoefficients): Float64Array {
    const { a, b } = checkPath(path);
    const n = countRows(x, 2);
    const out = new Float64Array(n);
    if (b === 0) {
      // x = a x0 exactly: p(x) = pi(x / a) / a^2.
      for (let p = 0; p < n; p++) {
        out[p] = onBlack(x[2 * p] / a, x[2 * p + 1] / a) ? LOG_DENSITY_INSIDE - 2 * Math.log(a) : -Infinity;
      }
      return out;
    }
    const ws = new Workspace();
    for (let p = 0; p < n; p++) out[p] = ws.posterior(x[2 * p], x[2 * p + 1], a, b);
    return out;
  }

  noisedScore(x: Points, path: PathCoefficients): Points {
    const { a, b } = checkPath(path);
    if (b === 0) throw new RangeError('the checkerboard has no score at b = 0: its density jumps at the edges of the cells');
    const n = countRows(x, 2);
    const out = new Float64Array(n * 2);
    const ws = new Workspace();
    for (let p = 0; p < n; p++) {
      ws.posterior(x[2 * p], x[2 * p + 1], a, b);
      out.set(ws.mix(ws.xCells.score, ws.yCells.score), 2 * p);
    }
    return out;
  }

  posteriorMean(x: Points, path: PathCoefficients): Points {
    const { a, b } = checkPath(path);
    const n = countRows(x, 2);
    const out = new Float64Array(n * 2);
    if (b === 0) {
      for (let k = 0; k < out.length; k++) out[k] = x[k] / a;
      return out;
    }
    const ws = new Workspace();
    for (let p = 0; p < n; p++) {
      ws.posterior(x[2 * p], x[2 * p + 1], a, b);
      out.set(ws.mix(ws.xCells.mean, ws.yCells.mean), 2 * p);
    }
    return out;
  }

  /** Sum over cells of gamma_k (diag(v_k) + (m_k - m)(m_k - m)^T): within-cell plus between-cell spread. */
  posteriorCovariance(x: Points, path: PathCoefficients): Float64Array {
    const { a, b } = checkPath(path);
    const n = countRows(x, 2);
    const out = new Float64Array(n * 4);
    if (b === 0) return out;
    const ws = new Workspace();
    for (let p = 0; p < n; p++) {
      ws.posterior(x[2 * p], x[2 * p + 1], a, b);
      const [mx, my] = ws.mix(ws.xCells.mean, ws.yCells.mean);
      let xx = 0;
      let xy = 0;
      let yy = 0;
      SQUARES.forEach(([i, j], k) => {
        const g = ws.gamma[k];
        const dx = ws.xCells.mean[i] - mx;
        const dy = ws.yCells.mean[j] - my;
        xx += g * (ws.xCells.variance[i] + dx * dx);
        xy += g * dx * dy;
        yy += g * (ws.yCells.variance[j] + dy * dy);
      });
      out.set([xx, xy, xy, yy], 4 * p);
    }
    return out;
  }
}

/** True where (u, v) lies on a black cell (edges included). */
function onBlack(u: number, v: number): boolean {
  const i = cellIndex(u);
  const j = cellIndex(v);
  return i >= 0 && j >= 0 && (i + j) % 2 === 0;
}

/** The cell of a coordinate, -1 off the board; the upper edge belongs to the last cell. */
function cellIndex(u: number): number {
  if (!(u >= LOW && u <= HIGH)) return -1;
  return Math.min(Math.floor((u - LOW) / CELL), CELLS - 1);
}

/** What one coordinate of x says about x0 in each cell's interval, at one noise level. */
class AxisCells {
  /** log q(y; lo, hi): the noised density of the coordinate given the cell. */
  readonly logFactor = new Float64Array(CELLS);
  /** d/dy log q = E[w] / b. */
  readonly score = new Float64Array(CELLS);
  /** E[x0 coordinate | y, cell]. */
  readonly mean = new Float64Array(CELLS);
  /** Var[x0 coordinate | y, cell]. */
  readonly variance = new Float64Array(CELLS);

  fill(y: number, a: number, b: number): void {
    for (let c = 0; c < CELLS; c++) {
      const lo = LOW + c * CELL;
      const mid = lo + CELL / 2;
      if (a === 0) {
        // The prior end: x = b eps carries no information on x0, so each cell stays uniform.
        this.logFactor[c] = -0.5 * (LOG_2PI + 2 * Math.log(b)) - (y * y) / (2 * b * b);
        this.score[c] = -y / (b * b);
        this.mean[c] = mid;
        this.variance[c] = (CELL * CELL) / 12;
        continue;
      }
      const t = truncatedNormal((a * lo - y) / b, (a * (lo + CELL) - y) / b);
      const ratio = b / a;
      this.logFactor[c] = t.logMass - Math.log(a * CELL);
      this.score[c] = t.mean / b;
      // u = (y + b w) / a, written about the cell's midpoint; rounding cannot leave the cell.
      this.mean[c] = Math.min(Math.max(mid + ratio * t.offset, lo), lo + CELL);
      this.variance[c] = Math.min(Math.max(ratio * ratio * t.variance, 0), (CELL * CELL) / 4);
    }
  }
}

/** Scratch space of one call: both axes' cell tables and the cell responsibilities. */
class Workspace {
  readonly xCells = new AxisCells();
  readonly yCells = new AxisCells();
  readonly gamma = new Float64Array(SQUARES.length);

  /** Fills the tables and gamma (the posterior over the black cells) at (x, y); returns log p(x, y). */
  posterior(x: number, y: number, a: number, b: number): number {
    this.xCells.fill(x, a, b);
    this.yCells.fill(y, a, b);
    let max = -Infinity;
    SQUARES.forEach(([i, j], k) => {
      const logit = this.xCells.logFactor[i] + this.yCells.logFactor[j];
      this.gamma[k] = logit;
      if (logit > max) max = logit;
    });
    let sum = 0;
    for (let k = 0; k < this.gamma.length; k++) sum += this.gamma[k] = Math.exp(this.gamma[k] - max);
    for (let k = 0; k < this.gamma.length; k++) this.gamma[k] /= sum;
    return LOG_SQUARE_WEIGHT + max + Math.log(sum);
  }

  /** sum_k gamma_k (xs[i_k], ys[j_k]) over the black cells (i_k, j_k). */
  mix(xs: Float64Array, ys: Float64Array): [number, number] {
    let mx = 0;
    let my = 0;
    SQUARES.forEach(([i, j], k) => {
      mx += this.gamma[k] * xs[i];
      my += this.gamma[k] * ys[j];
    });
    return [mx, my];
  }
}

/** w ~ N(0, 1) restricted to [alpha, beta]: log of the mass, mean, mean minus the midpoint, variance. */
export interface TruncatedNormal {
  logMass: number;
  mean: number;
  offset: number;
  variance: number;
}

/** Intervals with |c h| and h below these are integrated by Gauss-Legendre in s (see `shortInterval`). */
const SHORT_TILT = 8;
const SHORT_HALF_WIDTH = 1;
/** Nodes enough for exp(-kappa s - eps s^2) with |kappa| <= 8, eps <= 1/2 to full double precision. */
const QUADRATURE = gaussLegendre(24);

/** Moments of N(0, 1) on [alpha, beta], alpha < beta, without cancellation in the tails or on short intervals. */
export function truncatedNormal(alpha: number, beta: number): TruncatedNormal {
  const centre = 0.5 * (alpha + beta);
  const h = 0.5 * (beta - alpha);
  if (Math.abs(centre * h) <= SHORT_TILT && h <= SHORT_HALF_WIDTH) return shortInterval(centre, h);
  if (beta <= 0) {
    // Mirror the lower tail onto the upper one.
    const m = upperTail(-beta, -alpha);
    return { logMass: m.logMass, mean: -m.mean, offset: -m.offset, variance: m.variance };
  }
  return alpha >= 0 ? upperTail(alpha, beta) : straddling(alpha, beta);
}

/**
 * w = c + h s, s in [-1, 1], weighted by phi(c + h s) / phi(c) = exp(-kappa s - eps s^2) with
 * kappa = c h, eps = h^2 / 2: a smooth, bounded weight, so Gauss-Legendre gives the mass and the
 * centred moments of s to rounding, however short the interval or far its centre.
 */
function shortInterval(c: number, h: number): TruncatedNormal {
  const kappa = c * h;
  const eps = 0.5 * h * h;
  const { nodes, weights } = QUADRATURE;
  let total = 0;
  let first = 0;
  let second = 0;
  for (let k = 0; k < nodes.length; k++) {
    const s = nodes[k];
    const g = weights[k] * Math.exp(-kappa * s - eps * s * s);
    total += g;
    first += g * s;
    second += g * s * s;
  }
  // |kappa| <= 8 keeps Var[s] >= ~1/64 while E[s]^2 <= 1: the raw second moment loses nothing.
  const meanS = first / total;
  return {
    logMass: Math.log(h * total) - 0.5 * (LOG_2PI + c * c),
    mean: c + h * meanS,
    offset: h * meanS,
    variance: h * h * Math.max(second / total - meanS * meanS, 0),
  };
}

/** Gauss-Legendre nodes and weights on [-1, 1]: Newton's method on the Legendre recurrence. */
function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let slope = 1;
    for (let iter = 0; iter < 100; iter++) {
      let previous = 1;
      let value = x;
      for (let k = 2; k <= n; k++) [previous, value] = [value, ((2 * k - 1) * x * value - (k - 1) * previous) / k];
      slope = (n * (x * value - previous)) / (x * x - 1);
      const step = value / slope;
      x -= step;
      if (Math.abs(step) <= 1e-16) break;
    }
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = weights[n - 1 - i] = 2 / ((1 - x * x) * slope * slope);
  }
  return { nodes, weights };
}

/**
 * 0 <= alpha < beta: with Q the upper tail, Q(alpha) = erfcx(alpha / sqrt 2) e^{-alpha^2 / 2} / 2,
 * and every ratio of tails is taken as erfcx ratios times e^{-D}, D = (beta^2 - alpha^2) / 2.
 */
function upperTail(alpha: number, beta: number): TruncatedNormal {
  const ea = erfcx(alpha * Math.SQRT1_2);
  const eb = erfcx(beta * Math.SQRT1_2);
  const d = 0.5 * (beta - alpha) * (beta + alpha);
  // mass / Q(alpha) = 1 - Q(beta) / Q(alpha).
  const share = -Math.expm1(Math.log(eb / ea) - d);
  // phi(alpha) / Q(alpha), and phi(beta) / Q(alpha) = lambda e^{-D}.
  const lambda = SQRT_2_OVER_PI / ea;
  const mean = (lambda * -Math.expm1(-d)) / share;
  const second = 1 + (lambda * (alpha - beta * Math.exp(-d))) / share;
  return {
    logMass: Math.log(0.5 * ea) - 0.5 * alpha * alpha + Math.log(share),
    mean,
    offset: mean - 0.5 * (alpha + beta),
    variance: Math.max(second - mean * mean, 0),
  };
}

/** alpha < 0 < beta: the mass is a sum of two positive erf terms, so nothing cancels. */
function straddling(alpha: number, beta: number): TruncatedNormal {
  const mass = 0.5 * (erf(beta * Math.SQRT1_2) + erf(-alpha * Math.SQRT1_2));
  const pa = Math.exp(-0.5 * alpha * alpha - 0.5 * LOG_2PI);
  const pb = Math.exp(-0.5 * beta * beta - 0.5 * LOG_2PI);
  const mean = (pa - pb) / mass;
  const second = 1 + (alpha * pa - beta * pb) / mass;
  return { logMass: Math.log(mass), mean, offset: mean - 0.5 * (alpha + beta), variance: Math.max(second - mean * mean, 0) };
}

export const CHECKERBOARD_TARGET = defineTarget({
  name: 'checkerboard',
  summary: '2-D checkerboard: uniform on the 8 black cells of a 4 x 4 board on [-4, 4]^2 (the cell [-4, -2]^2 is black)',
  options: z.object({}).strict(),
  capabilities: { exactScore: true, logDensity: true, mixture: false, marginal: false, nodeOnly: false },
  build: () => new Checkerboard(),
});
