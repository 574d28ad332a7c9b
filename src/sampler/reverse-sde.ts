import * as tf from '@tensorflow/tfjs-core';
import type { GaussianPath } from '../process/index.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import { yieldToEventLoop } from '../yield.js';
import { clippedScoreFunction } from './clip-denoised.js';
import { LANGEVIN_UPDATE, langevinCorrector } from './langevin-corrector.js';
import type { ScoreFunction } from './score-function.js';
import { solverOf, type SamplerSettings } from './settings.js';
import type { Corrector, NoiseSource, ReverseSolver } from './solver.js';
import { solverNamed, type SolverName } from './solvers.js';

export type SamplerProgress = (done: number, total: number) => void;

/**
 * Samples the reverse process with the solver and corrector the settings name:
 * n x d samples, row-major float32 (see integrateReverseSde).
 */
export function sampleReverseSde(
  path: GaussianPath,
  networkOrExactScore: ScoreFunction,
  n: number,
  dim: number,
  settings: SamplerSettings,
  onProgress?: SamplerProgress,
): Promise<Float32Array> {
  const corrector = settings.corrector === undefined || settings.corrector.steps === 0 ? null : langevinCorrector(settings.corrector);
  return integrateReverseSde(solverNamed(solverOf(settings)), corrector, path, networkOrExactScore, n, dim, settings, onProgress);
}

/**
 * The driver every solver shares: the uniform grid from tauMax down to tauMin,
 * the batches, the prior, progress, the final denoising and the clip. Each
 * batch draws from its own stream, Rng.derive(seed, RNG_STREAMS.sample, batch):
 * the prior, then per step the predictor's draws, then the corrector's.
 * The corrector runs at the level each predictor step reached
 * (predictor-corrector, Song et al. 2021, Algorithm 1): never at tau_max,
 * where PBM's particles all sit on the pinned point and the score there says
 * nothing about the spread of p_tau. With `clip`, s is read through the
 * clipped denoised estimate. Returns n x d samples, row-major float32.
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
  const { steps, tauMin, tauMax, clip } = settings;
  const score = clip === undefined ? networkOrExactScore : clippedScoreFunction(networkOrExactScore, clip);
  const out = new Float32Array(n * dim);
  const h = (tauMax - tauMin) / steps;
  const batches = Math.ceil(n / settings.batchSize);
  const total = batches * steps;
  let done = 0;
  onProgress?.(0, total);
  for (let bi = 0; bi < batches; bi++) {
    const rows = Math.min(settings.batchSize, n - bi * settings.batchSize);
    const rng = Rng.derive(settings.seed, RNG_STREAMS.sample, bi);
    const noise: NoiseSource = () => tf.tensor2d(Float32Array.from(rng.normals(rows * dim)), [rows, dim]);
    let x = tf.tensor2d(Float32Array.from(path.samplePrior(rows, dim, rng)), [rows, dim]);
    for (let k = steps; k >= 1; k--) {
      const t = tauMin + k * h;
      const tNext = tauMin + (k - 1) * h;
      x = replace(x, predictor.step(x, { t, tNext, h }, score, path, noise));
      if (corrector !== null) x = replace(x, corrector.correct(x, tNext, score, path, noise));
      done += 1;
      if (done % 25 === 0 || done === total) {
        onProgress?.(done, total);
        await yieldToEventLoop();
      }
    }
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
  }
  return out;
}

/** Frees the tensor a step replaced. */
function replace(previous: tf.Tensor2D, next: tf.Tensor2D): tf.Tensor2D {
  if (next !== previous) previous.dispose();
  return next;
}

const GRID_UPDATE =
  'uniform grid t_k = tau_min + k h, h = (tau_max - tau_min) / steps; start from the prior at tau_max; for k = steps..1: ';
const FINISH_UPDATE =
  'if denoise: x <- (x + b(tau_min)^2 s(x, tau_min)) / a(tau_min); ' +
  'if clip {lo, hi}: s is read through the clipped denoised estimate, x0_hat = clip((x + b(t)^2 s) / a(t), lo, hi), ' +
  's <- (a(t) x0_hat - x) / b(t)^2, at every step and in the final denoising (whose result is clipped too)';

/** The whole update in words, for the bundle's sampler.update: the driver's grid, the solver's step, the corrector, the finish. */
export function describeSampler(solver: SolverName): string {
  return GRID_UPDATE + solverNamed(solver).update + LANGEVIN_UPDATE + FINISH_UPDATE;
}
