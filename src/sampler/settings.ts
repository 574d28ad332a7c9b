import { z } from 'zod';
import type { DataRange } from '../../datasets/target.js';
import { clipTo } from './clip-denoised.js';
import { correctorOption, correctorOptionsSchema, type CorrectorOptions } from './langevin-corrector.js';
import { GRID_NAMES, type GridName } from './noise-grid.js';
import type { Tolerance } from './ode-solver.js';
import { DEFAULT_SOLVER, isOdeSolver, SOLVER_NAMES, solverNamed, type SolverName } from './solvers.js';

const finite = z.number().finite();
const positiveInt = z.number().int().positive();

export const solverNameSchema = z.enum(SOLVER_NAMES);
export const dataRangeSchema = z.object({ lo: finite, hi: finite });
export const gridNameSchema = z.enum(GRID_NAMES);
export const toleranceSchema = z.object({ rtol: z.number().positive().finite(), atol: z.number().positive().finite() });

/**
 * The sampler settings: everything that decides the samples besides the score,
 * n and the process. One type for train's evaluation, `npm run sample`, the
 * bundle (its `sampler` block derives from this schema), the library's
 * sample(), the experiment and the page. Optional fields are recorded by
 * absence, so settings written before they existed read the same:
 * - solver: absent is Euler-Maruyama (DEFAULT_SOLVER);
 * - grid: how the levels are spaced (noise-grid.ts); absent is uniform in tau;
 * - tolerance: rk45's rtol and atol (the adaptive solver only); its `steps` is unused;
 * - clip: the box the denoised estimate is clipped to at every step and in the
 *   final denoising (see clippedScoreFunction); absent is none;
 * - corrector: Langevin steps after each predictor step; absent is none.
 */
export const samplerSettingsSchema = z.object({
  solver: solverNameSchema.optional(),
  grid: gridNameSchema.optional(),
  tolerance: toleranceSchema.optional(),
  /** Solver steps on the grid from tauMax down to tauMin. */
  steps: positiveInt,
  tauMin: finite,
  tauMax: finite,
  /** Finish with x0_hat = (x + b^2 s(x, tau_min)) / a. */
  denoise: z.boolean(),
  /** Particles integrated together; the noise stream is keyed by batch, so it changes the draws. */
  batchSize: positiveInt,
  seed: z.number().int(),
  clip: dataRangeSchema.optional(),
  corrector: correctorOptionsSchema.optional(),
});
export type SamplerSettings = z.infer<typeof samplerSettingsSchema>;

/**
 * Partial settings, as a caller asks for them; absent fields take the
 * defaults. `clip: null` asks for no clip; the corrector's fields are taken
 * one by one (`{ steps: 2 }` keeps the default snr), and 0 steps is none.
 */
export type SamplerRequest = Partial<Omit<SamplerSettings, 'clip' | 'corrector' | 'tolerance'>> & {
  clip?: DataRange | null | undefined;
  corrector?: Partial<CorrectorOptions> | undefined;
  tolerance?: Partial<Tolerance> | undefined;
};

/**
 * What absent fields of a request take: every field given (clip null: none;
 * a corrector of 0 steps is none, its snr kept for a request that adds steps).
 */
export type SamplerDefaults = Required<Omit<SamplerRequest, 'solver' | 'corrector' | 'grid' | 'tolerance'>> & {
  solver?: SolverName | undefined;
  corrector: { steps: number; snr?: number | undefined };
  /** The grid of `solver` (absent: uniform, or an ODE solver's own default); a request for another solver takes that solver's. */
  grid?: GridName | undefined;
  /** The adaptive solver's tolerance (needed when the request names an adaptive solver and leaves rtol or atol out). */
  tolerance?: Tolerance | undefined;
};

/** The sampler's `solver` field: absent for the default solver (see samplerSettingsSchema). */
export function solverOption(solver: SolverName | undefined): { solver?: SolverName } {
  return solver === undefined || solver === DEFAULT_SOLVER ? {} : { solver };
}

/** The sampler's `grid` field: absent for the uniform grid. */
export function gridOption(grid: GridName): { grid?: GridName } {
  return grid === 'uniform' ? {} : { grid };
}

/**
 * The one resolver: a request over its defaults, as the full settings the
 * sampler takes. An ODE solver takes its own grid unless one is asked for (or
 * the defaults name that solver), a tolerance only if it is adaptive, and no
 * corrector (the recipe's is dropped; one asked for is refused).
 */
export function resolveSamplerSettings(request: SamplerRequest, defaults: SamplerDefaults): SamplerSettings {
  const solverName = request.solver ?? defaults.solver ?? DEFAULT_SOLVER;
  const solver = solverNamed(solverName);
  const ode = isOdeSolver(solver);
  const sameSolver = solverName === (defaults.solver ?? DEFAULT_SOLVER);
  const grid = request.grid ?? (sameSolver ? defaults.grid : undefined) ?? (ode ? solver.defaultGrid : 'uniform');
  const adaptive = ode && solver.evaluationsPerStep === null;
  const askedTolerance = request.tolerance?.rtol !== undefined || request.tolerance?.atol !== undefined;
  if (!adaptive && askedTolerance) throw new RangeError(`sampler tolerance (rtol, atol): applies only to an adaptive solver (rk45), not ${solverName}`);
  if (ode && (request.corrector?.steps ?? 0) > 0) {
    throw new RangeError(`sampler corrector: Langevin corrector steps apply to the reverse SDE only, not to the ODE solver ${solverName}`);
  }
  const rtol = request.tolerance?.rtol ?? defaults.tolerance?.rtol;
  const atol = request.tolerance?.atol ?? defaults.tolerance?.atol;
  if (adaptive && (rtol === undefined || atol === undefined)) throw new RangeError(`sampler tolerance: ${solverName} needs rtol and atol (the defaults give none)`);
  const tolerance = adaptive ? { tolerance: { rtol: rtol!, atol: atol! } } : {};
  return {
    ...solverOption(solverName),
    ...gridOption(grid),
    ...tolerance,
    steps: request.steps ?? defaults.steps,
    tauMin: request.tauMin ?? defaults.tauMin,
    tauMax: request.tauMax ?? defaults.tauMax,
    denoise: request.denoise ?? defaults.denoise,
    batchSize: request.batchSize ?? defaults.batchSize,
    seed: request.seed ?? defaults.seed,
    ...clipTo(request.clip === undefined ? defaults.clip : request.clip),
    ...(ode ? {} : correctorOption(mergeCorrector(request.corrector, defaults.corrector))),
  };
}

/** The grid the settings name. */
export function gridOf(settings: SamplerSettings): GridName {
  return settings.grid ?? 'uniform';
}

/** The corrector asked for, field by field over the default; undefined for none. */
function mergeCorrector(asked: SamplerRequest['corrector'], byDefault: SamplerDefaults['corrector']): CorrectorOptions | undefined {
  const steps = asked?.steps ?? byDefault.steps;
  if (steps === 0) return undefined;
  const snr = asked?.snr ?? byDefault.snr;
  if (snr === undefined) throw new RangeError(`sampler corrector: ${steps} steps need an snr (the defaults have no corrector to take it from)`);
  return { steps, snr };
}

/** The solver the settings name. */
export function solverOf(settings: SamplerSettings): SolverName {
  return settings.solver ?? DEFAULT_SOLVER;
}

/** metrics.json's `sampler.method`: predictor-corrector when a corrector runs, else the solver's name. */
export function samplerMethod(settings: SamplerSettings): string {
  return (settings.corrector?.steps ?? 0) > 0 ? 'predictor-corrector' : solverOf(settings);
}
