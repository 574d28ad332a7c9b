import * as tf from '@tensorflow/tfjs-core';
import type { GaussianPath } from '../process/index.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import { yieldToEventLoop } from '../yield.js';
import { clippedScoreFunction } from './clip-denoised.js';
import { countingScore } from './counting-score.js';
import { LANGEVIN_UPDATE, langevinCorrector } from './langevin-corrector.js';
import { GRID_UPDATES, noiseLevels, type GridName } from './noise-grid.js';
import type { OdeSolver } from './ode-solver.js';
import { probabilityFlowStart, probabilityFlowVelocity } from './probability-flow.js';
import type { ScoreFunction } from './score-function.js';
import { gridOf, solverOf, type SamplerSettings } from './settings.js';
import type { Corrector, NoiseSource, ReverseSolver } from './solver.js';
import { isOdeSolver, solverNamed, type SolverName } from './solvers.js';

export type SamplerProgress = (done: number, total: number) => void;

/**
 * Frames of the reverse process, for drawing it as it moves: the batch's
 * particles x (rows x d, row-major, a copy) at level tau, every `every` steps
 * (levels reached; accepted steps for rk45) and at the batch's last level,
 * before the final denoising. `firstRow` places the batch among the n rows.
 * Reading the frames changes no output.
 */
export interface SamplerFrames {
  every: number;
  onFrame(x: Float32Array, tau: number, firstRow: number): void;
}

/** Samples and what they cost. */
export interface SamplingOutcome {
  /** n x d, row-major float32. */
  samples: Float32Array;
  /** Score (network) evaluations per sample, as counted: the mean over the batches, weighted by their rows. */
  nfe: number;
}

/**
 * Samples the reverse process with the solver and corrector the settings name:
 * n x d samples, row-major float32 (see integrateReverseSde).
 */
export async function sampleReverseSde(
  path: GaussianPath,
  networkOrExactScore: ScoreFunction,
  n: number,
  dim: number,
  settings: SamplerSettings,
  onProgress?: SamplerProgress,
): Promise<Float32Array> {
  return (await sampleCounted(path, networkOrExactScore, n, dim, settings, onProgress)).samples;
}

/** As sampleReverseSde, with the number of score evaluations it spent. */
export function sampleCounted(
  path: GaussianPath,
  networkOrExactScore: ScoreFunction,
  n: number,
  dim: number,
  settings: SamplerSettings,
  onProgress?: SamplerProgress,
  frames?: SamplerFrames,
): Promise<SamplingOutcome> {
  const solver = solverNamed(solverOf(settings));
  if (isOdeSolver(solver)) {
    const refusal = solver.refusal(path);
    if (refusal !== null) throw new RangeError(`sampler solver ${solver.name}: ${refusal}`);
    return drive(path, networkOrExactScore, n, dim, settings, onProgress, odeBatch(solver, settings), frames);
  }
  const corrector = settings.corrector === undefined || settings.corrector.steps === 0 ? null : langevinCorrector(settings.corrector);
  return drive(path, networkOrExactScore, n, dim, settings, onProgress, sdeBatch(solver, corrector, settings), frames);
}

/**
 * The reverse-SDE driver every SDE solver shares: the grid from tauMax down to
 * tauMin (uniform unless the settings name another), the batches, the prior,
 * progress, the final denoising and the clip. Each batch draws from its own
 * stream, Rng.derive(seed, RNG_STREAMS.sample, batch): the prior, then per
 * step the predictor's draws, then the corrector's. The corrector runs at the
 * level each predictor step reached (predictor-corrector, Song et al. 2021,
 * Algorithm 1): never at tau_max, where PBM's particles all sit on the pinned
 * point and the score there says nothing about the spread of p_tau. With
 * `clip`, s is read through the clipped denoised estimate. Returns n x d
 * samples, row-major float32.
 */
export async function integrateReverseSde(
  predictor: ReverseSolver,
  corrector: Corrector | null,
  path: GaussianPath,
  networkOrExactScore: ScoreFunction,
  n: number,
  dim: number,
  settings: SamplerSettings,
  onProgress?: SamplerProgress,
): Promise<Float32Array> {
  return (await drive(path, networkOrExactScore, n, dim, settings, onProgress, sdeBatch(predictor, corrector, settings))).samples;
}

/** What a batch is given: its particle count, its random stream, the (counted, clipped) score, and progress. */
interface BatchContext {
  path: GaussianPath;
  rows: number;
  dim: number;
  rng: Rng;
  score: ScoreFunction;
  /** Reports progress: `units` more of the batch's unitsPerBatch done, the particles now x at level tau (for frames). */
  advance(units: number, x: tf.Tensor2D, tau: number): Promise<void>;
}

/** One batch from its start to tau_min (before the final denoising), and the progress units a batch counts. */
interface BatchIntegrator {
  unitsPerBatch: number;
  run(context: BatchContext): Promise<tf.Tensor2D>;
}

function sdeBatch(predictor: ReverseSolver, corrector: Corrector | null, settings: SamplerSettings): BatchIntegrator {
  return {
    unitsPerBatch: settings.steps,
    async run({ path, rows, dim, rng, score, advance }) {
      const { steps, tauMin, tauMax } = settings;
      const grid = gridOf(settings);
      const h = (tauMax - tauMin) / steps;
      const levels = noiseLevels(path, grid, steps, tauMin, tauMax);
      const noise: NoiseSource = () => tf.tensor2d(Float32Array.from(rng.normals(rows * dim)), [rows, dim]);
      let x = tf.tensor2d(Float32Array.from(path.samplePrior(rows, dim, rng)), [rows, dim]);
      for (let k = steps; k >= 1; k--) {
        const t = levels[k]!;
        const tNext = levels[k - 1]!;
        // The uniform grid's step is h as it always was (t - tNext may differ from it in the last bit).
        x = replace(x, predictor.step(x, { t, tNext, h: grid === 'uniform' ? h : t - tNext }, score, path, noise));
        if (corrector !== null) x = replace(x, corrector.correct(x, tNext, score, path, noise));
        await advance(1, x, tNext);
      }
      return x;
    },
  };
}

/** Progress units of an adaptive ODE batch: the share of [tau_min, tau_max] covered, in thousandths. */
const ADAPTIVE_UNITS = 1000;

/**
 * An ODE batch: starts from N(0, b(tau_max)^2 I) (probabilityFlowStart; the
 * batch's stream draws nothing else) and integrates the probability-flow ODE
 * down to tau_min on the settings' grid. Progress: one unit per level reached
 * on a fixed grid, thousandths of the tau range for an adaptive solver.
 */
function odeBatch(solver: OdeSolver, settings: SamplerSettings): BatchIntegrator {
  const { steps, tauMin, tauMax } = settings;
  const tolerance = settings.tolerance ?? { rtol: Number.NaN, atol: Number.NaN };
  const adaptive = solver.evaluationsPerStep === null;
  return {
    unitsPerBatch: adaptive ? ADAPTIVE_UNITS : steps,
    async run({ path, rows, dim, rng, score, advance }) {
      const levels = noiseLevels(path, gridOf(settings), adaptive ? 1 : steps, tauMin, tauMax).reverse();
      const x = probabilityFlowStart(path, tauMax, rows, dim, rng);
      let reported = 0;
      const reached = async (tau: number, y: tf.Tensor2D) => {
        const units = adaptive ? Math.round((ADAPTIVE_UNITS * (tauMax - tau)) / (tauMax - tauMin)) : reported + 1;
        await advance(Math.max(0, units - reported), y, tau);
        reported = Math.max(reported, units);
      };
      const velocity = probabilityFlowVelocity(path, score);
      const y = await solver.integrate(x, { path, score, velocity, levels, tolerance, reached });
      x.dispose();
      return y;
    },
  };
}

/**
 * What every solver shares: the batches and their streams, progress, the score
 * counted per batch and read through the clip, the final denoising.
 */
async function drive(
  path: GaussianPath,
  networkOrExactScore: ScoreFunction,
  n: number,
  dim: number,
  settings: SamplerSettings,
  onProgress: SamplerProgress | undefined,
  integrator: BatchIntegrator,
  frames?: SamplerFrames,
): Promise<SamplingOutcome> {
  const { tauMin, clip } = settings;
  const out = new Float32Array(n * dim);
  const batches = Math.ceil(n / settings.batchSize);
  const total = batches * integrator.unitsPerBatch;
  let done = 0;
  let evaluations = 0;
  onProgress?.(0, total);
  for (let bi = 0; bi < batches; bi++) {
    const rows = Math.min(settings.batchSize, n - bi * settings.batchSize);
    const rng = Rng.derive(settings.seed, RNG_STREAMS.sample, bi);
    const counted = countingScore(networkOrExactScore);
    const score = clip === undefined ? counted.score : clippedScoreFunction(counted.score, clip);
    let reachedLevels = 0;
    const advance = async (units: number, x: tf.Tensor2D, tau: number) => {
      const before = done;
      done += units;
      reachedLevels++;
      const last = tau <= tauMin;
      const frame = frames !== undefined && (reachedLevels % frames.every === 0 || last);
      if (frame) frames.onFrame(Float32Array.from(x.dataSync() as Float32Array), tau, bi * settings.batchSize);
      // Every 25 units (and at the end): progress, and a turn for the event loop; after a frame too, so it can be drawn.
      if (units > 0 && (Math.floor(done / 25) > Math.floor(before / 25) || done === total)) {
        onProgress?.(done, total);
        await yieldToEventLoop();
      } else if (frame) await yieldToEventLoop();
    };
    let x = await integrator.run({ path, rows, dim, rng, score, advance });
    if (settings.denoise) {
      const coeff = path.coefficients(tauMin);
      x = replace(
        x,
        tf.tidy(() => {
          const s = score(x, tauMin, coeff);
          const x0 = tf.div(tf.add(x, tf.mul(s, coeff.b * coeff.b)), coeff.a) as tf.Tensor2D;
          // Already in the range up to round-off through s; clipped again so it is exactly.
          return clip === undefined ? x0 : (tf.clipByValue(x0, clip.lo, clip.hi) as tf.Tensor2D);
        }),
      );
    }
    out.set(x.dataSync() as Float32Array, bi * settings.batchSize * dim);
    x.dispose();
    evaluations += rows * counted.calls;
  }
  return { samples: out, nfe: evaluations / n };
}

/** Frees the tensor a step replaced. */
function replace(previous: tf.Tensor2D, next: tf.Tensor2D): tf.Tensor2D {
  if (next !== previous) previous.dispose();
  return next;
}

const START_UPDATE: Record<'sde' | 'ode', string> = {
  sde: 'start from the prior at tau_max; for k = steps..1: ',
  ode: 'start from N(0, b(tau_max)^2 I) at tau_max; for k = steps..1: ',
};
const FINISH_UPDATE =
  'if denoise: x <- (x + b(tau_min)^2 s(x, tau_min)) / a(tau_min); ' +
  'if clip {lo, hi}: s is read through the clipped denoised estimate, x0_hat = clip((x + b(t)^2 s) / a(t), lo, hi), ' +
  's <- (a(t) x0_hat - x) / b(t)^2, at every step and in the final denoising (whose result is clipped too)';

/**
 * The whole update in words, for the bundle's sampler.update: the grid, the
 * start, the solver's step, the corrector (SDE solvers), the finish. Uniform
 * Euler-Maruyama reads as bundles have always recorded it.
 */
export function describeSampler(solver: SolverName, grid: GridName = 'uniform'): string {
  const chosen = solverNamed(solver);
  const ode = isOdeSolver(chosen);
  return GRID_UPDATES[grid] + START_UPDATE[ode ? 'ode' : 'sde'] + chosen.update + (ode ? '' : LANGEVIN_UPDATE) + FINISH_UPDATE;
}
