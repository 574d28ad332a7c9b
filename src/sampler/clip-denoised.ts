import * as tf from '@tensorflow/tfjs-core';
import type { DataRange, DataSource } from '../../datasets/target.js';
import type { ScoreFunction } from './score-function.js';

/**
 * The score read through a denoised estimate clipped to the data's box:
 * x0_hat = (x + b^2 s) / a is projected onto [lo, hi]^d and the score rebuilt
 * as s' = (a clip(x0_hat) - x) / b^2.
 *
 * Why this is safe: the true E[x0 | x] is an average of data points, so it lies
 * in the box, and projecting onto a convex set that holds a point never moves
 * an estimate away from it. So |s' - s_true| <= |s - s_true| at every x and tau:
 * the clip can only lower the score error. It matters most at low signal to
 * noise, where x0_hat = (x + b^2 s) / a divides the network's error by a small a.
 */
export function clippedScoreFunction(score: ScoreFunction, range: DataRange): ScoreFunction {
  if (!(range.lo < range.hi)) throw new RangeError(`clippedScoreFunction: empty range [${range.lo}, ${range.hi}]`);
  return (x, tau, coeff) =>
    tf.tidy(() => {
      const { a, b } = coeff;
      const b2 = b * b;
      const x0 = tf.clipByValue(tf.div(tf.add(x, tf.mul(score(x, tau, coeff), b2)), a), range.lo, range.hi);
      return tf.div(tf.sub(tf.mul(x0, a), x), b2) as tf.Tensor2D;
    });
}

/** The sampler's `clip` option for a range (null or absent: no clip). */
export function clipTo(range: DataRange | null | undefined): { clip?: DataRange } {
  return range === null || range === undefined ? {} : { clip: { lo: range.lo, hi: range.hi } };
}

/** The sampler's `clip` for a data source: its range when clipping is asked for and the data has one. */
export function clipOption(enabled: boolean, source: DataSource): { clip?: DataRange } {
  return enabled ? clipTo(source.dataRange) : {};
}
