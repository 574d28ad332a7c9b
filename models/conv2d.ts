import * as tf from '@tensorflow/tfjs-core';
import { columnSum } from '../src/platform/kernels/column-sum.js';

/**
 * A trainable 2-D convolution whose gradients are forward convolutions.
 *
 * Why: on the wasm backend `Conv2DBackpropFilter` is not registered (so
 * `tf.conv2d` cannot be trained there at all) and the registered
 * `Conv2DBackpropInput` runs far slower than the forward kernel (docs/measurements.md). Both
 * gradients of a convolution are themselves convolutions, and the forward
 * kernel (XNNPACK) is fast, so the gradient is written as:
 *
 * - input gradient: the output gradient, dilated by the stride (stride - 1
 *   zeros between neighbours) and padded by (k - 1 - padBefore) on the
 *   leading side, convolved ('valid', stride 1) with the filter rotated 180
 *   degrees and its in/out channels swapped;
 * - filter gradient: a convolution of the input with the output gradient as
 *   the filter, with the batch and channel axes of both swapped (the batch
 *   becomes the contracted "channel" axis), the forward padding given
 *   explicitly, and the stride becoming the filter dilation.
 *
 * Stride s > 1 is handled by that dilation (zeros inserted by reshape + pad,
 * so the input gradient spends (1 - 1/s^2) of its multiply-adds on zeros;
 * strided convolutions are a small part of a U-Net, so the simple form wins).
 *
 * Second derivatives: the gradients are built from differentiable ops
 * (conv2d, pad, reshape, transpose, slice, reverse), so they exist wherever
 * every conv kernel is registered (cpu, tensorflow); on wasm a second
 * derivative would need Conv2DBackpropFilter and fails. Only first
 * derivatives are needed to train.
 */

export type Conv2dPadding = 'same' | 'valid';

export interface Conv2dOptions {
  /** Stride along both spatial axes (a positive integer; default 1). */
  stride?: number;
  /** 'same' (TensorFlow's rule: output ceil(size / stride), extra padding after) or 'valid'; default 'same'. */
  padding?: Conv2dPadding;
}

/** Padding and output size of one spatial axis, as TensorFlow computes them. */
export interface AxisGeometry {
  inSize: number;
  outSize: number;
  padBefore: number;
  padAfter: number;
}

export function axisGeometry(inSize: number, kernel: number, stride: number, padding: Conv2dPadding): AxisGeometry {
  if (padding === 'valid') {
    const outSize = Math.floor((inSize - kernel) / stride) + 1;
    return { inSize, outSize, padBefore: 0, padAfter: 0 };
  }
  const outSize = Math.ceil(inSize / stride);
  const total = Math.max(0, (outSize - 1) * stride + kernel - inSize);
  const padBefore = Math.floor(total / 2);
  return { inSize, outSize, padBefore, padAfter: total - padBefore };
}

type Pads = [[number, number], [number, number], [number, number], [number, number]];
const explicit = (h: [number, number], w: [number, number]): Pads => [[0, 0], h, w, [0, 0]];

/** dy [n, ho, wo, c] with (stride - 1) zeros inserted between neighbours and after the last: [n, ho s, wo s, c]. */
function dilate(dy: tf.Tensor4D, stride: number): tf.Tensor4D {
  if (stride === 1) return dy;
  const [n, ho, wo, c] = dy.shape;
  const spread = tf.pad(tf.reshape(dy, [n * ho, 1, wo, 1, c]), [[0, 0], [0, stride - 1], [0, 0], [0, stride - 1], [0, 0]]);
  return tf.reshape(spread, [n, ho * stride, wo * stride, c]);
}

/**
 * Input gradient. The dilated output gradient has (stride - 1) trailing
 * zeros beyond the (out - 1) s + 1 entries that matter; they stand in for that
 * much of the trailing padding, and are cut where the padding needed is less.
 */
function inputGradient(dy: tf.Tensor4D, w: tf.Tensor4D, gh: AxisGeometry, gw: AxisGeometry, stride: number): tf.Tensor4D {
  const [kh, kw] = [w.shape[0], w.shape[1]];
  const pads = (g: AxisGeometry, k: number): [number, number, number] => {
    const before = k - 1 - g.padBefore;
    const after = g.inSize - g.outSize * stride + g.padBefore; // after the s - 1 trailing zeros
    return [before, Math.max(0, after), Math.min(0, after)];
  };
  const [th, bh, cutH] = pads(gh, kh);
  const [tw, bw, cutW] = pads(gw, kw);
  let d = dilate(dy, stride);
  if (cutH < 0 || cutW < 0) d = tf.slice(d, [0, 0, 0, 0], [-1, d.shape[1] + cutH, d.shape[2] + cutW, -1]);
  // Rotate 180 degrees, swap in/out channels: [kh, kw, cout, cin].
  const wr = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]);
  return tf.conv2d(d, wr, 1, explicit([th, bh], [tw, bw]));
}

/** Filter gradient: batch <-> channels on both operands, stride -> dilation. */
function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, kh: number, kw: number, gh: AxisGeometry, gw: AxisGeometry, stride: number): tf.Tensor4D {
  const xt = tf.transpose(x, [3, 1, 2, 0]); // [cin, h, w, n]
  const dyt = tf.transpose(dy, [1, 2, 0, 3]); // [ho, wo, n, cout]
  // Trailing padding that brings the output to exactly k; rows the strided
  // forward pass never reached are cut afterwards instead.
  const after = (g: AxisGeometry, k: number) => Math.max(0, k - g.inSize - g.padBefore + (g.outSize - 1) * stride);
  let out = tf.conv2d(xt, dyt, 1, explicit([gh.padBefore, after(gh, kh)], [gw.padBefore, after(gw, kw)]), 'NHWC', stride);
  if (out.shape[1] !== kh || out.shape[2] !== kw) out = tf.slice(out, [0, 0, 0, 0], [-1, kh, kw, -1]);
  return tf.transpose(out, [1, 2, 0, 3]); // [kh, kw, cin, cout]
}

type ConvFn = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;
type ConvBiasFn = (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor4D;

/** Gradients of the input and the filter from dy and the saved [x, w]. */
function convGradients(dy: tf.Tensor4D, saved: tf.Tensor[], stride: number, padding: Conv2dPadding): [tf.Tensor4D, tf.Tensor4D] {
  const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
  const [kh, kw] = [ws.shape[0], ws.shape[1]];
  const gh = axisGeometry(xs.shape[1], kh, stride, padding);
  const gw = axisGeometry(xs.shape[2], kw, stride, padding);
  return [inputGradient(dy, ws, gh, gw, stride), filterGradient(xs, dy, kh, kw, gh, gw, stride)];
}

/** One custom-gradient op (a closure: cheap to build per call). */
function convOp(stride: number, padding: Conv2dPadding): ConvFn {
  return tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([x, w]);
    return {
      value: tf.conv2d(x, w, stride, padding),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => convGradients(dy as tf.Tensor4D, saved, stride, padding),
    };
  }) as Parameters<typeof tf.customGrad>[0]) as unknown as ConvFn;
}

/** The bias gradient: dy summed over batch and positions, in one pass where the backend allows. */
function biasGradient(dy: tf.Tensor4D): tf.Tensor1D {
  const [n, h, w, c] = dy.shape;
  return columnSum(tf.reshape(dy, [n * h * w, c]) as tf.Tensor2D);
}

function convBiasOp(stride: number, padding: Conv2dPadding): ConvBiasFn {
  return tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, b, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc];
    save([x, w]);
    return {
      // XNNPACK adds the bias inside the convolution (the operator is rebuilt every step anyway, the filter being new).
      value: tf.fused.conv2d({ x, filter: w, bias: b, strides: stride, pad: padding }),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [...convGradients(dy as tf.Tensor4D, saved, stride, padding), biasGradient(dy as tf.Tensor4D)],
    };
  }) as Parameters<typeof tf.customGrad>[0]) as unknown as ConvBiasFn;
}

function checkArgs(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, padding: Conv2dPadding): void {
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`conv2d: stride must be a positive integer, got ${stride}`);
  if (x.rank !== 4 || filter.rank !== 4) throw new Error(`conv2d: expected x [n, h, w, cin] and filter [kh, kw, cin, cout], got [${x.shape}] and [${filter.shape}]`);
  if (x.shape[3] !== filter.shape[2]) throw new Error(`conv2d: input has ${x.shape[3]} channels, filter expects ${filter.shape[2]}`);
  if (padding === 'valid' && (x.shape[1] < filter.shape[0] || x.shape[2] < filter.shape[1])) {
    throw new Error(`conv2d: 'valid' needs an input at least the filter's size, got [${x.shape}] and [${filter.shape}]`);
  }
}

/**
 * conv2d(x, filter) + bias ([cout], added at every position) as one op: the
 * bias is added inside the convolution, and its gradient is one pass over dy.
 */
export function conv2dWithBias(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, options: Conv2dOptions = {}): tf.Tensor4D {
  const stride = options.stride ?? 1;
  const padding = options.padding ?? 'same';
  checkArgs(x, filter, stride, padding);
  if (bias.rank !== 1 || bias.shape[0] !== filter.shape[3]) throw new Error(`conv2d: bias of shape [${bias.shape}] for ${filter.shape[3]} output channels`);
  return convBiasOp(stride, padding)(x, filter, bias);
}

/**
 * y = conv2d(x, filter): x [n, h, w, cin] (NHWC), filter [kh, kw, cin, cout]
 * -> [n, ho, wo, cout], with ho = ceil(h / stride) ('same') or
 * floor((h - kh) / stride) + 1 ('valid'). Same values as `tf.conv2d`; its
 * gradient runs as forward convolutions on every backend (see above).
 */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, options: Conv2dOptions = {}): tf.Tensor4D {
  const stride = options.stride ?? 1;
  const padding = options.padding ?? 'same';
  checkArgs(x, filter, stride, padding);
  return convOp(stride, padding)(x, filter);
}

/** Multiply-adds x 2 of one forward pass (each gradient costs the same, counting the stride's zeros once). */
export function conv2dFlops(xShape: readonly number[], filterShape: readonly number[], options: Conv2dOptions = {}): number {
  const stride = options.stride ?? 1;
  const padding = options.padding ?? 'same';
  const [n, h, w] = xShape as [number, number, number];
  const [kh, kw, cin, cout] = filterShape as [number, number, number, number];
  const ho = axisGeometry(h, kh, stride, padding).outSize;
  const wo = axisGeometry(w, kw, stride, padding).outSize;
  return 2 * n * ho * wo * kh * kw * cin * cout;
}
