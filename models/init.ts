import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../src/rng.js';

/**
 * Glorot-uniform values from the project's seeded generator (identical on
 * every backend): U(-l, l), l = sqrt(6 / (fanIn + fanOut)). For a convolution
 * the fans count the receptive field: kh kw cin and kh kw cout.
 */
export function glorotUniform(rng: Rng, count: number, fanIn: number, fanOut: number): Float32Array {
  return uniformWeights(rng, count, Math.sqrt(6 / (fanIn + fanOut)));
}

/** He-uniform values for layers followed by a ReLU: U(-l, l), l = sqrt(6 / fanIn), fans as for glorotUniform. */
export function heUniform(rng: Rng, count: number, fanIn: number): Float32Array {
  return uniformWeights(rng, count, Math.sqrt(6 / fanIn));
}

/** U(-limit, limit), one uniform draw per value in order, rounded to float32. */
function uniformWeights(rng: Rng, count: number, limit: number): Float32Array {
  const w = new Float32Array(count);
  for (let i = 0; i < w.length; i++) w[i] = (2 * rng.uniform() - 1) * limit;
  return w;
}

/**
 * Trainable variables named in creation order: the order is the checkpoint
 * order, so create them in a fixed sequence. tfjs variable names are global
 * to the engine, so the variables stay unnamed; our names live in `params`.
 */
export class ParameterList {
  readonly params: { name: string; variable: tf.Variable }[] = [];

  add(name: string, values: Float32Array, shape: number[]): tf.Variable {
    // tidy drops the initial tensor, so the variable alone owns its memory.
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape), true));
    this.params.push({ name, variable });
    return variable;
  }

  glorot(name: string, rng: Rng, shape: number[], fanIn: number, fanOut: number): tf.Variable {
    return this.add(name, glorotUniform(rng, shape.reduce((a, b) => a * b, 1), fanIn, fanOut), shape);
  }

  zeros(name: string, shape: number[]): tf.Variable {
    return this.add(name, new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
  }

  ones(name: string, shape: number[]): tf.Variable {
    return this.add(name, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1), shape);
  }

  dispose(): void {
    for (const p of this.params) p.variable.dispose();
  }
}
