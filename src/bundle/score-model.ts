import type { DataRange } from '../../datasets/target.js';
import * as tf from '@tensorflow/tfjs-core';
import type { GaussianPath } from '../process/index.js';
import { clipTo } from '../sampler/clip-denoised.js';
import { sampleReverseSde, type SamplerProgress } from '../sampler/euler-maruyama.js';
import { correctorOption, type CorrectorOptions } from '../sampler/langevin-corrector.js';
import { networkScoreFunction, type ScoreFunction } from '../sampler/score-function.js';
import type { ScoreNetwork } from '../score-network.js';
import type { BundleConfig } from './format.js';

/** A loaded bundle: the score function, its process, and the bundle's description. */
export interface ScoreModel {
  readonly config: BundleConfig;
  readonly process: GaussianPath;
  readonly dim: number;
  readonly network: ScoreNetwork;
  /** s(x, tau) for every row of x ([n, dim]) at one noise level tau. The caller disposes the result. */
  score(x: tf.Tensor2D, tau: number): tf.Tensor2D;
  /** The same score in the form the samplers take. */
  readonly scoreFunction: ScoreFunction;
  /** Frees the weights. */
  dispose(): void;
}

export function scoreModel(config: BundleConfig, process: GaussianPath, network: ScoreNetwork): ScoreModel {
  const scoreFunction = networkScoreFunction(network);
  return {
    config,
    process,
    dim: network.backbone.config.dim,
    network,
    score: (x, tau) => scoreFunction(x, tau, process.coefficients(tau)),
    scoreFunction,
    dispose: () => network.backbone.dispose(),
  };
}

export interface SampleOptions {
  n: number;
  /** Defaults: the bundle's recorded sampler settings and the process's time range. */
  steps?: number;
  seed?: number;
  tauMin?: number;
  tauMax?: number;
  denoise?: boolean;
  /** Clip the denoised estimate to this box (null: never); default: the bundle's recorded range, if any. */
  clip?: DataRange | null;
  /** Particles integrated together; the noise stream is keyed by batch, so it changes the draws. */
  batchSize?: number;
  /** Langevin corrector steps after each predictor step; default: the bundle's recorded corrector, if any. */
  corrector?: CorrectorOptions;
  onProgress?: SamplerProgress;
}

/** Reverse-time Euler-Maruyama (optionally with a Langevin corrector) from the model: n x dim samples, row-major float32. */
export function sample(model: ScoreModel, o: SampleOptions): Promise<Float32Array> {
  const recommended = model.config.sampler;
  return sampleReverseSde(
    model.process,
    model.scoreFunction,
    o.n,
    model.dim,
    {
      steps: o.steps ?? recommended.steps,
      tauMin: o.tauMin ?? model.process.tauMin,
      tauMax: o.tauMax ?? model.process.tauMax,
      denoise: o.denoise ?? recommended.denoise,
      batchSize: o.batchSize ?? recommended.batchSize,
      seed: o.seed ?? recommended.seed,
      ...clipTo(o.clip === undefined ? recommended.clip : o.clip),
      ...correctorOption(o.corrector ?? recommended.corrector),
    },
    o.onProgress,
  );
}
