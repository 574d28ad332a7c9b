import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../src/rng.js';
import { attention, createAttention, type AttentionParams } from './attention.js';
import type { Backbone } from './backbone.js';
import { dense, denseActivation } from './dense.js';
import { groupNorm } from './group-norm.js';
import { ParameterList } from './init.js';
import { fourierFrequencies, timeFeatures } from './time-features.js';
import { conv, createConv, createNorm, createResBlock, resBlock, upsample, type ConvParams, type NormParams, type ResBlockParams } from './unet-blocks.js';

export interface UnetConfig {
  kind: 'unet';
  /** Data dimension: height x width x channels of the image, flattened row-major (NHWC). */
  dim: number;
  /** [height, width, channels] of the image. */
  imageShape: [number, number, number];
  /** Feature channels per resolution level; level l works at the image size / 2^l. */
  channels: number[];
  /** Residual blocks per level, on the way down and on the way up. */
  blocksPerLevel: number;
  /** Self-attention between the two residual blocks at the lowest resolution. */
  attention: boolean;
  /** Groups of every group normalisation (must divide every channel count; even, so that the up path's joins split cleanly). */
  groups: number;
  /** Width of the time embedding (the MLP on the Fourier features of tau). */
  embedDim: number;
  /** Number of Fourier frequencies of tau (2 features each). */
  timeFrequencies: number;
  maxFrequency: number;
}

/** The larger U-Net of the GPU recipe (the CPU recipe, the default of --target mnist, is IMAGE_TRAIN_DEFAULTS in src/config/recipes.ts). */
export const UNET_DEFAULTS = {
  channels: [32, 64, 64],
  blocksPerLevel: 1,
  attention: true,
  groups: 8,
} as const;

/** Why a config cannot be built, or null. */
export function unetConfigProblem(c: UnetConfig): string | null {
  const [h, w, ch] = c.imageShape;
  if (h * w * ch !== c.dim) return `imageShape ${h} x ${w} x ${ch} has ${h * w * ch} values, dim is ${c.dim}`;
  if (c.channels.length < 1) return 'channels: at least one level';
  if (c.groups % 2 !== 0) return `groups ${c.groups}: must be even`;
  const bad = c.channels.find((x) => x % c.groups !== 0);
  if (bad !== undefined) return `channels ${c.channels.join(',')}: ${bad} is not divisible by the ${c.groups} normalisation groups`;
  return null;
}

interface Level {
  down: ResBlockParams[];
  downsample: ConvParams | null;
  up: ResBlockParams[];
  upsample: ConvParams | null;
}

/**
 * U-Net on images flattened to [n, dim]: a 3x3 input convolution, then per
 * level `blocksPerLevel` residual blocks (group norm, SiLU, 3x3 convolutions,
 * the time embedding added to every block) and a stride-2 3x3 convolution to
 * the next level; at the lowest level residual block, optional self-attention,
 * residual block; then back up, each block joining the skip connection saved
 * at its level, nearest-neighbour upsampling + 3x3 convolution between levels;
 * group norm, SiLU and a 3x3 convolution to the image channels. Knows nothing
 * about processes or parameterisations.
 */
export function createUnet(config: UnetConfig, rng: Rng): Backbone {
  const problem = unetConfigProblem(config);
  if (problem) throw new Error(`U-Net config: ${problem}`);
  const [height, width, imageChannels] = config.imageShape;
  const { channels, blocksPerLevel: B, groups, embedDim: E } = config;
  const L = channels.length;
  const list = new ParameterList();
  const F = 2 * config.timeFrequencies;

  const time = {
    k0: list.glorot('time/dense0/kernel', rng, [F, E], F, E),
    b0: list.zeros('time/dense0/bias', [E]),
    k1: list.glorot('time/dense1/kernel', rng, [E, E], E, E),
    b1: list.zeros('time/dense1/bias', [E]),
  };
  const input = createConv(list, 'in/conv', rng, 3, imageChannels, channels[0]!);
  const levels: Level[] = [];
  let c = channels[0]!;
  for (let l = 0; l < L; l++) {
    const cl = channels[l]!;
    const down: ResBlockParams[] = [];
    for (let b = 0; b < B; b++) {
      down.push(createResBlock(list, `down${l}/res${b}`, rng, c, cl, E));
      c = cl;
    }
    const downsample = l + 1 < L ? createConv(list, `down${l}/downsample`, rng, 3, cl, cl) : null;
    levels.push({ down, downsample, up: [], upsample: null });
  }
  const cLow = channels[L - 1]!;
  const mid0 = createResBlock(list, 'mid/res0', rng, cLow, cLow, E);
  const midAttention: AttentionParams | null = config.attention ? createAttention(list, 'mid/attention', cLow, rng) : null;
  const mid1 = createResBlock(list, 'mid/res1', rng, cLow, cLow, E);
  for (let l = L - 1; l >= 0; l--) {
    const cl = channels[l]!;
    const level = levels[l]!;
    for (let b = 0; b < B; b++) level.up.push(createResBlock(list, `up${l}/res${b}`, rng, 2 * cl, cl, E));
    if (l > 0) level.upsample = createConv(list, `up${l}/upsample`, rng, 3, cl, channels[l - 1]!);
  }
  const outNorm: NormParams = createNorm(list, 'out/norm', channels[0]!);
  // Zero: the network starts at output 0.
  const output = createConv(list, 'out/conv', rng, 3, channels[0]!, imageChannels, true);
  const omega = tf.keep(tf.tensor2d(fourierFrequencies(config.timeFrequencies, config.maxFrequency), [1, config.timeFrequencies]));

  return {
    config,
    params: list.params,
    apply(x, tau) {
      const n = x.shape[0];
      const feat = timeFeatures(tau, omega);
      const emb = dense(denseActivation(feat, time.k0 as tf.Tensor2D, time.b0 as tf.Tensor1D, 'silu'), time.k1 as tf.Tensor2D, time.b1 as tf.Tensor1D);
      const embedAct = tf.mul(emb, tf.sigmoid(emb)) as tf.Tensor2D;
      let h = conv(tf.reshape(x, [n, height, width, imageChannels]), input);
      const skips: tf.Tensor4D[] = [];
      const sizes: [number, number][] = [];
      for (const level of levels) {
        for (const block of level.down) {
          h = resBlock([h], embedAct, block, groups);
          skips.push(h);
        }
        sizes.push([h.shape[1], h.shape[2]]);
        if (level.downsample) h = conv(h, level.downsample, 2);
      }
      h = resBlock([h], embedAct, mid0, groups);
      if (midAttention) h = attention(h, midAttention, groups);
      h = resBlock([h], embedAct, mid1, groups);
      for (let l = L - 1; l >= 0; l--) {
        const level = levels[l]!;
        for (const block of level.up) h = resBlock([h, skips.pop()!], embedAct, block, groups);
        if (level.upsample) {
          const [th, tw] = sizes[l - 1]!;
          h = conv(upsample(h, th, tw), level.upsample);
        }
      }
      h = conv(groupNorm(h, outNorm.gamma as tf.Tensor1D, outNorm.beta as tf.Tensor1D, { groups, silu: true }), output);
      return tf.reshape(h, [n, config.dim]) as tf.Tensor2D;
    },
    dispose() {
      omega.dispose();
      list.dispose();
    },
  };
}
