import * as tf from '@tensorflow/tfjs-core';
import type { PathCoefficients, Target } from '../../datasets/target.js';
import { networkScore, type ScoreNetwork } from '../score-network.js';

/** s(x, tau): the only thing a sampler needs from a model or from the truth. */
export type ScoreFunction = (x: tf.Tensor2D, tau: number, coeff: PathCoefficients) => tf.Tensor2D;

export function networkScoreFunction(net: ScoreNetwork): ScoreFunction {
  return (x, tau, { a, b }) => networkScore(net, x, tau, a, b);
}

/** The target's exact noised score (computed in float64), to isolate discretisation error. */
export function oracleScoreFunction(target: Target): ScoreFunction {
  return (x, _tau, coeff) => {
    const score = target.noisedScore(Float64Array.from(x.dataSync()), coeff);
    return tf.tensor2d(Float32Array.from(score), x.shape);
  };
}
