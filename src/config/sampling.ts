import { isImageTargetName } from '../../datasets/index.js';
import type { DataRange } from '../../datasets/target.js';
import type { CorrectorOptions } from '../sampler/langevin-corrector.js';
import { stepsForEvaluations } from '../sampler/evaluation-budget.js';
import { resolveSamplerSettings, type SamplerRequest, type SamplerSettings } from '../sampler/settings.js';
import type { SolverName } from '../sampler/solvers.js';
import { ODE_TOLERANCE } from './ode-defaults.js';

export { ODE_TOLERANCE };

/** How a target is sampled when the caller leaves a setting out; n is the number of samples. */
export interface SamplingRecipe {
  n: number;
  solver: SolverName;
  steps: number;
  batchSize: number;
  denoise: boolean;
  /** 0 steps: plain predictor; the snr is what a request that adds steps gets. */
  corrector: CorrectorOptions;
}

export type SamplingTargetKind = 'point' | 'image';


/**
 * The sampling recipes, by kind of target. `npm run sample` (from a run or a
 * bundle), export (the settings a bundle records) and, for image targets,
 * train's evaluation take the same one, so that they draw the same samples.
 */
export const SAMPLING_RECIPES = {
  point: { n: 2000, solver: 'euler-maruyama', steps: 500, batchSize: 2000, denoise: true, corrector: { steps: 0, snr: 0.16 } },
  /**
   * Image targets (mnist): fewer samples, fewer steps, smaller batches (a U-Net
   * pass over 2000 images at once needs gigabytes), and one Langevin corrector
   * step per level at snr 0.25 (docs/results.md reports what it gains, for about 1.7
   * times the sampling time).
   */
  image: { n: 1000, solver: 'euler-maruyama', steps: 100, batchSize: 250, denoise: true, corrector: { steps: 1, snr: 0.25 } },
} as const satisfies Record<SamplingTargetKind, SamplingRecipe>;

export function samplingRecipe(targetName: string): SamplingRecipe {
  return SAMPLING_RECIPES[isImageTargetName(targetName) ? 'image' : 'point'];
}

/** Partial settings plus the number of samples, and optionally an evaluation budget instead of `steps`. */
export type SamplingRequest = SamplerRequest & { n?: number | undefined; nfe?: number | undefined };

/** What the defaults depend on besides the recipe. */
export interface SamplingContext {
  /** The data: its name picks the recipe; data with a range is clipped to it unless the request says `clip: null`. */
  target: { readonly name: string; readonly dataRange?: DataRange | undefined };
  /** The process: its time range is the default [tauMin, tauMax]. */
  process: { readonly tauMin: number; readonly tauMax: number };
  /** The run's (or the bundle's) seed. */
  seed: number;
}

export interface ResolvedSampling {
  n: number;
  settings: SamplerSettings;
  /** The recipe the defaults came from (`npm run sample` names departures from its corrector). */
  recipe: SamplingRecipe;
}

/** The sampling a request asks for on a target and process: the recipe's values where the request leaves them out. */
export function resolveSampling(request: SamplingRequest, context: SamplingContext): ResolvedSampling {
  const recipe = samplingRecipe(context.target.name);
  const settings = resolveSamplerSettings(request, {
    solver: recipe.solver,
    steps: recipe.steps,
    tauMin: context.process.tauMin,
    tauMax: context.process.tauMax,
    denoise: recipe.denoise,
    batchSize: recipe.batchSize,
    seed: context.seed,
    clip: context.target.dataRange ?? null,
    corrector: recipe.corrector,
    tolerance: ODE_TOLERANCE,
  });
  if (request.nfe !== undefined) {
    if (request.steps !== undefined) throw new RangeError(`sampling: either nfe (${request.nfe}) or steps (${request.steps}), not both`);
    settings.steps = stepsForEvaluations(settings, request.nfe);
  }
  return { n: request.n ?? recipe.n, settings, recipe };
}
