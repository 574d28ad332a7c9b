import * as tf from '@tensorflow/tfjs-core';
import { HOST_MEMORY_BACKENDS, hostMemory, isHostMemoryBackend, type HostMemory } from './host-memory.js';

/**
 * Group normalisation (+ SiLU) of NHWC maps as two plain loops over memory on
 * the wasm and cpu backends: tfjs builds it from a dozen generic ops (means
 * over non-innermost axes transpose first, every broadcast is a pass), each a
 * full pass over a map that at 64 x 28 x 28 x 32 is 6 MB.
 *
 *   z = x + shift[n, c]                     (a per-example, per-channel shift: the time embedding)
 *   zhat = (z - mean_g) / sqrt(var_g + eps)  (mean and biased variance over each group's channels and all positions)
 *   y = act(zhat gamma[c] + beta[c]),  act = silu or identity
 *
 * The forward kernel writes zhat gamma + beta and the statistics [n, groups,
 * 2] (mean, 1/std); SiLU is then tfjs's own sigmoid (vectorised, faster
 * than an exponential in a JS loop) and a product, and its sigmoid is kept for
 * the backward kernel, which recomputes zhat from x and the statistics. Sums
 * are in float64.
 */

const FORWARD = 'ScoreSdeGroupNorm';
const BACKWARD = 'ScoreSdeGroupNormGrad';

export interface GroupNormAttrs {
  groups: number;
  eps: number;
  silu: boolean;
}

type Attrs = GroupNormAttrs & tf.NamedAttrMap;

function dims(info: tf.TensorInfo, groups: number) {
  const [n, h, w, c] = info.shape as [number, number, number, number];
  return { n, positions: h * w, c, m: c / groups, count: h * w * (c / groups) };
}

// The loops run channel by channel within each example (stride c through
// that example's block, which stays in cache), so each channel's constants
// are locals: faster than position-outer loops indexing per-channel arrays
// (docs/measurements.md).

function forward(memory: HostMemory, inputs: tf.NamedTensorInfoMap, attrs: GroupNormAttrs): tf.TensorInfo[] {
  const xInfo = inputs['x']!;
  const groups = attrs.groups;
  const eps = attrs.eps;
  const { n, positions, c, m, count } = dims(xInfo, groups);
  const yOut = memory.allocate(xInfo.shape);
  const statsOut = memory.allocate([n, groups, 2]);
  // Every view is taken after the last allocation: a heap growth detaches older ones.
  const y = memory.read(yOut.info);
  const stats = memory.read(statsOut.info);
  const x = memory.read(xInfo);
  const gamma = memory.read(inputs['gamma']!);
  const beta = memory.read(inputs['beta']!);
  const shift = memory.read(inputs['shift']!);
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  const block = positions * c;
  for (let b = 0; b < n; b++) {
    const base = b * block;
    const end = base + block;
    const sh = b * c;
    for (let ch = 0; ch < c; ch++) {
      const s0 = shift[sh + ch]!;
      let s = 0;
      let q = 0;
      for (let i = base + ch; i < end; i += c) {
        const v = x[i]! + s0;
        s += v;
        q += v * v;
      }
      sum[ch] = s;
      sq[ch] = q;
    }
    for (let g = 0; g < groups; g++) {
      let s = 0;
      let q = 0;
      for (let ch = g * m; ch < (g + 1) * m; ch++) {
        s += sum[ch]!;
        q += sq[ch]!;
      }
      const mean = s / count;
      const rstd = 1 / Math.sqrt(Math.max(0, q / count - mean * mean) + eps);
      stats[2 * (b * groups + g)] = mean;
      stats[2 * (b * groups + g) + 1] = rstd;
      // y = (x + shift - mean) rstd gamma + beta = x scale + offset.
      for (let ch = g * m; ch < (g + 1) * m; ch++) {
        const scale = rstd * gamma[ch]!;
        const offset = (shift[sh + ch]! - mean) * scale + beta[ch]!;
        for (let i = base + ch; i < end; i += c) y[i] = x[i]! * scale + offset;
      }
    }
  }
  return [yOut.info, statsOut.info];
}

function backward(memory: HostMemory, inputs: tf.NamedTensorInfoMap, attrs: GroupNormAttrs): tf.TensorInfo[] {
  const xInfo = inputs['x']!;
  const groups = attrs.groups;
  const { n, positions, c, m, count } = dims(xInfo, groups);
  const dxOut = memory.allocate(xInfo.shape);
  const dgammaOut = memory.allocate([c]);
  const dbetaOut = memory.allocate([c]);
  const dshiftOut = memory.allocate([n, c]);
  // Every view is taken after the last allocation: a heap growth detaches older ones.
  const [dx, dgammaV, dbetaV, dshift] = [dxOut, dgammaOut, dbetaOut, dshiftOut].map((o) => memory.read(o.info)) as Float32Array[];
  const dy = memory.read(inputs['dy']!);
  const x = memory.read(xInfo);
  const gamma = memory.read(inputs['gamma']!);
  const beta = memory.read(inputs['beta']!);
  const shift = memory.read(inputs['shift']!);
  const stats = memory.read(inputs['stats']!);
  // With SiLU: its sigmoid, saved by the forward pass.
  const sigInfo = inputs['sig'];
  const sig = sigInfo ? memory.read(sigInfo) : null;
  const dgamma = new Float64Array(c);
  const dbeta = new Float64Array(c);
  const sumG = new Float64Array(c);
  const sumGX = new Float64Array(c);
  const block = positions * c;
  for (let b = 0; b < n; b++) {
    const base = b * block;
    const end = base + block;
    const sh = b * c;
    // Pass 1: g = d(output)/d(zhat) into dx, and per-channel sums of g and g zhat.
    for (let ch = 0; ch < c; ch++) {
      const g0 = Math.floor(ch / m);
      const centre = stats[2 * (b * groups + g0)]! - shift[sh + ch]!;
      const rstd = stats[2 * (b * groups + g0) + 1]!;
      const gm = gamma[ch]!;
      const bt = beta[ch]!;
      let dgs = 0;
      let dbs = 0;
      let sg = 0;
      let sgx = 0;
      for (let i = base + ch; i < end; i += c) {
        const xhat = (x[i]! - centre) * rstd;
        let dz = dy[i]!;
        if (sig !== null) {
          const z = xhat * gm + bt;
          const s = sig[i]!;
          // silu'(z) = s (1 + z (1 - s)).
          dz *= s * (1 + z * (1 - s));
        }
        dgs += dz * xhat;
        dbs += dz;
        const gv = dz * gm;
        dx[i] = gv;
        sg += gv;
        sgx += gv * xhat;
      }
      dgamma[ch] += dgs;
      dbeta[ch] += dbs;
      sumG[ch] = sg;
      sumGX[ch] = sgx;
    }
    // Pass 2: dx = rstd (g - mean(g) - zhat mean(g zhat)) over each group; the shift's gradient sums it over positions.
    for (let g = 0; g < groups; g++) {
      let sg = 0;
      let sgx = 0;
      for (let ch = g * m; ch < (g + 1) * m; ch++) {
        sg += sumG[ch]!;
        sgx += sumGX[ch]!;
      }
      const meanG = sg / count;
      const meanGX = sgx / count;
      const rstd = stats[2 * (b * groups + g) + 1]!;
      for (let ch = g * m; ch < (g + 1) * m; ch++) {
        const centre = stats[2 * (b * groups + g)]! - shift[sh + ch]!;
        let ds = 0;
        for (let i = base + ch; i < end; i += c) {
          const xhat = (x[i]! - centre) * rstd;
          const v = rstd * (dx[i]! - meanG - xhat * meanGX);
          dx[i] = v;
          ds += v;
        }
        dshift[sh + ch] = ds;
      }
    }
  }
  dgammaV.set(dgamma);
  dbetaV.set(dbeta);
  return [dxOut.info, dgammaOut.info, dbetaOut.info, dshiftOut.info];
}

for (const backendName of HOST_MEMORY_BACKENDS) {
  for (const [kernelName, fn] of [
    [FORWARD, forward],
    [BACKWARD, backward],
  ] as const) {
    if (tf.getKernel(kernelName, backendName) !== undefined) continue;
    tf.registerKernel({
      kernelName,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => fn(hostMemory(backendName, backend), inputs, attrs as unknown as GroupNormAttrs),
    });
  }
}

type Op = (x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, shift: tf.Tensor2D) => tf.Tensor4D;

/** True where the host-memory kernels run (wasm, cpu); elsewhere use the tensor-op formula. */
export function hasHostGroupNorm(): boolean {
  return isHostMemoryBackend(tf.getBackend());
}

/**
 * The host-memory group norm as a differentiable op (first derivatives only:
 * its backward is itself a kernel without a gradient). x [n, h, w, c] float32,
 * gamma and beta [c], shift [n, c].
 */
export function groupNormHost(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, shift: tf.Tensor2D, attrs: GroupNormAttrs): tf.Tensor4D {
  const a = attrs as Attrs;
  const op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, g, b, s, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor2D, tf.GradSaveFunc];
    const [z, stats] = tf.engine().runKernel(FORWARD, { x: xi, gamma: g, beta: b, shift: s }, a) as [tf.Tensor4D, tf.Tensor];
    const sigmoid = a.silu ? tf.sigmoid(z) : null;
    save(sigmoid ? [xi, g, b, s, stats, sigmoid] : [xi, g, b, s, stats]);
    return {
      value: sigmoid ? (tf.mul(z, sigmoid) as tf.Tensor4D) : z,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, gs, bs, ss, st, sg] = saved;
        const inputs = { dy: dy as tf.Tensor, x: xs!, gamma: gs!, beta: bs!, shift: ss!, stats: st!, ...(sg ? { sig: sg } : {}) };
        return tf.engine().runKernel(BACKWARD, inputs, a) as tf.Tensor[];
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]) as unknown as Op;
  return op(x, gamma, beta, shift);
}
