import * as tf from '@tensorflow/tfjs-core';
import { groupNormHost, hasHostGroupNorm } from '../src/platform/kernels/group-norm.js';

/** PyTorch's nn.GroupNorm default. */
export const GROUP_NORM_EPS = 1e-5;

export interface GroupNormOptions {
  groups: number;
  /** Apply SiLU to the normalised output (the pre-convolution pattern of a residual block). */
  silu: boolean;
  eps?: number;
  /** [n, c], added to x before normalising (a residual block's time embedding and conv bias). */
  shift?: tf.Tensor2D;
}

/**
 * Group normalisation of (x + shift) [n, h, w, c], then gamma, beta and
 * optionally SiLU: on the wasm and cpu backends two host-memory passes each
 * way (src/platform/kernels/group-norm.ts), elsewhere tensor ops with a closed-form
 * gradient. First derivatives only on the host-memory path.
 */
export function groupNorm(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, options: GroupNormOptions): tf.Tensor4D {
  const [n, , , c] = x.shape;
  if (c % options.groups !== 0) throw new Error(`groupNorm: ${c} channels do not split into ${options.groups} groups`);
  const eps = options.eps ?? GROUP_NORM_EPS;
  if (hasHostGroupNorm() && x.dtype === 'float32') {
    const shift = options.shift ?? (tf.zeros([n, c]) as tf.Tensor2D);
    return groupNormHost(x, gamma, beta, shift, { groups: options.groups, eps, silu: options.silu });
  }
  const shifted = options.shift ? (tf.add(x, tf.reshape(options.shift, [n, 1, 1, c])) as tf.Tensor4D) : x;
  return groupNormOps(shifted, gamma, beta, options);
}

type GroupNormFn = (x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor4D;

/**
 * Group normalisation of x [n, h, w, c] (NHWC): channels split into `groups`
 * contiguous groups (as nn.GroupNorm), each normalised over its channels and
 * all positions with the biased variance, then scaled by gamma and shifted by
 * beta per channel; optionally followed by SiLU. One custom-gradient op with
 * the closed-form backward
 *   dx = rstd (g - mean(g) - xhat mean(g xhat)),  g = dz gamma,
 * (means over each group) instead of autodiff's chain through the moments.
 * Built from differentiable ops. (The shift option is not read: groupNorm adds it.)
 */
export function groupNormOps(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, options: GroupNormOptions): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const { groups, silu } = options;
  const eps = options.eps ?? GROUP_NORM_EPS;
  if (c % groups !== 0) throw new Error(`groupNorm: ${c} channels do not split into ${groups} groups`);
  const grouped: [number, number, number, number] = [n, h * w, groups, c / groups];
  const axes = [1, 3];
  const op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, g, b, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const xr = tf.reshape(xi, grouped);
    const centred = tf.sub(xr, tf.mean(xr, axes, true));
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), axes, true), eps));
    const xhat = tf.reshape(tf.mul(centred, rstd), xi.shape) as tf.Tensor4D;
    const z = tf.add(tf.mul(xhat, g), b) as tf.Tensor4D;
    let value = z;
    if (silu) {
      const s = tf.sigmoid(z);
      value = tf.mul(z, s);
      save([xhat, rstd, g, s, value]);
    } else {
      save([xhat, rstd, g]);
    }
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xh, r, gm, s, y] = saved as [tf.Tensor4D, tf.Tensor, tf.Tensor1D, tf.Tensor?, tf.Tensor?];
        // silu'(z) = s + y (1 - s), with s = sigmoid(z), y = z s.
        const dz = silu ? tf.mul(dy as tf.Tensor, tf.add(s!, tf.sub(y!, tf.mul(y!, s!)))) : (dy as tf.Tensor);
        const dbeta = tf.sum(dz, [0, 1, 2]);
        const dgamma = tf.sum(tf.mul(dz, xh), [0, 1, 2]);
        const gr = tf.reshape(tf.mul(dz, gm), grouped);
        const xhr = tf.reshape(xh, grouped);
        const inner = tf.sub(tf.sub(gr, tf.mean(gr, axes, true)), tf.mul(xhr, tf.mean(tf.mul(gr, xhr), axes, true)));
        return [tf.reshape(tf.mul(inner, r), xh.shape), dgamma, dbeta];
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]) as unknown as GroupNormFn;
  return op(x, gamma, beta);
}

/** The same computation by plain autodiff: the reference for tests. */
export function groupNormReference(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, options: GroupNormOptions): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const shifted = options.shift ? tf.add(x, tf.reshape(options.shift, [n, 1, 1, c])) : x;
  const xr = tf.reshape(shifted, [n, h * w, options.groups, c / options.groups]);
  const { mean, variance } = tf.moments(xr, [1, 3], true);
  const xhat = tf.reshape(tf.div(tf.sub(xr, mean), tf.sqrt(tf.add(variance, options.eps ?? GROUP_NORM_EPS))), x.shape);
  const z = tf.add(tf.mul(xhat, gamma), beta) as tf.Tensor4D;
  return options.silu ? tf.mul(z, tf.sigmoid(z)) : z;
}
