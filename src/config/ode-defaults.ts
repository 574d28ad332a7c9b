import type { Tolerance } from '../sampler/ode-solver.js';

/**
 * The adaptive ODE solver's (rk45) tolerance when none is asked for: on grid9
 * it reaches the MMD^2 floor with the exact score and with the default
 * recipe's networks (docs/solvers.md). Its own file, free of data-set imports,
 * because the browser-safe bundle loader reads it too.
 */
export const ODE_TOLERANCE: Tolerance = { rtol: 1e-3, atol: 1e-3 };
