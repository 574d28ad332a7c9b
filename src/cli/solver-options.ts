import type { Options } from 'yargs';
import { z } from 'zod';
import { ODE_TOLERANCE, SAMPLING_RECIPES, type SamplingRequest } from '../config/sampling.js';
import { GRID_NAMES } from '../sampler/noise-grid.js';
import { SOLVER_NAMES } from '../sampler/solvers.js';
import { flag, textOption as str } from './flags.js';

/** The solver flags `sample` and `export` share (--steps stays with each command: its help differs). */
export const SOLVER_FLAGS: Record<string, Options> = {
  solver: str(
    `sampler: ${SOLVER_NAMES.join(', ')} (euler-maruyama: the reverse SDE; the others integrate the probability-flow ODE; docs/solvers.md)`,
    SAMPLING_RECIPES.point.solver,
  ),
  grid: str(`spacing of the noise levels: ${GRID_NAMES.join(', ')} (uniform in tau, in log-SNR, EDM's rho = 7)`, 'uniform; euler, heun: edm; dpm-solver++: log-snr'),
  nfe: str('network evaluations to spend per sample, instead of --steps (the final denoising counts one); not for rk45'),
  rtol: str('rk45: relative tolerance of a step', String(ODE_TOLERANCE.rtol)),
  atol: str('rk45: absolute tolerance of a step', String(ODE_TOLERANCE.atol)),
};

const opt = <T extends z.ZodType>(schema: T) => schema.optional();

/** Their schemas, to spread into a command's flag schema. */
export const solverFlagsShape = {
  solver: opt(flag.oneOf(SOLVER_NAMES)),
  grid: opt(flag.oneOf(GRID_NAMES)),
  nfe: opt(flag.positiveInt()),
  rtol: opt(flag.positive()),
  atol: opt(flag.positive()),
};

type SolverFlags = { [K in keyof typeof solverFlagsShape]?: z.infer<(typeof solverFlagsShape)[K]> } & { steps?: number | undefined };

/** --nfe and --steps are two ways to say the same thing. */
export function refuseStepsAndNfe(flags: SolverFlags, ctx: z.RefinementCtx): void {
  if (flags.nfe !== undefined && flags.steps !== undefined) ctx.addIssue({ code: 'custom', path: ['nfe'], message: 'either --nfe or --steps, not both' });
}

/** The sampling request of the solver flags. */
export function solverRequest(f: SolverFlags): SamplingRequest {
  return { solver: f.solver, grid: f.grid, steps: f.steps, nfe: f.nfe, tolerance: { rtol: f.rtol, atol: f.atol } };
}
