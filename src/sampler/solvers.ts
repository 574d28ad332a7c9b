import { eulerMaruyama } from './euler-maruyama.js';
import type { ReverseSolver } from './solver.js';

/**
 * Every reverse-time solver, by the name the sampler settings, the bundle's
 * sampler.method and metrics.json use. A new SDE or ODE solver: one file and
 * one line here; train, sample, export, the bundle loader and the page reach
 * it through the settings' `solver`.
 */
export const SOLVERS = {
  'euler-maruyama': eulerMaruyama,
} as const satisfies Record<string, ReverseSolver>;

export type SolverName = keyof typeof SOLVERS;
export const SOLVER_NAMES = Object.keys(SOLVERS) as [SolverName, ...SolverName[]];

/** The solver of settings that name none (every record written before the solver seam). */
export const DEFAULT_SOLVER: SolverName = 'euler-maruyama';

export function isSolverName(name: string): name is SolverName {
  return Object.hasOwn(SOLVERS, name);
}

/** The registered solver of that name; a one-line error naming the accepted ones otherwise. */
export function solverNamed(name: string): ReverseSolver {
  if (!isSolverName(name)) throw new RangeError(`sampler solver '${name}': unknown; accepted: ${SOLVER_NAMES.join(', ')}`);
  return SOLVERS[name];
}
