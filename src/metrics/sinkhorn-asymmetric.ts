import { fastExp } from './fast-exp.js';
import { exactLogSum, planSummary, usable, type OtSolution } from './sinkhorn-common.js';
import { RelaxationController } from './sinkhorn-relaxation.js';

/**
 * Entropic OT between n and m uniformly weighted points: log-stabilised
 * Sinkhorn (Schmitzer 2019, "absorption").
 *
 * The potentials F, G live in the log domain; between absorptions only bounded
 * log-corrections lu, lv (|lu|, |lv| <= ABSORB_AT) are iterated, against the
 * kernel K_ij = exp(F_i + G_j - kappa cs_ij) computed once per absorption. An
 * iteration is then two matrix-vector products with K (a multiply-add per
 * entry) instead of two passes of exponentials: the same iterates as
 * log-domain Sinkhorn, and faster (docs/measurements.md). (A float32 kernel is no faster
 * in V8 and its rounding would floor the reachable tolerance near 1e-7.) The
 * returned cost and marginal error are recomputed from the potentials.
 *
 * Two accelerations, neither of which changes the fixed point: over-relaxation
 * (sinkhorn-relaxation.ts), and epsilon-scaling when the cost spans more than
 * SCALING_RANGE times eps (heavy tails such as the funnel's): far-apart points
 * make the problem nearly unregularised, where plain Sinkhorn needs thousands
 * of iterations, so it is solved first at eps 2^k, ..., 2 eps, each stage warm
 * starting the next.
 */

/** Absorb log-corrections into the potentials once one exceeds this. */
const ABSORB_AT = 10;
/**
 * Kernel entries below this are stored as 0, which keeps the products out of
 * slow subnormal arithmetic: with corrections bounded by e^(2 ABSORB_AT) such
 * an entry carries under 1e-21 of mass, against row masses of 1/n.
 */
const KERNEL_FLOOR = 1e-30;
/** Epsilon-scaling starts when max(cs) exceeds this (grid9: ~80; 10-D funnel: ~1e4). */
const SCALING_RANGE = 500;
/** Most coarse stages (factors of 2). */
const MAX_STAGES = 8;
/** Tolerance and iteration cap of each coarse stage: it only has to warm-start the next. */
const STAGE_TOL = 1e-3;
const STAGE_MAX_ITER = 200;
/** Share of the tolerance the iteration aims for before the exact check of its plan. */
const VERIFY_MARGIN = 0.5;

export interface AsymmetricOptions {
  tol: number;
  /** Cap on iterations over all stages. */
  maxIter: number;
  /** Over-relaxation: 'auto' or a fixed omega in (0, 2); 1 is plain Sinkhorn. */
  relaxation: number | 'auto';
}

/** Iteration state over one absorption of the potentials. */
class StabilisedState {
  readonly K: Float64Array;
  readonly lu: Float64Array;
  readonly lv: Float64Array;
  readonly u: Float64Array;
  readonly v: Float64Array;
  readonly acc: Float64Array;
  kappa = 1;

  constructor(
    readonly cs: Float64Array,
    readonly F: Float64Array,
    readonly G: Float64Array,
  ) {
    const n = F.length;
    const m = G.length;
    this.K = new Float64Array(n * m);
    this.lu = new Float64Array(n);
    this.lv = new Float64Array(m);
    this.u = new Float64Array(n);
    this.v = new Float64Array(m);
    this.acc = new Float64Array(m);
  }

  /** Moves the corrections into F, G and recomputes the kernel. */
  absorb(): void {
    const { cs, F, G, K, lu, lv, kappa } = this;
    const m = G.length;
    for (let i = 0; i < F.length; i++) F[i] += lu[i];
    for (let j = 0; j < m; j++) G[j] += lv[j];
    lu.fill(0);
    lv.fill(0);
    this.u.fill(1);
    this.v.fill(1);
    for (let i = 0; i < F.length; i++) {
      const o = i * m;
      const fi = F[i];
      for (let j = 0; j < m; j++) {
        const k = fastExp(fi + G[j] - kappa * cs[o + j]);
        K[o + j] = k < KERNEL_FLOOR ? 0 : k;
      }
    }
  }

  /** Potentials including the pending corrections. */
  total(): { F: Float64Array; G: Float64Array } {
    return {
      F: this.F.map((f, i) => f + this.lu[i]),
      G: this.G.map((g, j) => g + this.lv[j]),
    };
  }

  /** Row update; returns the L1 row-marginal error of the plan before it. */
  rowStep(omega: number): number {
    const { K, F, G, lu, lv, u, v, cs, kappa } = this;
    const n = F.length;
    const m = G.length;
    const logA = -Math.log(n);
    let err = 0;
    let gTotal: Float64Array | null = null;
    for (let i = 0; i < n; i++) {
      const o = i * m;
      let s = 0;
      for (let j = 0; j < m; j++) s += K[o + j] * v[j];
      // log of the row sum of the plan exp(F + lu + G + lv - kappa cs).
      let logR: number;
      if (usable(s)) logR = lu[i] + Math.log(s);
      else {
        gTotal ??= G.map((g, j) => g + lv[j]);
        logR = exactLogSum(cs, o, 1, kappa, F[i] + lu[i], gTotal);
      }
      err += Math.abs(Math.exp(logR) - 1 / n);
      lu[i] += omega * (logA - logR);
      u[i] = Math.exp(lu[i]);
    }
    return err;
  }

  /** Column update, accumulated row by row so K is read in order. */
  colStep(omega: number): number {
    const { K, F, G, lu, lv, u, v, acc, cs, kappa } = this;
    const n = F.length;
    const m = G.length;
    const logB = -Math.log(m);
    acc.fill(0);
    // Four rows per sweep: a quarter of the read-modify-writes of acc.
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const o0 = i * m;
      const o1 = o0 + m;
      const o2 = o1 + m;
      const o3 = o2 + m;
      const u0 = u[i];
      const u1 = u[i + 1];
      const u2 = u[i + 2];
      const u3 = u[i + 3];
      for (let j = 0; j < m; j++) acc[j] += K[o0 + j] * u0 + K[o1 + j] * u1 + K[o2 + j] * u2 + K[o3 + j] * u3;
    }
    for (; i < n; i++) {
      const o = i * m;
      const ui = u[i];
      for (let j = 0; j < m; j++) acc[j] += K[o + j] * ui;
    }
    let err = 0;
    let fTotal: Float64Array | null = null;
    for (let j = 0; j < m; j++) {
      let logC: number;
      if (usable(acc[j])) logC = lv[j] + Math.log(acc[j]);
      else {
        fTotal ??= F.map((f, i) => f + lu[i]);
        logC = exactLogSum(cs, j, m, kappa, G[j] + lv[j], fTotal);
      }
      err += Math.abs(Math.exp(logC) - 1 / m);
      lv[j] += omega * (logB - logC);
      v[j] = Math.exp(lv[j]);
    }
    return err;
  }

  /** Whether a correction has grown past ABSORB_AT (or is not finite). */
  needsAbsorb(): boolean {
    for (const l of this.lu) if (!(Math.abs(l) <= ABSORB_AT)) return true;
    for (const l of this.lv) if (!(Math.abs(l) <= ABSORB_AT)) return true;
    return false;
  }

  /** Changes the problem to kappa cs, keeping the unscaled potentials f = (F - log a) / kappa fixed. */
  rescale(kappa: number): void {
    const ratio = kappa / this.kappa;
    const logA = -Math.log(this.F.length);
    const logB = -Math.log(this.G.length);
    for (let i = 0; i < this.F.length; i++) this.F[i] = (this.F[i] + this.lu[i] - logA) * ratio + logA;
    for (let j = 0; j < this.G.length; j++) this.G[j] = (this.G[j] + this.lv[j] - logB) * ratio + logB;
    this.lu.fill(0);
    this.lv.fill(0);
    this.kappa = kappa;
    this.absorb();
  }
}

/** Iterates one problem kappa cs to `tol` or `maxIter`; returns the iterations used. */
function iterate(state: StabilisedState, tol: number, maxIter: number, relaxation: number | 'auto'): number {
  const relax = new RelaxationController(relaxation);
  let saved: { F: Float64Array; G: Float64Array } | null = null;
  let iterations = 0;
  while (iterations < maxIter) {
    iterations++;
    const err = state.rowStep(relax.omega) + state.colStep(relax.omega);
    if (err < tol) break;
    const action = relax.observe(err);
    if (action === 'save') saved = state.total();
    if (action === 'restore' && saved !== null) {
      state.F.set(saved.F);
      state.G.set(saved.G);
      state.lu.fill(0);
      state.lv.fill(0);
      state.absorb();
    } else if (state.needsAbsorb()) state.absorb();
  }
  return iterations;
}

/** Number of factor-2 epsilon-scaling stages for scaled cost cs. */
function scalingStages(cs: Float64Array): number {
  let max = 0;
  for (let k = 0; k < cs.length; k++) if (cs[k] > max) max = cs[k];
  if (!(max > SCALING_RANGE)) return 0;
  return Math.min(MAX_STAGES, Math.ceil(Math.log2(max / SCALING_RANGE)));
}

/** Entropic OT for scaled cost cs = C/eps (row-major n x m). */
export function solveAsymmetric(cs: Float64Array, n: number, m: number, eps: number, opts: AsymmetricOptions): OtSolution {
  const state = new StabilisedState(cs, new Float64Array(n).fill(-Math.log(n)), new Float64Array(m).fill(-Math.log(m)));
  let iterations = 0;
  const stages = scalingStages(cs);
  state.kappa = 2 ** -stages;
  state.absorb();
  // Coarse stages get at most half of the budget: the final stage must have room to repair the last rescaling.
  const stageCap = Math.min(STAGE_MAX_ITER, Math.floor(opts.maxIter / (2 * Math.max(stages, 1))));
  for (let s = stages; s > 0; s--) {
    iterations += iterate(state, STAGE_TOL, stageCap, opts.relaxation);
    state.rescale(2 ** -(s - 1));
  }
  for (;;) {
    // The iteration's error estimate mixes two half-updated plans: aim lower,
    // and check the final plan exactly.
    iterations += iterate(state, VERIFY_MARGIN * opts.tol, opts.maxIter - iterations, opts.relaxation);
    const { F, G } = state.total();
    const { cost, marginalError } = planSummary(cs, F, G, eps);
    const converged = marginalError < opts.tol;
    if (converged || iterations >= opts.maxIter) return { cost, iterations, marginalError, converged };
  }
}
