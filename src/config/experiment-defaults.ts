import type { GridAxes, Recipe } from '../experiment/grid.js';

/**
 * The default grid (the issue's: dims {2, 10, 50}, widths {32, 128}, seeds {0, 1, 2}, both targets
 * and processes: 72 cells) and the recipe every cell shares, sized for a CPU with two parallel
 * jobs; docs/results.md gives the measured times.
 */
export const EXPERIMENT_DEFAULTS = {
  axes: {
    targets: ['funnel', 'gmm'],
    dims: [2, 10, 50],
    processes: ['vp', 'pbm'],
    widths: [32, 128],
    seeds: [0, 1, 2],
  } satisfies GridAxes,
  recipe: {
    depth: 3,
    steps: 3000,
    batchSize: 512,
    lr: 1e-3,
    components: 10,
    targetSeed: 0,
    evalSamples: 1000,
    evalSteps: { vp: 500, pbm: 2000 },
    pbmTauMin: 1e-4,
    pbmTauMax: 0.99999,
    scoreTaus: null,
    scoreTauCount: 21,
    scorePoints: 1000,
  } satisfies Recipe,
  backend: 'auto',
} as const;

/** `--quick`: a reduced grid (8 cells) and a short recipe. */
export const EXPERIMENT_QUICK = {
  axes: { dims: [2, 10], widths: [32], seeds: [0] },
  recipe: { steps: 300, evalSamples: 300, evalSteps: { vp: 100, pbm: 200 }, scoreTauCount: 11, scorePoints: 300 },
} as const;

/**
 * Checkpoints per cell, local sweep and cluster alike: a cell cut off (a killed sweep, a time limit,
 * preemption) goes on from its last one, losing at most this fraction of its training.
 */
export const CELL_CHECKPOINTS = 20;

export const EXPERIMENT_OUT = { full: 'checkpoints/experiments/vp-vs-pbm', quick: 'checkpoints/experiments/vp-vs-pbm-quick' } as const;

/**
 * Running the sweep as a scheduler's array job (`--emit slurm|k8s`): elements at once, each
 * element's wasm threads, and
 * for Kubernetes the image, the shared volume's claim and where the image holds the project.
 */
export const EXPERIMENT_CLUSTER = {
  maxRunning: 16,
  threads: 1,
  image: 'score-sde:latest',
  claim: 'score-sde-experiments',
  imageWorkdir: '/app',
} as const;
