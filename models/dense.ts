import * as tf from '@tensorflow/tfjs-core';
import { columnSum } from '../src/platform/kernels/column-sum.js';

type DenseFn = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** Activations with a hand-written derivative inside the layer's op (gelu goes through autodiff). */
export const FUSED_ACTIVATIONS = ['linear', 'silu', 'relu', 'tanh'] as const;
export type FusedActivation = (typeof FUSED_ACTIVATIONS)[number];

/**
 * x W + b, then relu where requested. Not tf.fused.matMul: on wasm its GEMM
 * with a weight it has not seen before (every step, since the weights change)
 * is slower than matMul + add (docs/measurements.md).
 */
function affine(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, relu: boolean): tf.Tensor2D {
  const z = tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
  return relu ? tf.relu(z) : z;
}

/**
 * Input, kernel and bias gradients of y = x W + b from the pre-activation
 * gradient g, with explicit transposes: tfjs's own matMul gradient uses
 * transposed matMuls, which run far slower than transpose + plain matMul on
 * the wasm backend (docs/measurements.md); the bias sum uses the project's host-memory kernel there. Built from differentiable ops, so second
 * derivatives (the diagnostics' Jacobian-vector products) flow through it.
 */
function affineGrads(g: tf.Tensor2D, x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor[] {
  return [tf.matMul(g, tf.transpose(w)), tf.matMul(tf.transpose(x), g), columnSum(g)];
}

type Saved = tf.Tensor[];
type Forward = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => { value: tf.Tensor2D; saved: Saved };
type Backward = (dy: tf.Tensor2D, saved: Saved) => tf.Tensor2D;

/**
 * A dense layer with activation as one custom-gradient op: one tape node per
 * layer, and a derivative of the activation written from
 * values saved in the forward pass instead of autodiff's chain of small ops.
 * `saved` always starts with [x, W]; the backward maps dy to the pre-activation
 * gradient.
 */
function denseOp(forward: Forward, backward: Backward): DenseFn {
  return tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const { value, saved } = forward(x, w, b);
    save(saved);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], s: tf.Tensor[]) =>
        affineGrads(backward(dy as tf.Tensor2D, s), s[0] as tf.Tensor2D, s[1] as tf.Tensor2D),
    };
  }) as Parameters<typeof tf.customGrad>[0]) as unknown as DenseFn;
}

const LAYERS: Record<FusedActivation, DenseFn> = {
  linear: denseOp(
    (x, w, b) => ({ value: affine(x, w, b, false), saved: [x, w] }),
    (dy) => dy,
  ),
  relu: denseOp(
    (x, w, b) => {
      const y = affine(x, w, b, true);
      return { value: y, saved: [x, w, y] };
    },
    // relu'(z) = step(z), and z > 0 exactly where y = relu(z) > 0.
    (dy, [, , y]) => tf.mul(dy, tf.step(y!)),
  ),
  tanh: denseOp(
    (x, w, b) => {
      const y = tf.tanh(affine(x, w, b, false));
      return { value: y, saved: [x, w, y] };
    },
    (dy, [, , y]) => tf.mul(dy, tf.sub(1, tf.square(y!))),
  ),
  silu: denseOp(
    (x, w, b) => {
      const z = affine(x, w, b, false);
      const s = tf.sigmoid(z);
      const y = tf.mul(z, s) as tf.Tensor2D;
      return { value: y, saved: [x, w, s, y] };
    },
    // silu'(z) = s + z s (1 - s) = s + y (1 - s), with s = sigmoid(z), y = z s.
    (dy, [, , s, y]) => tf.mul(dy, tf.add(s!, tf.sub(y!, tf.mul(y!, s!)))),
  ),
};

/** y = x W + b with a hand-written gradient that transposes explicitly. */
export const dense: DenseFn = LAYERS.linear;

/** act(x W + b) as one op with a hand-written gradient. */
export function denseActivation(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: FusedActivation): tf.Tensor2D {
  return LAYERS[activation](x, w, b);
}

export function isFusedActivation(name: string): name is FusedActivation {
  return (FUSED_ACTIVATIONS as readonly string[]).includes(name);
}
