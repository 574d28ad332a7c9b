import { z } from 'zod';
import type { DataRange } from '../../datasets/target.js';
import { clipTo } from './clip-denoised.js';
import { correctorOption, correctorOptionsSchema, type CorrectorOptions } from './langevin-corrector.js';
import { DEFAULT_SOLVER, SOLVER_NAMES, type SolverName } from './solvers.js';

const finite = z.number().finite();
const positiveInt = z.number().int().positive();

export const solverNameSchema = z.enum(SOLVER_NAMES);
export const dataRangeSchema = z.object({ lo: finite, hi: finite });

/**
 * The sampler settings: everything that decides the samples besides the score,
 * n and the process. One type for train's evaluation, `npm run sample`, the
 * bundle (its `sampler` block derives from this schema), the library's
 * sample(), the experiment and the page. Optional fields are recorded by
 * absence, so settings written before they existed read the same:
 * - solver: absent is Euler-Maruyama (DEFAULT_SOLVER);
 * - clip: the box the denoised estimate is clipped to at every step and in the
 *   final denoising (see clippedScoreFunction); absent is none;
 * - corrector: Langevin steps after each predictor step; absent is none.
 */
export const samplerSettingsSchema = z.object({
  solver: solverNameSchema.optional(),
  /** Predictor steps on the uniform grid from tauMax down to tauMin. */
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
export type SamplerRequest = Partial<Omit<SamplerSettings, 'clip' | 'corrector'>> & {
  clip?: DataRange | null | undefined;
  corrector?: Partial<CorrectorOptions> | undefined;
};

/**
 * What absent fields of a request take: every field given (clip null: none;
 * a corrector of 0 steps is none, its snr kept for a request that adds steps).
 */
export type SamplerDefaults = Required<Omit<SamplerRequest, 'solver' | 'corrector'>> & {
  solver?: SolverName | undefined;
  corrector: { steps: number; snr?: number | undefined };
};

/** The sampler's `solver` field: absent for the default solver (see samplerSettingsSchema). */
export function solverOption(solver: SolverName | undefined): { solver?: SolverName } {
  return solver === undefined || solver === DEFAULT_SOLVER ? {} : { solver };
}

/** The one resolver: a request over its defaults, as the full settings the sampler takes. */
export function resolveSamplerSettings(request: SamplerRequest, defaults: SamplerDefaults): SamplerSettings {
  return {
    ...solverOption(request.solver ?? defaults.solver),
    steps: request.steps ?? defaults.steps,
    tauMin: request.tauMin ?? defaults.tauMin,
    tauMax: request.tauMax ?? defaults.tauMax,
    denoise: request.denoise ?? defaults.denoise,
    batchSize: request.batchSize ?? defaults.batchSize,
    seed: request.seed ?? defaults.seed,
    ...clipTo(request.clip === undefined ? defaults.clip : request.clip),
    ...correctorOption(mergeCorrector(request.corrector, defaults.corrector)),
  };
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
