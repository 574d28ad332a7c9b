import { CELL_CHECKPOINTS } from '../config/experiment-defaults.js';
import { resolveRunConfig } from '../config/resolve-run.js';
import type { RunConfig } from '../config/run-config.js';
import { resolveSampling } from '../config/sampling.js';
import type { TrainRequest } from '../config/train-request.js';
import { uniformTauGrid } from '../metrics/score-error.js';
import type { GaussianPath } from '../process/index.js';
import type { SamplerSettings } from '../sampler/settings.js';
import { recipeEvalSteps, recipeProcessOptions, recipeTargetOptions, type CellSpec } from './grid.js';

/** A cell's training run, as `npm run train` would be asked for it. */
export function cellTrainRequest(spec: CellSpec): TrainRequest {
  const { key, recipe } = spec;
  return {
    target: key.target,
    ...recipeTargetOptions(recipe, key.target, key.dim),
    process: key.process,
    ...recipeProcessOptions(recipe, key.process),
    width: key.width,
    depth: recipe.depth,
    steps: recipe.steps,
    batchSize: recipe.batchSize,
    lr: recipe.lr,
    seed: key.seed,
    // A cell cut off goes on from its last checkpoint (resumed training equals uninterrupted training).
    checkpointEvery: Math.max(1, Math.ceil(recipe.steps / CELL_CHECKPOINTS)),
    // The convergence rule reads one log record per chunk: the mean loss of its updates.
    ...(recipe.convergence ? { logEvery: recipe.convergence.chunkSteps } : {}),
  };
}

/** The full run config of a cell (every default filled in, as `npm run train` writes it). */
export function cellRunConfig(spec: CellSpec, backend: string): RunConfig {
  return resolveRunConfig(cellTrainRequest(spec), backend);
}

/** The sampler of both the model and the oracle: the process's whole range, the recipe's steps, all samples in one batch. */
export function cellSampler(spec: CellSpec, path: GaussianPath): SamplerSettings {
  const { recipe, key } = spec;
  const request = { n: recipe.evalSamples, steps: recipeEvalSteps(recipe, key.process), batchSize: recipe.evalSamples };
  return resolveSampling(request, { target: { name: key.target }, process: path, seed: key.seed }).settings;
}

/** Noise levels of the score-error curve. */
export function cellScoreTaus(spec: CellSpec, path: GaussianPath): number[] {
  return spec.recipe.scoreTaus ?? uniformTauGrid(path.tauMin, path.tauMax, spec.recipe.scoreTauCount);
}
