import { GROUP_NORM_EPS } from '../../models/group-norm.js';
import { fourierFrequencies } from '../../models/time-features.js';
import type { UnetConfig } from '../../models/unet.js';

/** Layouts of the U-Net's tensors, by the last parts of their names. */
export function unetLayout(name: string): string {
  if (name.startsWith('time/') || name.endsWith('/time/kernel') || name.endsWith('/time/bias') || name.includes('/attention/qkv/') || name.includes('/attention/out/')) {
    if (name.endsWith('/bias')) return '[out]: added after the product';
    if (name.includes('/attention/qkv/')) {
      return '[c, 3c], row-major: qkv = h @ kernel; columns [0, c) queries, [c, 2c) keys, [2c, 3c) values (PyTorch nn.Linear.weight is its transpose)';
    }
    return '[in, out], row-major: y = x @ kernel (PyTorch nn.Linear.weight is its transpose)';
  }
  if (name.endsWith('/gamma')) return '[c]: group-norm scale per channel (PyTorch nn.GroupNorm.weight)';
  if (name.endsWith('/beta')) return '[c]: group-norm shift per channel (PyTorch nn.GroupNorm.bias)';
  if (name.endsWith('/kernel')) {
    return '[kh, kw, cin, cout] (HWIO, TensorFlow / flax layout) on NHWC maps; PyTorch nn.Conv2d.weight = kernel.permute(3, 2, 0, 1)';
  }
  return '[cout]: added to every position after the convolution';
}

/** The U-Net's forward pass, step by step (models/unet.ts, models/unet-blocks.ts). */
export function unetForward(b: UnetConfig): string[] {
  const [h, w, c] = b.imageShape;
  const L = b.channels.length;
  const levels = b.channels.map((ch, l) => `level ${l}: ${ch} channels`).join(', ');
  return [
    `x: [n, ${b.dim}] images, each a row-major ${h} x ${w} x ${c} array (NHWC), reshaped to [n, ${h}, ${w}, ${c}]; tau: noise level (one per row)`,
    `omega = constants.omega (${b.timeFrequencies} angular frequencies: 2 pi f_k, f_k geometric from 0.5 to maxFrequency)`,
    'emb = silu(silu([sin(tau omega), cos(tau omega)] @ time/dense0/kernel + time/dense0/bias) @ time/dense1/kernel + time/dense1/bias)   ([n, embedDim]; the outer silu is applied once, here)',
    `conv(h, P, stride) = 2-D cross-correlation of h with P/kernel plus P/bias, TensorFlow 'SAME' padding: output size ceil(size / stride), total padding max((out - 1) stride + k - size, 0) split floor(half) before and the rest after (3x3 stride 1: 1 on each side, as PyTorch padding=1; 3x3 stride 2 on an even size: 0 before, 1 after, i.e. F.pad(h, (0, 1, 0, 1)) then padding=0)`,
    `norm(h, P, groups) = group normalisation (PyTorch nn.GroupNorm): channels split into contiguous groups, each normalised over its channels and all positions with the biased variance and eps = ${GROUP_NORM_EPS}, then * P/gamma + P/beta`,
    'res(h, P): a = conv(silu(norm(h, P/norm1, groups)), P/conv1, 1) + (emb @ P/time/kernel + P/time/bias) per channel; ' +
      'out = shortcut + conv(silu(norm(a, P/norm2, groups)), P/conv2, 1), shortcut = h if P/skip is absent, else h @ P/skip (a 1x1 convolution: P/skip/kernel [1, 1, cin, cout] plus P/skip/bias)',
    'attn(h, P): hn = norm(h, P/norm, groups) as [n, positions, c]; [q | k | v] = hn @ P/qkv/kernel + P/qkv/bias; out = h + (softmax(q k^T / sqrt(c)) v) @ P/out/kernel + P/out/bias   (one head, softmax over keys)',
    `groups = ${b.groups}; where a block's input is the concatenation [h, skip] (up path), its norm1 is over the concatenated channels, in that order`,
    `${levels}; level l works at size ceil(${h} / 2^l) x ceil(${w} / 2^l)`,
    `h = conv(x_in, in/conv, 1)   (x_in = c_in(tau) x, see below)`,
    `for l in 0..${L - 1}: for b in 0..${b.blocksPerLevel - 1}: h = res(h, down{l}/res{b}); keep h as skip (l, b); then, if l < ${L - 1}: h = conv(h, down{l}/downsample, 2)`,
    `h = res(h, mid/res0)${b.attention ? '; h = attn(h, mid/attention)' : ''}; h = res(h, mid/res1)`,
    `for l in ${L - 1}..0: for b in 0..${b.blocksPerLevel - 1}: h = res(concat([h, skip (l, ${b.blocksPerLevel - 1} - b)], channel axis), up{l}/res{b}); then, if l > 0: h = conv(nearest-neighbour 2x upsampling of h, cropped to level l-1's size from the top-left, up{l}/upsample, 1)`,
    `out = conv(silu(norm(h, out/norm, groups)), out/conv, 1), reshaped to [n, ${b.dim}]`,
  ];
}

export function unetConstants(b: UnetConfig): Record<string, number[]> {
  return { omega: Array.from(fourierFrequencies(b.timeFrequencies, b.maxFrequency)) };
}
