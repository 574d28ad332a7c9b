import type { ExperimentCommandRequest } from './experiment-request.js';

/** The request's grid and recipe fields, and their flags: what decides the cells of a sweep. */
const GRID_FLAGS = {
  quick: '--quick',
  targets: '--targets',
  dims: '--dims',
  processes: '--processes',
  widths: '--widths',
  seeds: '--seeds',
  depth: '--depth',
  steps: '--steps',
  batchSize: '--batch-size',
  lr: '--lr',
  components: '--components',
  targetSeed: '--target-seed',
  evalSamples: '--eval-samples',
  evalSteps: '--eval-steps',
  pbmEvalSteps: '--pbm-eval-steps',
  pbmTauMin: '--pbm-tau-min',
  pbmTauMax: '--pbm-tau-max',
  scoreTaus: '--score-taus',
  scoreTauCount: '--score-tau-count',
  scorePoints: '--score-points',
  minSteps: '--min-steps',
  chunkSteps: '--chunk-steps',
  convergeWindow: '--converge-window',
  convergeTol: '--converge-tol',
  bandSwapDims: '--band-swap-dims',
} as const satisfies Partial<Record<keyof ExperimentCommandRequest, string>>;

/**
 * The grid flags as given (not their defaults filled in), for the payload of an array job: each
 * element resolves the same grid, and its plan check confirms it. Numbers print as JavaScript
 * reads them back.
 */
export function gridArgs(f: ExperimentCommandRequest): string[] {
  const args: string[] = [];
  for (const [key, flag] of Object.entries(GRID_FLAGS) as [keyof typeof GRID_FLAGS, string][]) {
    const value = f[key];
    if (value === undefined || value === false) continue;
    if (value === true) args.push(flag);
    else args.push(flag, Array.isArray(value) ? value.join(',') : String(value));
  }
  return args;
}
