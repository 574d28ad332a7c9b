import { fastExp } from './fast-exp.js';

/**
 * Log-domain Sinkhorn for uniform weights on a precomputed cost scaled by 1/eps.
 *
 * Potentials are kept as F_i = f_i/eps + log a_i and G_j = g_j/eps + log b_j, so
 * the plan is P_ij = exp(F_i + G_j - C_ij/eps) with no shift needed: after a
 * column update every column sums to b_j <= 1, hence every exponent is <= 0 and
 * a row sum cannot overflow. A row or column whose sum underflows (a far
 * outlier early on) or overflows (an over-relaxed step) is redone with an exact
 * max-shifted log-sum-exp, so nothing is ever lost to the exponent range.
 */

export interface OtSolution {
  /** Transport cost <P, C> of the entropic plan. */
  cost: number;
  /** Sinkhorn iterations (one row and one column update, or one symmetric update). */
  iterations: number;
  /** L1 error of both marginals of the returned plan (relative: marginals sum to 1). */
  marginalError: number;
  converged: boolean;
}

export interface SolveOptions {
  tol: number;
  maxIter: number;
  /**
   * Over-relaxation factor omega for the asymmetric problem, or 'auto'. Updates
   * become F += omega (T(F) - F): same fixed point, far fewer iterations when
   * mass must cross between well-separated clusters.
   */
  relaxation: number | 'auto';
}

/** log sum_j exp(z_j) over z_j = base + v[j * stride + offset] - cs[...], with an explicit max shift. */
function exactLogSum(cs: Float64Array, csStart: number, csStride: number, base: number, v: Float64Array, len: number): number {
  let mx = -Infinity;
  for (let j = 0; j < len; j++) {
    const z = base + v[j] - cs[csStart + j * csStride];
    if (z > mx) mx = z;
  }
  if (mx === -Infinity) return -Infinity;
  let s = 0;
  for (let j = 0; j < len; j++) s += Math.exp(base + v[j] - cs[csStart + j * csStride] - mx);
  return mx + Math.log(s);
}

/** True for a sum that can be logged without losing the row: positive and finite. */
function usable(s: number): boolean {
  return s > 1e-300 && s < 1e300;
}

/** Row update of F; returns the L1 row-marginal error of the plan before it. */
function rowStep(cs: Float64Array, n: number, m: number, F: Float64Array, G: Float64Array, omega: number): number {
  const logA = -Math.log(n);
  const a = 1 / n;
  let err = 0;
  for (let i = 0; i < n; i++) {
    const o = i * m;
    const fi = F[i];
    let s = 0;
    for (let j = 0; j < m; j++) s += fastExp(fi + G[j] - cs[o + j]);
    const logS = usable(s) ? Math.log(s) : exactLogSum(cs, o, 1, fi, G, m);
    err += Math.abs(Math.exp(logS) - a);
    F[i] = fi + omega * (logA - logS);
  }
  return err;
}

/** Column update of G, accumulated row by row so the cost matrix is read in order. */
function colStep(cs: Float64Array, n: number, m: number, F: Float64Array, G: Float64Array, acc: Float64Array, omega: number): number {
  const logB = -Math.log(m);
  const b = 1 / m;
  acc.fill(0);
  for (let i = 0; i < n; i++) {
    const o = i * m;
    const fi = F[i];
    for (let j = 0; j < m; j++) acc[j] += fastExp(fi + G[j] - cs[o + j]);
  }
  let err = 0;
  for (let j = 0; j < m; j++) {
    const s = acc[j];
    const logS = usable(s) ? Math.log(s) : exactLogSum(cs, j, m, G[j], F, n);
    err += Math.abs(Math.exp(logS) - b);
    G[j] += omega * (logB - logS);
  }
  return err;
}

/** <P, C> and the L1 marginal errors of the plan exp(F_i + G_j - cs_ij). */
function planSummary(cs: Float64Array, n: number, m: number, F: Float64Array, G: Float64Array, acc: Float64Array, eps: number): { cost: number; marginalError: number } {
  acc.fill(0);
  let cost = 0;
  let rowErr = 0;
  for (let i = 0; i < n; i++) {
    const o = i * m;
    const fi = F[i];
    let r = 0;
    for (let j = 0; j < m; j++) {
      const c = cs[o + j];
      const p = fastExp(fi + G[j] - c);
      r += p;
      acc[j] += p;
      cost += p * c;
    }
    rowErr += Math.abs(r - 1 / n);
  }
  let colErr = 0;
  for (let j = 0; j < m; j++) colErr += Math.abs(acc[j] - 1 / m);
  return { cost: eps * cost, marginalError: rowErr + colErr };
}

/** Iterations skipped before measuring rates: the first ones remove fast transients. */
const RATE_WARMUP = 10;
/** Iterations per rate measurement. */
const RATE_WINDOW = 10;
/** omega above this risks oscillation when the rate estimate is optimistic. */
const MAX_OMEGA = 1.95;

/**
 * omega for a plain-Sinkhorn error contraction r per iteration: the SOR optimum
 * 2 / (1 + sqrt(1 - r)). Sinkhorn behaves like Gauss-Seidel, whose rate r is the
 * square of the Jacobi radius mu; at the optimum the rate drops to omega - 1.
 */
export function optimalRelaxation(rate: number): number {
  if (!(rate > 0)) return 1;
  if (rate >= 1) return MAX_OMEGA;
  return Math.min(MAX_OMEGA, 2 / (1 + Math.sqrt(1 - rate)));
}

/**
 * Plain-Sinkhorn rate mu^2 implied by an observed rate lambda under relaxation
 * omega below its optimum, from the SOR eigenvalue relation
 * (lambda + omega - 1)^2 = lambda omega^2 mu^2.
 */
export function impliedPlainRate(lambda: number, omega: number): number {
  return (lambda + omega - 1) ** 2 / (lambda * omega * omega);
}

/**
 * Chooses omega as the iterations go: the rate of each window of RATE_WINDOW
 * iterations gives the plain rate, hence the optimal omega. Early windows
 * underestimate the slow mode, so omega only ever rises, until the observed
 * rate matches omega - 1 (the optimum is reached). A blow-up restores the
 * potentials saved before the last change and returns to plain Sinkhorn.
 */
class RelaxationController {
  omega: number;
  private readonly history: number[] = [];
  private saved: { F: Float64Array; G: Float64Array; err: number } | null = null;
  private frozen: boolean;

  constructor(relaxation: number | 'auto') {
    this.omega = typeof relaxation === 'number' ? relaxation : 1;
    this.frozen = relaxation !== 'auto';
  }

  /** Records this iteration's error; may change omega or roll F and G back. */
  observe(err: number, F: Float64Array, G: Float64Array): void {
    if (this.saved !== null && !(err < 10 * this.saved.err)) {
      F.set(this.saved.F);
      G.set(this.saved.G);
      this.omega = 1;
      this.saved = null;
      this.frozen = true;
      return;
    }
    if (this.frozen) return;
    const h = this.history;
    h.push(err);
    const k = h.length - 1;
    if (k < RATE_WARMUP + RATE_WINDOW || (k - RATE_WARMUP) % RATE_WINDOW !== 0) return;
    const lambda = (h[k] / h[k - RATE_WINDOW]) ** (1 / RATE_WINDOW);
    if (!(lambda < 1) || lambda <= 1.05 * (this.omega - 1)) return;
    const next = optimalRelaxation(impliedPlainRate(lambda, this.omega));
    if (next <= this.omega) return;
    this.omega = next;
    this.saved = { F: F.slice(), G: G.slice(), err };
  }
}

/**
 * Entropic OT between n and m uniformly weighted points with scaled cost
 * cs = C/eps (row-major n x m).
 */
export function solveAsymmetric(cs: Float64Array, n: number, m: number, eps: number, opts: SolveOptions): OtSolution {
  const F = new Float64Array(n).fill(-Math.log(n));
  const G = new Float64Array(m).fill(-Math.log(m));
  const acc = new Float64Array(m);
  const relax = new RelaxationController(opts.relaxation);
  let iterations = 0;
  while (iterations < opts.maxIter) {
    iterations++;
    const err = rowStep(cs, n, m, F, G, relax.omega) + colStep(cs, n, m, F, G, acc, relax.omega);
    if (err < opts.tol) break;
    relax.observe(err, F, G);
    if (process.env.SKDEBUG && iterations % 10 === 0) console.error(iterations, err.toExponential(2), relax.omega.toFixed(3));
  }
  const { cost, marginalError } = planSummary(cs, n, m, F, G, acc, eps);
  return { cost, iterations, marginalError, converged: marginalError < opts.tol };
}

/**
 * Entropic OT of n uniformly weighted points with themselves (cs symmetric),
 * with the averaged update F <- (F + T(F))/2 whose fixed point is the symmetric
 * potential; it converges in a few tens of iterations where alternating
 * updates oscillate. Each plan entry is computed once for both of its rows.
 */
export function solveSymmetric(cs: Float64Array, n: number, eps: number, opts: Omit<SolveOptions, 'relaxation'>): OtSolution {
  const logA = -Math.log(n);
  const a = 1 / n;
  const F = new Float64Array(n).fill(logA);
  const r = new Float64Array(n);
  let iterations = 0;
  let cost = 0;
  let marginalError = Infinity;
  for (;;) {
    // Row sums of the current plan; since it is symmetric they are also its column sums.
    r.fill(0);
    cost = 0;
    for (let i = 0; i < n; i++) {
      const o = i * n;
      const fi = F[i];
      const cii = cs[o + i];
      const pii = fastExp(2 * fi - cii);
      let ri = r[i] + pii;
      let ci = pii * cii;
      for (let j = i + 1; j < n; j++) {
        const c = cs[o + j];
        const p = fastExp(fi + F[j] - c);
        ri += p;
        r[j] += p;
        ci += 2 * p * c;
      }
      r[i] = ri;
      cost += ci;
    }
    let err = 0;
    let exact = true;
    for (let i = 0; i < n; i++) {
      if (!usable(r[i])) exact = false;
      else err += Math.abs(r[i] - a);
    }
    marginalError = exact ? 2 * err : Infinity;
    if (marginalError < opts.tol || iterations >= opts.maxIter) break;
    iterations++;
    for (let i = 0; i < n; i++) {
      const logS = usable(r[i]) ? Math.log(r[i]) : exactLogSum(cs, i * n, 1, F[i], F, n);
      r[i] = logS;
    }
    for (let i = 0; i < n; i++) F[i] += 0.5 * (logA - r[i]);
  }
  return { cost: eps * cost, iterations, marginalError, converged: marginalError < opts.tol };
}
