import { LIKELIHOOD_SOLVERS, type LikelihoodSolverName } from '../likelihood/forward-ode.js';
import type { Tolerance } from '../sampler/ode-solver.js';

export { LIKELIHOOD_SOLVERS, type LikelihoodSolverName };

/**
 * rk45's tolerance for likelihoods: score_sde's (rtol = atol = 1e-5). Tighter
 * than the sampler's 1e-3 (ODE_TOLERANCE), because the log-density error adds
 * up over every point rather than moving it by a fraction of a bin.
 */
export const LIKELIHOOD_TOLERANCE: Tolerance = { rtol: 1e-5, atol: 1e-5 };

/** Defaults of `npm run likelihood`. */
export const LIKELIHOOD_DEFAULTS = {
  solver: 'rk45' as LikelihoodSolverName,
  /** Fixed-step solvers (heun, euler) without --nfe: this many steps on the solver's grid. */
  steps: 100,
  /** Fresh target points (or MNIST test images) when no --points file is given. */
  n: { point: 1000, image: 100 },
  batchSize: { point: 500, image: 25 },
  /** Up to this dimension the divergence is exact (d vector-Jacobian products); above it, Hutchinson. */
  exactDivMaxDim: 16,
  /** Rademacher probes of the Hutchinson estimator (at least 2, so that their standard error is known). */
  probes: 4,
  weights: 'ema',
  backend: 'auto',
} as const;
