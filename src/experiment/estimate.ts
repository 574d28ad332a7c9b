import type { CellSpec } from './grid.js';
import { oracleId, recipeEvalSteps, takesBandSwap } from './grid.js';

/**
 * A cost model of one cell, in single-thread seconds, with constants measured on a 2-core
 * x86-64 CPU (wasm backend, one thread per job). It only has to be right to a few tens of
 * percent: it prints the time budget before a sweep starts and orders nothing.
 */
export const COST = {
  /** Process start-up of a parallel job (tsx, TensorFlow.js, wasm). */
  jobStartup: 4,
  /**
   * A training step: a fixed cost (dispatch, Adam, EMA), one per coordinate of the batch (drawing
   * the data) and one per flop of the dense layers (forward + backward = 6 flops per weight per
   * example). Fitted (relative least squares) to the 72 cells of the budget study's seed 0: depth-3
   * MLPs of widths 16 to 512, d = 2 to 50, batch 512, two jobs at once; divided by parallelSlowdown.
   */
  trainStepOverhead: 1.53e-3,
  trainStepPerDim: 3.8e-5,
  trainSecondsPerFlop: 1 / 15.4e9,
  /** Seconds per flop of the network in sampling (forward passes over the samples). */
  secondsPerFlop: 1 / 22e9,
  /** Fixed cost of one sampler step of the network, seconds. */
  sampleStepOverhead: 0.0012,
  /** Exact score per point and call, seconds: funnel (v-grid), gmm (per component and coordinate). */
  funnelScore: 28e-6,
  gmmScoreBase: 1e-6,
  gmmScorePerComponentDim: 0.017e-6,
  /** One metric set (model or floor) at 1000 points: fixed part, per dimension, per Sinkhorn iteration. */
  metricSetBase: 0.55,
  metricSetPerDim: 0.035,
  metricSetPerIteration: 0.0055,
  /** Sinkhorn iterations (three problems together): the funnel's tails reach the cap, mixtures converge. */
  sinkhornFunnel: 1040,
  sinkhornGmm: 200,
  /** Writing the samples' PNG, per evaluation. */
  plot: 0.8,
  /** Two jobs on two cores run each a little slower than one alone (shared caches and memory). */
  parallelSlowdown: 1.15,
  /** Peak resident memory of one cell's process (Node, TensorFlow.js, wasm), MB: measured 300 on a --quick cell. */
  memoryBaseMB: 300,
  /** The metrics' n x n matrices (cost, kernels; several alive at once), bytes per pair of samples. */
  metricBytesPerPair: 64,
} as const;

export interface CellEstimate {
  train: number;
  model: number;
  oracle: number;
  scoreError: number;
  /** The band swaps' samplings and metrics (budget study), 0 without them. */
  bandSwap: number;
  total: number;
}

function parameterCount(spec: CellSpec): number {
  const { dim, width } = spec.key;
  const inputs = dim + 16; // c_in x and 8 Fourier frequencies of tau (sin and cos)
  return inputs * width + (spec.recipe.depth - 1) * width * width + width * dim;
}

function exactScoreSeconds(spec: CellSpec): number {
  const { target, dim } = spec.key;
  return target === 'funnel' ? COST.funnelScore : COST.gmmScoreBase + COST.gmmScorePerComponentDim * spec.recipe.components * dim;
}

function metricSetSeconds(spec: CellSpec): number {
  const n = spec.recipe.evalSamples;
  const iterations = spec.key.target === 'funnel' ? COST.sinkhornFunnel : COST.sinkhornGmm;
  return (n / 1000) ** 2 * (COST.metricSetBase + COST.metricSetPerDim * spec.key.dim + COST.metricSetPerIteration * iterations);
}

/**
 * Seconds of one cell run alone; `sampleOracle` false when it copies another width's oracle run.
 * A convergence-capped recipe is costed at its cap (recipe.steps): an upper bound, since a cell
 * whose loss flattens earlier stops there.
 */
export function estimateCell(spec: CellSpec, sampleOracle: boolean): CellEstimate {
  const { recipe } = spec;
  const params = parameterCount(spec);
  const steps = recipeEvalSteps(recipe, spec.key.process);
  const n = recipe.evalSamples;
  const train = recipe.steps * (COST.trainStepOverhead + COST.trainStepPerDim * spec.key.dim + 6 * params * recipe.batchSize * COST.trainSecondsPerFlop);
  const sampling = steps * (COST.sampleStepOverhead + 2 * params * n * COST.secondsPerFlop);
  const model = sampling + 2 * metricSetSeconds(spec) + COST.plot;
  const oracle = sampleOracle ? steps * n * exactScoreSeconds(spec) + 2 * metricSetSeconds(spec) + COST.plot : 0;
  const taus = recipe.scoreTaus?.length ?? recipe.scoreTauCount;
  const scoreError = taus * recipe.scorePoints * (exactScoreSeconds(spec) + 2 * params * COST.secondsPerFlop);
  // Per band, the two swaps together sample every step once with the network and once with the exact score.
  const bands = recipe.tauBands ?? 3;
  const bandSwap = takesBandSwap(spec) ? bands * (sampling + steps * n * exactScoreSeconds(spec)) + 2 * bands * (2 * metricSetSeconds(spec) + COST.plot) : 0;
  return { train, model, oracle, scoreError, bandSwap, total: COST.jobStartup + train + model + oracle + scoreError + bandSwap };
}

/** Peak memory of one cell's process, MB (a scheduler's request adds its own margin). */
export function estimateCellMemoryMB(spec: CellSpec): number {
  const n = spec.recipe.evalSamples;
  return COST.memoryBaseMB + (n * n * COST.metricBytesPerPair) / 2 ** 20;
}

export interface SweepEstimate {
  /** Sum over the cells of their single-job seconds. */
  cellSeconds: number;
  /** Wall-clock seconds with `jobs` jobs on `cores` cores (cells handed out in order). */
  wallSeconds: number;
}

/** Each cell's estimate, the cells in run order: the first cell of each oracle group samples it, the rest copy it. */
export function estimateCells(specs: readonly CellSpec[]): CellEstimate[] {
  const seen = new Set<string>();
  return specs.map((spec) => {
    const id = oracleId(spec.key);
    const first = !seen.has(id);
    seen.add(id);
    return estimateCell(spec, first);
  });
}

/**
 * The cells in run order (see estimateCells). `stopShare`: the part of its step cap a cell with a
 * convergence rule is expected to train (1: all of it, an upper bound).
 */
export function estimateSweep(specs: readonly CellSpec[], jobs: number, cores: number, stopShare = 1): SweepEstimate {
  const times = estimateCells(specs).map((e, k) => (specs[k]!.recipe.convergence ? e.total - e.train * (1 - stopShare) : e.total));
  const parallel = Math.max(1, Math.min(jobs, times.length));
  const slowdown = parallel > 1 ? COST.parallelSlowdown * Math.max(1, parallel / cores) : 1;
  // Greedy: each cell goes to the job that frees up first, as the sweep hands them out.
  const free = new Array<number>(parallel).fill(0);
  for (const t of times) {
    const k = free.indexOf(Math.min(...free));
    free[k] = free[k]! + t * slowdown;
  }
  return { cellSeconds: times.reduce((s, t) => s + t, 0), wallSeconds: Math.max(0, ...free) };
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
