import * as tf from '@tensorflow/tfjs-core';
import type { Target } from '../../datasets/target.js';
import type { GaussianPath } from '../process/index.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import { countingScore } from '../sampler/counting-score.js';
import { noiseLevels, type GridName } from '../sampler/noise-grid.js';
import type { Tolerance } from '../sampler/ode-solver.js';
import { probabilityFlowStartLogDensity, probabilityFlowVelocity } from '../sampler/probability-flow.js';
import type { ScoreFunction } from '../sampler/score-function.js';
import { yieldToEventLoop } from '../yield.js';
import { meanAndStdErr } from './summary.js';
import { integrateForward, type LikelihoodSolverName } from './forward-ode.js';
import { networkAugmentedVelocity, oracleAugmentedVelocity, type AugmentedVelocity, type DivergenceMethod } from './augmented-velocity.js';

/** What v is built from: a (differentiable) score function, or the target's exact score and its closed-form divergence. */
export type FlowField = { kind: 'network'; score: ScoreFunction } | { kind: 'oracle'; target: Target };

export interface LikelihoodSettings {
  solver: LikelihoodSolverName;
  /** The grid of a fixed-step solver; unused by rk45. */
  grid: GridName;
  steps: number;
  tolerance: Tolerance;
  tauMin: number;
  tauMax: number;
  batchSize: number;
  /** Seeds the Hutchinson probes (stream likelihoodProbe, one per batch). */
  seed: number;
  divergence: DivergenceMethod;
}

export interface LikelihoodOutcome {
  /** log p_model(x) in nats, one per point, in input order. */
  logp: Float64Array;
  /** Hutchinson with K >= 2 only: each point's standard error over its K probes (sd / sqrt(K)); null otherwise. */
  probeStdErr: Float64Array | null;
  /** x(tau_max) of each point, row-major n x d: where the start density was read. */
  ends: Float64Array;
  /** Velocity evaluations per point (each a forward and a backward pass over d or K copies of the batch). */
  nfe: number;
}

export type LikelihoodProgress = (done: number, total: number) => void;

/** Progress units of a batch: the share of [tau_min, tau_max] covered, in thousandths. */
const UNITS = 1000;

/**
 * log p_model(x) of each point by the instantaneous change of variables along
 * the probability-flow ODE (Chen et al. 2018; Song et al. 2021, appendix D.2):
 *   log p_tau_min(x) = log p_start(x(tau_max)) + int_{tau_min}^{tau_max} div v(x(tau), tau) dtau,
 * x(tau_min) = x, p_start = N(0, b(tau_max)^2 I): the law the sampler starts its
 * flow from (probabilityFlowStart), so this is the density of the samples the
 * same ODE solver draws. The data points are read as points at tau_min, as
 * score_sde reads them at its eps.
 *
 * It is integrated upwards in tau (forward-ode.ts) on the grid of levels the
 * sampler's solver would use.
 */
export async function logLikelihoods(
  points: Float64Array,
  dim: number,
  path: GaussianPath,
  field: FlowField,
  settings: LikelihoodSettings,
  onProgress?: LikelihoodProgress,
): Promise<LikelihoodOutcome> {
  const n = points.length / dim;
  const { tauMin, tauMax, batchSize } = settings;
  const levels = noiseLevels(path, settings.grid, settings.steps, tauMin, tauMax);
  const logp = new Float64Array(n);
  const ends = new Float64Array(n * dim);
  const probeStdErr = settings.divergence.kind === 'hutchinson' && settings.divergence.probes >= 2 && field.kind === 'network' ? new Float64Array(n) : null;
  const batches = Math.ceil(n / batchSize);
  const total = batches * UNITS;
  let done = 0;
  let evaluations = 0;
  for (let bi = 0; bi < batches; bi++) {
    const first = bi * batchSize;
    const rows = Math.min(batchSize, n - first);
    const counted = { calls: 0 };
    const augmented = augmentedFor(field, path, rows, dim, settings, bi, counted);
    const state = initialState(points, first, rows, dim, augmented.columns);
    let reported = 0;
    const reached = async (tau: number) => {
      const units = Math.round((UNITS * (tau - tauMin)) / (tauMax - tauMin));
      if (units <= reported) return;
      const before = done;
      done += units - reported;
      reported = units;
      if (Math.floor(done / 25) > Math.floor(before / 25) || done === total) {
        onProgress?.(done, total);
        await yieldToEventLoop();
      }
    };
    const end = await integrateForward(settings.solver, state, { velocity: augmented.velocity, levels, tolerance: settings.tolerance, reached });
    state.dispose();
    augmented.dispose();
    const values = end.dataSync();
    end.dispose();
    const width = dim + augmented.columns;
    const xEnd = new Float64Array(rows * dim);
    for (let i = 0; i < rows; i++) for (let j = 0; j < dim; j++) xEnd[i * dim + j] = values[i * width + j]!;
    const start = probabilityFlowStartLogDensity(path, tauMax, xEnd, dim);
    ends.set(xEnd, first * dim);
    for (let i = 0; i < rows; i++) {
      const { mean, stdErr } = meanAndStdErr(values.subarray(i * width + dim, (i + 1) * width));
      logp[first + i] = start[i]! + mean;
      if (probeStdErr !== null) probeStdErr[first + i] = stdErr;
    }
    evaluations += rows * counted.calls;
  }
  return { logp, probeStdErr, ends, nfe: evaluations / n };
}

function augmentedFor(
  field: FlowField,
  path: GaussianPath,
  rows: number,
  dim: number,
  settings: LikelihoodSettings,
  batch: number,
  counted: { calls: number },
): AugmentedVelocity {
  if (field.kind === 'oracle') {
    const inner = oracleAugmentedVelocity(path, field.target, rows, dim);
    return {
      ...inner,
      velocity: (y, tau) => {
        counted.calls += 1;
        return inner.velocity(y, tau);
      },
    };
  }
  const score = countingScore(field.score);
  const augmented = networkAugmentedVelocity(
    probabilityFlowVelocity(path, score.score),
    rows,
    dim,
    settings.divergence,
    Rng.derive(settings.seed, RNG_STREAMS.likelihoodProbe, batch),
  );
  return {
    ...augmented,
    velocity: (y, tau) => {
      const v = augmented.velocity(y, tau);
      counted.calls = score.calls;
      return v;
    },
  };
}

/** [x, 0, .., 0]: the batch's points (float32, as the network reads them) and K zero columns. */
function initialState(points: Float64Array, first: number, rows: number, dim: number, columns: number): tf.Tensor2D {
  const width = dim + columns;
  const values = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) for (let j = 0; j < dim; j++) values[i * width + j] = points[(first + i) * dim + j]!;
  return tf.tensor2d(values, [rows, width]);
}
