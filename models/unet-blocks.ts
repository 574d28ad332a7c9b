import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../src/rng.js';
import { conv2d, conv2dWithBias } from './conv2d.js';
import { dense } from './dense.js';
import { groupNorm } from './group-norm.js';
import type { ParameterList } from './init.js';

/** A convolution's kernel [kh, kw, cin, cout] and bias [cout]. */
export interface ConvParams {
  kernel: tf.Variable;
  bias: tf.Variable;
}

export function createConv(list: ParameterList, prefix: string, rng: Rng, k: number, cin: number, cout: number, zero = false): ConvParams {
  const shape = [k, k, cin, cout];
  return {
    kernel: zero ? list.zeros(`${prefix}/kernel`, shape) : list.glorot(`${prefix}/kernel`, rng, shape, k * k * cin, k * k * cout),
    bias: list.zeros(`${prefix}/bias`, [cout]),
  };
}

/** 'same' convolution (TensorFlow's padding rule) plus bias. */
export function conv(x: tf.Tensor4D, p: ConvParams, stride = 1): tf.Tensor4D {
  return conv2dWithBias(x, p.kernel as tf.Tensor4D, p.bias as tf.Tensor1D, { stride });
}

/**
 * sum_i conv(parts[i], kernel[:, :, slice i, :]) (+ bias): a convolution of the
 * parts' channel concatenation without forming it.
 */
function convOfParts(parts: tf.Tensor4D[], kernel: tf.Variable, bias: tf.Variable | null): tf.Tensor4D {
  let out: tf.Tensor4D | null = null;
  let offset = 0;
  for (const [i, part] of parts.entries()) {
    const c = part.shape[3];
    const k = (parts.length === 1 ? kernel : tf.slice(kernel, [0, 0, offset, 0], [-1, -1, c, -1])) as tf.Tensor4D;
    // The bias goes in once, with the first part.
    const y = i === 0 && bias ? conv2dWithBias(part, k, bias as tf.Tensor1D) : conv2d(part, k);
    out = out ? (tf.add(out, y) as tf.Tensor4D) : y;
    offset += c;
  }
  return out!;
}

export interface NormParams {
  gamma: tf.Variable;
  beta: tf.Variable;
}

export function createNorm(list: ParameterList, prefix: string, c: number): NormParams {
  return { gamma: list.ones(`${prefix}/gamma`, [c]), beta: list.zeros(`${prefix}/beta`, [c]) };
}

export interface ResBlockParams {
  cin: number;
  cout: number;
  norm1: NormParams;
  conv1: ConvParams;
  /** Projection of the activated time embedding: kernel [embed, cout], bias [cout]. */
  time: { kernel: tf.Variable; bias: tf.Variable };
  norm2: NormParams;
  conv2: ConvParams;
  /** 1x1 convolution on the shortcut where cin != cout. */
  skip: ConvParams | null;
}

export function createResBlock(list: ParameterList, prefix: string, rng: Rng, cin: number, cout: number, embed: number): ResBlockParams {
  return {
    cin,
    cout,
    norm1: createNorm(list, `${prefix}/norm1`, cin),
    conv1: createConv(list, `${prefix}/conv1`, rng, 3, cin, cout),
    time: {
      kernel: list.glorot(`${prefix}/time/kernel`, rng, [embed, cout], embed, cout),
      bias: list.zeros(`${prefix}/time/bias`, [cout]),
    },
    norm2: createNorm(list, `${prefix}/norm2`, cout),
    // Zero: each block starts as its shortcut.
    conv2: createConv(list, `${prefix}/conv2`, rng, 3, cout, cout, true),
    skip: cin === cout ? null : createConv(list, `${prefix}/skip`, rng, 1, cin, cout),
  };
}

/**
 * Residual block on the channel-concatenation of `parts` (the U-Net's
 * up-path joins its input with the skip connection):
 *   h = conv1(silu(norm1(x))) + time(emb)
 *   out = shortcut(x) + conv2(silu(norm2(h)))
 * The concatenation is never formed: group normalisation acts group by group,
 * and the groups do not straddle the parts, so each part is normalised with
 * its own slice of gamma and beta, and conv1 and the shortcut are sums of
 * per-part products with slices of their kernels (same numbers, no copy).
 */
export function resBlock(parts: tf.Tensor4D[], embedAct: tf.Tensor2D, p: ResBlockParams, groups: number): tf.Tensor4D {
  const groupSize = p.cin / groups;
  const activated: tf.Tensor4D[] = [];
  let offset = 0;
  for (const part of parts) {
    const c = part.shape[3];
    if (c % groupSize !== 0) throw new Error(`resBlock: a part of ${c} channels splits a normalisation group of ${groupSize}`);
    const slice1 = (v: tf.Variable) => (parts.length === 1 ? v : tf.slice(v, [offset], [c])) as tf.Tensor1D;
    activated.push(groupNorm(part, slice1(p.norm1.gamma), slice1(p.norm1.beta), { groups: c / groupSize, silu: true }));
    offset += c;
  }
  if (offset !== p.cin) throw new Error(`resBlock: parts have ${offset} channels, the block takes ${p.cin}`);
  const h = convOfParts(activated, p.conv1.kernel, null);
  // conv1's bias and the time embedding are one per-example, per-channel shift, added inside norm2.
  const shift = tf.add(dense(embedAct, p.time.kernel as tf.Tensor2D, p.time.bias as tf.Tensor1D), p.conv1.bias) as tf.Tensor2D;
  const a2 = groupNorm(h, p.norm2.gamma as tf.Tensor1D, p.norm2.beta as tf.Tensor1D, { groups, silu: true, shift });
  const out = conv(a2, p.conv2);
  const base = p.skip ? convOfParts(parts, p.skip.kernel, p.skip.bias) : parts[0]!;
  return tf.add(base, out) as tf.Tensor4D;
}

/** Nearest-neighbour upsampling by 2, cropped to (height, width) (odd sizes of the down path). */
export function upsample(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  const up = tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w]);
  return 2 * h === height && 2 * w === width ? up : tf.slice(up, [0, 0, 0, 0], [-1, height, width, -1]);
}
