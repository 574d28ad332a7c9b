import { fastExp } from './fast-exp.js';

/**
 * Conventions shared by the Sinkhorn solvers. Weights are uniform (a = 1/n,
 * b = 1/m) and the cost arrives scaled, cs = C/eps. Potentials are stored with
 * the log-weights folded in, F_i = f_i/eps + log a_i and G_j = g_j/eps + log b_j,
 * so the plan is simply P_ij = exp(F_i + G_j - cs_ij).
 */

export interface OtSolution {
  /** Transport cost <P, C> of the entropic plan. */
  cost: number;
  /** Iterations: one row and one column update, or one symmetric update. */
  iterations: number;
  /** L1 error of both marginals of the returned plan (relative: each marginal sums to 1). */
  marginalError: number;
  converged: boolean;
}

/** True for a sum that can be logged without losing it: positive and finite. */
export function usable(s: number): boolean {
  return s > 1e-300 && s < 1e300;
}

/**
 * log sum_j exp(base + v[j] - kappa cs[start + j stride]) with an explicit max shift:
 * the exact fallback for a row or column whose fast sum under- or overflowed.
 */
export function exactLogSum(
  cs: Float64Array,
  start: number,
  stride: number,
  kappa: number,
  base: number,
  v: Float64Array,
): number {
  let mx = -Infinity;
  for (let j = 0; j < v.length; j++) {
    const z = base + v[j] - kappa * cs[start + j * stride];
    if (z > mx) mx = z;
  }
  if (mx === -Infinity) return -Infinity;
  let s = 0;
  for (let j = 0; j < v.length; j++) s += Math.exp(base + v[j] - kappa * cs[start + j * stride] - mx);
  return mx + Math.log(s);
}

/** <P, C> and the exact L1 marginal errors of the plan exp(F_i + G_j - cs_ij). */
export function planSummary(
  cs: Float64Array,
  F: Float64Array,
  G: Float64Array,
  eps: number,
): { cost: number; marginalError: number } {
  const n = F.length;
  const m = G.length;
  const col = new Float64Array(m);
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
      col[j] += p;
      cost += p * c;
    }
    rowErr += Math.abs(r - 1 / n);
  }
  let colErr = 0;
  for (let j = 0; j < m; j++) colErr += Math.abs(col[j] - 1 / m);
  return { cost: eps * cost, marginalError: rowErr + colErr };
}
