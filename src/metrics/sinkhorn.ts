import type { Points } from '../../datasets/target.js';
import { crossSqDistances, medianInPlace, pointCount } from './pairwise.js';
import { solveAsymmetric } from './sinkhorn-asymmetric.js';
import type { OtSolution } from './sinkhorn-common.js';
import { solveSymmetric } from './sinkhorn-symmetric.js';

export type { OtSolution } from './sinkhorn-common.js';

export interface SinkhornOptions {
  /** Regularisation; default epsScale x median squared distance between reference (y) points. */
  eps?: number;
  /** Default 0.05 (docs/math.md section 7). */
  epsScale?: number;
  /** L1 tolerance on the marginals, which sum to 1 (default 1e-6). */
  tol?: number;
  /**
   * Iteration cap per transport problem (default 1000). Heavy tails (the funnel)
   * can reach it before the tolerance; that is reported as converged: false
   * rather than iterated for minutes (docs/measurements.md).
   */
  maxIter?: number;
  /** Over-relaxation of the x-y problem: 'auto' (default) or a fixed omega in (0, 2); 1 is plain Sinkhorn. */
  relaxation?: number | 'auto';
}

export interface SinkhornResult {
  /** Debiased divergence W(x,y) - W(x,x)/2 - W(y,y)/2. */
  value: number;
  eps: number;
  /** Iterations over the three transport problems together. */
  iterations: number;
  /** Whether all three problems met the tolerance. */
  converged: boolean;
  terms: { xy: OtSolution; xx: OtSolution; yy: OtSolution };
}

/** Median over distinct pairs i < j of a symmetric n x n matrix. */
function offDiagonalMedian(c: Float64Array, n: number): number {
  const upper = new Float64Array((n * (n - 1)) / 2);
  let p = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) upper[p++] = c[i * n + j];
  return medianInPlace(upper);
}

/** C/eps for the pair (a, b), as a view of exactly |a| x |b| entries of the shared buffer. */
function scaledCost(a: Points, b: Points, d: number, eps: number, buffer: Float64Array): Float64Array {
  const c = crossSqDistances(a, b, d, buffer).subarray(0, pointCount(a, d) * pointCount(b, d));
  for (let k = 0; k < c.length; k++) c[k] /= eps;
  return c;
}

/**
 * Debiased Sinkhorn divergence S = W(x,y) - W(x,x)/2 - W(y,y)/2 (docs/math.md section 7),
 * W = <P, C> of the entropic plan for C = |x - y|^2 and uniform weights; y is
 * the reference sample. The three problems share one cost buffer of
 * max(n, m)^2 doubles, and each solver holds a kernel of its size: 64 MB at
 * 2000 points. Most of the time goes to the x-y problem.
 */
export function sinkhornDivergence(x: Points, y: Points, d: number, opts: SinkhornOptions = {}): SinkhornResult {
  const n = pointCount(x, d);
  const m = pointCount(y, d);
  if (n < 1 || m < 1) throw new RangeError('Sinkhorn divergence needs at least one point on each side');
  const tol = opts.tol ?? 1e-6;
  const maxIter = opts.maxIter ?? 1000;
  const buffer = new Float64Array(Math.max(n, m) ** 2);

  let eps = opts.eps;
  if (eps === undefined) {
    // A single reference point has no pairs: fall back to the cost scale of the x-y problem.
    const median = m > 1 ? offDiagonalMedian(crossSqDistances(y, y, d, buffer), m) : medianInPlace(crossSqDistances(x, y, d));
    eps = (opts.epsScale ?? 0.05) * median;
  }
  if (!(eps > 0)) throw new RangeError(`Sinkhorn needs eps > 0, got ${eps} (are all points identical?)`);

  const yy = solveSymmetric(scaledCost(y, y, d, eps, buffer), m, eps, { tol, maxIter });
  const xx = solveSymmetric(scaledCost(x, x, d, eps, buffer), n, eps, { tol, maxIter });
  const xy = solveAsymmetric(scaledCost(x, y, d, eps, buffer), n, m, eps, {
    tol,
    maxIter,
    relaxation: opts.relaxation ?? 'auto',
  });
  return {
    value: xy.cost - 0.5 * xx.cost - 0.5 * yy.cost,
    eps,
    iterations: xy.iterations + xx.iterations + yy.iterations,
    converged: xy.converged && xx.converged && yy.converged,
    terms: { xy, xx, yy },
  };
}
