import { fastExp } from './fast-exp.js';
import { exactLogSum, usable, type OtSolution } from './sinkhorn-common.js';

/**
 * Entropic OT of n uniformly weighted points with themselves (the debiasing
 * terms W(x,x), W(y,y)); cs = C/eps is symmetric, and so are the plan and its
 * potential F. The averaged update F <- (F + T(F)) / 2 has that potential as
 * its fixed point and converges in a few tens of iterations where alternating
 * updates oscillate. Log-stabilised as in sinkhorn-asymmetric.ts: iterate a
 * bounded correction l against K_ij = exp(F_i + F_j - cs_ij), absorbing it
 * into F when it grows, so an iteration is one matrix-vector product.
 */

/** Absorb the correction into F once one entry exceeds this. */
const ABSORB_AT = 10;
/** Kernel entries below this are stored as 0 (no subnormal arithmetic; negligible mass). */
const KERNEL_FLOOR = 1e-30;

function absorb(cs: Float64Array, F: Float64Array, l: Float64Array, e: Float64Array, K: Float64Array): void {
  const n = F.length;
  for (let i = 0; i < n; i++) F[i] += l[i];
  l.fill(0);
  e.fill(1);
  for (let i = 0; i < n; i++) {
    const o = i * n;
    const fi = F[i];
    for (let j = i; j < n; j++) {
      const k = fastExp(fi + F[j] - cs[o + j]);
      const kk = k < KERNEL_FLOOR ? 0 : k;
      K[o + j] = kk;
      K[j * n + i] = kk;
    }
  }
}

/** <P, C> and the L1 marginal error of the symmetric plan exp(F_i + F_j - cs_ij), each entry computed once. */
function symmetricSummary(cs: Float64Array, F: Float64Array, eps: number): { cost: number; marginalError: number } {
  const n = F.length;
  const r = new Float64Array(n);
  let cost = 0;
  for (let i = 0; i < n; i++) {
    const o = i * n;
    const fi = F[i];
    const pii = fastExp(2 * fi - cs[o + i]);
    let ri = r[i] + pii;
    let ci = pii * cs[o + i];
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
  let rowErr = 0;
  for (let i = 0; i < n; i++) rowErr += Math.abs(r[i] - 1 / n);
  // Row sums are column sums: both marginals are off by the same amount.
  return { cost: eps * cost, marginalError: 2 * rowErr };
}

export function solveSymmetric(cs: Float64Array, n: number, eps: number, opts: { tol: number; maxIter: number }): OtSolution {
  const logA = -Math.log(n);
  const F = new Float64Array(n).fill(logA);
  const l = new Float64Array(n);
  const e = new Float64Array(n);
  const logR = new Float64Array(n);
  const K = new Float64Array(n * n);
  absorb(cs, F, l, e, K);
  let iterations = 0;
  for (;;) {
    let rowErr = 0;
    let total: Float64Array | null = null;
    for (let i = 0; i < n; i++) {
      const o = i * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += K[o + j] * e[j];
      if (usable(s)) logR[i] = l[i] + Math.log(s);
      else {
        total ??= F.map((f, k) => f + l[k]);
        logR[i] = exactLogSum(cs, o, 1, 1, total[i], total);
      }
      rowErr += Math.abs(Math.exp(logR[i]) - 1 / n);
    }
    // Aim below the tolerance: the exact check below recomputes the plan from the potentials.
    if (2 * rowErr < 0.5 * opts.tol || iterations >= opts.maxIter) {
      for (let i = 0; i < n; i++) F[i] += l[i];
      l.fill(0);
      const { cost, marginalError } = symmetricSummary(cs, F, eps);
      if (marginalError < opts.tol || iterations >= opts.maxIter) {
        return { cost, iterations, marginalError, converged: marginalError < opts.tol };
      }
      absorb(cs, F, l, e, K);
    }
    iterations++;
    let grown = false;
    for (let i = 0; i < n; i++) {
      // All row sums were taken with the old correction: the update is simultaneous.
      l[i] += 0.5 * (logA - logR[i]);
      e[i] = Math.exp(l[i]);
      if (!(Math.abs(l[i]) <= ABSORB_AT)) grown = true;
    }
    if (grown) absorb(cs, F, l, e, K);
  }
}
