import type { GridAxes, Recipe } from '../experiment/grid.js';
import { EXPERIMENT_DEFAULTS } from './experiment-defaults.js';

/**
 * The parameter-budget study (`npm run experiment -- budget`, docs/budget.md): how many network
 * parameters each process needs to reach its oracle, by target and dimension. Widths 16 to 512 at
 * a fixed depth 3; 216 cells with the defaults.
 */
export const BUDGET_DEFAULTS = {
  axes: {
    targets: ['funnel', 'gmm'],
    dims: [2, 10, 50],
    processes: ['vp', 'pbm'],
    widths: [16, 32, 64, 128, 256, 512],
    seeds: [0, 1, 2],
  } satisfies GridAxes,
  recipe: {
    ...EXPERIMENT_DEFAULTS.recipe,
    evalSteps: { ...EXPERIMENT_DEFAULTS.recipe.evalSteps },
    depth: 3,
    /** The step cap: training stops earlier when the convergence rule says the loss has flattened. */
    steps: 20000,
    /**
     * Chunks of 250 updates (batch 512: 128k examples each, so a chunk's mean loss is steady);
     * stop once at least 3000 updates are done and the chunk losses' EMA (beta 0.7) improved by
     * less than 1% over the last 8 chunks (2000 updates).
     */
    convergence: { chunkSteps: 250, minSteps: 3000, window: 8, tol: 0.01, beta: 0.7 },
    /** Score error per tau band: the lowest third of each process's range (near the data), the middle, the top third (near the prior / pinned end). */
    tauBands: 3,
    /** Band swaps (each band sampled with the exact score, and with the network only there) at d = 50, for PBM and VP. */
    bandSwap: { dims: [50], processes: ['vp', 'pbm'] },
  } satisfies Recipe,
} as const;

/** `--quick`: one seed, two widths, d = 2, a short cap. */
export const BUDGET_QUICK = {
  axes: { dims: [2], widths: [16, 64], seeds: [0] },
  recipe: {
    steps: 1000,
    convergence: { chunkSteps: 100, minSteps: 500, window: 3, tol: 0.01, beta: 0.7 },
    evalSamples: 300,
    evalSteps: { vp: 100, pbm: 200 },
    scoreTauCount: 12,
    scorePoints: 300,
  },
} as const;

export const BUDGET_OUT = { full: 'checkpoints/experiments/budget', quick: 'checkpoints/experiments/budget-quick' } as const;

/**
 * The thresholds of the summary's "smallest parameter count" table. Fixed before any budget run
 * (not tuned on its results): a network "reaches" its oracle when its Sinkhorn divergence is at
 * most `sinkhornOracleFactor` times the oracle's (same target, dimension, process and seed), and,
 * separately, when its score error (mean over tau, per coordinate) is at most `scoreError`; 0.01
 * is the d = 10 level the 3000-step study's width-128 networks reached (docs/results.md).
 */
export const BUDGET_THRESHOLDS = {
  sinkhornOracleFactor: 2,
  scoreError: 0.01,
} as const;
