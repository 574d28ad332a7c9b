import * as tf from '@tensorflow/tfjs-core';
import type { GaussianPath } from '../process/index.js';
import { stepsForEvaluations } from '../sampler/evaluation-budget.js';
import { sampleCounted, type SamplerFrames, type SamplerProgress, type SamplingOutcome } from '../sampler/reverse-sde.js';
import { networkScoreFunction, type ScoreFunction } from '../sampler/score-function.js';
import { resolveSamplerSettings, type SamplerRequest, type SamplerSettings } from '../sampler/settings.js';
import type { ScoreNetwork } from '../score-network.js';
import type { BundleConfig } from './format.js';
import { recordedSamplerDefaults } from './sampler-record.js';

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

/**
 * What sample() takes: n, and any sampler setting to change (see SamplerRequest:
 * `solver`, `grid`, `steps`, `tolerance` for rk45, ...; the rest are the
 * bundle's recorded settings over its process's time range), or `nfe`, a
 * budget of network evaluations per sample, instead of `steps`.
 * `clip: null` never clips; the batch size keys the noise stream, so it changes the draws.
 */
export type SampleOptions = SamplerRequest & {
  n: number;
  nfe?: number | undefined;
  onProgress?: SamplerProgress;
  /** Called with the particles as they move (see SamplerFrames); the samples are the same with or without it. */
  onFrame?: SamplerFrames['onFrame'];
  /** A frame every this many steps (default 10). */
  frameEvery?: number;
};

/** The settings sample() would use: the bundle's recorded ones with `request` over them (`nfe` sets the steps). */
export function samplerSettings(model: ScoreModel, request: SamplerRequest & { nfe?: number | undefined } = {}): SamplerSettings {
  const { nfe, ...rest } = request;
  const settings = resolveSamplerSettings(rest, recordedSamplerDefaults(model.config.sampler, model.process));
  if (nfe === undefined) return settings;
  if (rest.steps !== undefined) throw new RangeError(`sample: either nfe (${nfe}) or steps (${rest.steps}), not both`);
  return { ...settings, steps: stepsForEvaluations(settings, nfe) };
}

/** Samples the model with its solver (and corrector, if any): n x dim samples, row-major float32. */
export async function sample(model: ScoreModel, o: SampleOptions): Promise<Float32Array> {
  return (await sampleWithCost(model, o)).samples;
}

/** As sample(), with the network evaluations per sample it spent (counted). */
export function sampleWithCost(model: ScoreModel, o: SampleOptions): Promise<SamplingOutcome> {
  const { onProgress, onFrame, frameEvery, ...request } = o;
  if (frameEvery !== undefined && !(Number.isInteger(frameEvery) && frameEvery >= 1)) throw new RangeError(`sample: frameEvery ${frameEvery}; give a positive integer`);
  const frames = onFrame === undefined ? undefined : { every: frameEvery ?? 10, onFrame };
  return sampleCounted(model.process, model.scoreFunction, request.n, model.dim, samplerSettings(model, request), onProgress, frames);
}
