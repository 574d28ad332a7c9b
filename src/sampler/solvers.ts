import { dpmSolverPlusPlus } from './dpm-solver-pp.js';
import { eulerMaruyama } from './euler-maruyama.js';
import type { OdeSolver } from './ode-solver.js';
import { pfEuler } from './pf-euler.js';
import { pfHeun } from './pf-heun.js';
import { rk45 } from './rk45.js';
import type { ReverseSolver } from './solver.js';

/** A reverse-SDE step (drives the shared grid loop) or a probability-flow ODE solver (integrates a whole batch). */
export type SamplerSolver = ReverseSolver | OdeSolver;

/**
 * Every solver, by the name the sampler settings, the bundle's sampler.method
 * and metrics.json use. A new SDE or ODE solver: one file and one line here;
 * train, sample, export, the bundle loader and the page reach it through the
 * settings' `solver`.
 */
export const SOLVERS = {
  'euler-maruyama': eulerMaruyama,
  euler: pfEuler,
  heun: pfHeun,
  rk45,
  'dpm-solver++': dpmSolverPlusPlus,
} as const satisfies Record<string, SamplerSolver>;

export type SolverName = keyof typeof SOLVERS;
export const SOLVER_NAMES = Object.keys(SOLVERS) as [SolverName, ...SolverName[]];

/** The solver of settings that name none (every record written before the solver seam). */
export const DEFAULT_SOLVER: SolverName = 'euler-maruyama';

export function isSolverName(name: string): name is SolverName {
  return Object.hasOwn(SOLVERS, name);
}

/** True for the probability-flow ODE solvers. */
export function isOdeSolver(solver: SamplerSolver): solver is OdeSolver {
  return 'integrate' in solver;
}

/** The registered solver of that name; a one-line error naming the accepted ones otherwise. */
export function solverNamed(name: string): SamplerSolver {
  if (!isSolverName(name)) throw new RangeError(`sampler solver '${name}': unknown; accepted: ${SOLVER_NAMES.join(', ')}`);
  return SOLVERS[name];
}
