import type { BackendChoice } from '../platform/backend.js';
import type { ExperimentProcess, ExperimentTarget } from '../experiment/grid.js';

/**
 * What `experiment` takes: the grid's axes and the recipe's settings (unset:
 * EXPERIMENT_DEFAULTS, or EXPERIMENT_QUICK's with `quick`), then how the sweep
 * runs. With `runCell` it runs that one prepared cell instead (a parallel job).
 */
export interface ExperimentCommandRequest {
  targets?: ExperimentTarget[];
  dims?: number[];
  processes?: ExperimentProcess[];
  widths?: number[];
  seeds?: number[];
  depth?: number;
  steps?: number;
  batchSize?: number;
  lr?: number;
  components?: number;
  targetSeed?: number;
  evalSamples?: number;
  /** Sampling steps of the processes regular at tau = 1. */
  evalSteps?: number;
  /** Sampling steps of the processes singular at tau = 1. */
  pbmEvalSteps?: number;
  pbmTauMin?: number;
  pbmTauMax?: number;
  scoreTaus?: number[];
  scoreTauCount?: number;
  scorePoints?: number;
  /** The budget study's convergence rule and band swaps (refused for a study without them). */
  minSteps?: number;
  chunkSteps?: number;
  convergeWindow?: number;
  convergeTol?: number;
  bandSwapDims?: number[];
  out?: string;
  quick: boolean;
  jobs?: number;
  backend?: BackendChoice;
  threads?: number;
  dryRun: boolean;
  json: boolean;
  runCell?: string;
  /** The sweep on a cluster: write the plan; run one cell of it; write an array job; merge the finished cells. */
  plan: boolean;
  cell?: number;
  cellFromEnv: boolean;
  emit?: 'slurm' | 'k8s';
  collect: boolean;
  /** The array job's elements at once, and what it asks the scheduler for. */
  maxRunning?: number;
  partition?: string;
  account?: string;
  gres?: string;
  image?: string;
  volumeClaim?: string;
}
