import { resolveSampling, type SamplingRequest } from '../config/sampling.js';
import { UsageError } from '../errors.js';
import type { GaussianPath } from '../process/index.js';
import { gridOf, solverOf, type SamplerSettings } from '../sampler/settings.js';
import { DEFAULT_SOLVER, isOdeSolver, solverNamed, type SolverName } from '../sampler/solvers.js';

/**
 * Refuses solver flags that do not fit the solver, naming the flag, before the
 * settings are resolved: --rtol/--atol other than with rk45, --nfe with rk45,
 * corrector steps with an ODE solver, an ODE solver that refuses the process.
 */
export function refuseSolverFlags(request: SamplingRequest, solverName: SolverName, path: GaussianPath): void {
  const solver = solverNamed(solverName);
  const ode = isOdeSolver(solver);
  const adaptive = ode && solver.evaluationsPerStep === null;
  for (const key of ['rtol', 'atol'] as const) {
    const value = request.tolerance?.[key];
    if (value !== undefined && !adaptive) throw new UsageError(`--${key} ${value}: applies only to --solver rk45 (the solver is ${solverName})`);
  }
  if (request.nfe !== undefined && adaptive) {
    throw new UsageError(`--nfe ${request.nfe}: does not apply to --solver ${solverName} (adaptive: --rtol and --atol set its evaluations)`);
  }
  const correctorSteps = request.corrector?.steps;
  if (ode && correctorSteps !== undefined && correctorSteps > 0) {
    throw new UsageError(`--corrector-steps ${correctorSteps}: Langevin correction applies only to --solver ${DEFAULT_SOLVER}, not ${solverName}`);
  }
  if (ode && request.corrector?.snr !== undefined) {
    throw new UsageError(`--corrector-snr ${request.corrector.snr}: Langevin correction applies only to --solver ${DEFAULT_SOLVER}, not ${solverName}`);
  }
  const refusal = ode ? solver.refusal(path) : null;
  if (refusal !== null) throw new UsageError(`--solver ${solverName}: ${refusal}`);
}

/** The part of a default folder name that names the solver: its grid, or rk45's tolerance. */
export function solverLabel(settings: SamplerSettings): string {
  const name = solverOf(settings);
  const t = settings.tolerance;
  return t !== undefined ? `${name}-rtol${t.rtol}-atol${t.atol}` : `${name}-${gridOf(settings)}`;
}

/** True for the settings whose default folder keeps the name it always had (Euler-Maruyama on the uniform grid). */
export function keepsStepsFolderName(settings: SamplerSettings): boolean {
  return solverOf(settings) === DEFAULT_SOLVER && gridOf(settings) === 'uniform';
}

/** resolveSampling, its refusals (an evaluation budget too small for the solver) as one-line usage errors. */
export function resolveSamplingOrRefuse(...args: Parameters<typeof resolveSampling>): ReturnType<typeof resolveSampling> {
  try {
    return resolveSampling(...args);
  } catch (err) {
    if (err instanceof RangeError && err.message.startsWith('sampler nfe ')) throw new UsageError('--' + err.message.slice('sampler '.length));
    throw err;
  }
}
