import * as tf from '@tensorflow/tfjs-core';
import { fastExp } from '../metrics/fast-exp.js';
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
 * Forward writes y and the statistics [n, groups, 2] (mean, 1/std); backward
 * recomputes zhat from x and the statistics instead of keeping it. Sums are in
 * float64.
 */

const FORWARD = 'ScoreSdeGroupNorm';
const BACKWARD = 'ScoreSdeGroupNormGrad';

export interface GroupNormAttrs {
  groups: number;
  eps: number;
  silu: boolean;
}

type Attrs = GroupNormAttrs & tf.NamedAttrMap;

function sigmoid(v: number): number {
  return 1 / (1 + fastExp(-v));
}

function dims(info: tf.TensorInfo, groups: number) {
  const [n, h, w, c] = info.shape as [number, number, number, number];
  return { n, positions: h * w, c, m: c / groups, count: h * w * (c / groups) };
}

function forward(memory: HostMemory, inputs: tf.NamedTensorInfoMap, a: GroupNormAttrs): tf.TensorInfo[] {
  const xInfo = inputs['x']!;
  const { n, positions, c, m, count } = dims(xInfo, a.groups);
  const yOut = memory.allocate(xInfo.shape);
  const statsOut = memory.allocate([n, a.groups, 2]);
  // Every view is taken after the last allocation: a heap growth detaches older ones.
  const y = memory.read(yOut.info);
  const stats = memory.read(statsOut.info);
  const x = memory.read(xInfo);
  const gamma = memory.read(inputs['gamma']!);
  const beta = memory.read(inputs['beta']!);
  const shift = memory.read(inputs['shift']!);
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  const scale = new Float64Array(c);
  const offset = new Float64Array(c);
  for (let b = 0; b < n; b++) {
    sum.fill(0);
    sq.fill(0);
    const base = b * positions * c;
    const sh = b * c;
    for (let p = 0; p < positions; p++) {
      const row = base + p * c;
      for (let ch = 0; ch < c; ch++) {
        const v = x[row + ch]! + shift[sh + ch]!;
        sum[ch] += v;
        sq[ch] += v * v;
      }
    }
    for (let g = 0; g < a.groups; g++) {
      let s = 0;
      let q = 0;
      for (let ch = g * m; ch < (g + 1) * m; ch++) {
        s += sum[ch]!;
        q += sq[ch]!;
      }
      const mean = s / count;
      const rstd = 1 / Math.sqrt(Math.max(0, q / count - mean * mean) + a.eps);
      stats[2 * (b * a.groups + g)] = mean;
      stats[2 * (b * a.groups + g) + 1] = rstd;
      // y = (x + shift - mean) rstd gamma + beta = x scale + offset.
      for (let ch = g * m; ch < (g + 1) * m; ch++) {
        scale[ch] = rstd * gamma[ch]!;
        offset[ch] = (shift[sh + ch]! - mean) * scale[ch]! + beta[ch]!;
      }
    }
    for (let p = 0; p < positions; p++) {
      const row = base + p * c;
      for (let ch = 0; ch < c; ch++) {
        const z = x[row + ch]! * scale[ch]! + offset[ch]!;
        y[row + ch] = a.silu ? z * sigmoid(z) : z;
      }
    }
  }
  return [yOut.info, statsOut.info];
}

function backward(memory: HostMemory, inputs: tf.NamedTensorInfoMap, a: GroupNormAttrs): tf.TensorInfo[] {
  const xInfo = inputs['x']!;
  const { n, positions, c, m, count } = dims(xInfo, a.groups);
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
  const dgamma = new Float64Array(c);
  const dbeta = new Float64Array(c);
  const sumG = new Float64Array(c);
  const sumGX = new Float64Array(c);
  const mean = new Float64Array(c);
  const rstd = new Float64Array(c);
  const coefA = new Float64Array(c);
  const coefB = new Float64Array(c);
  const ds = new Float64Array(c);
  for (let b = 0; b < n; b++) {
    const base = b * positions * c;
    const sh = b * c;
    for (let g = 0; g < a.groups; g++) {
      for (let ch = g * m; ch < (g + 1) * m; ch++) {
        mean[ch] = stats[2 * (b * a.groups + g)]! - shift[sh + ch]!;
        rstd[ch] = stats[2 * (b * a.groups + g) + 1]!;
      }
    }
    sumG.fill(0);
    sumGX.fill(0);
    // Pass 1: g = d(output)/d(zhat) into dx, and the per-group sums of g and g zhat.
    for (let p = 0; p < positions; p++) {
      const row = base + p * c;
      for (let ch = 0; ch < c; ch++) {
        const xhat = (x[row + ch]! - mean[ch]!) * rstd[ch]!;
        let dz = dy[row + ch]!;
        if (a.silu) {
          const z = xhat * gamma[ch]! + beta[ch]!;
          const s = sigmoid(z);
          // silu'(z) = s (1 + z (1 - s)).
          dz *= s * (1 + z * (1 - s));
        }
        dgamma[ch] += dz * xhat;
        dbeta[ch] += dz;
        const gv = dz * gamma[ch]!;
        dx[row + ch] = gv;
        sumG[ch] += gv;
        sumGX[ch] += gv * xhat;
      }
    }
    for (let g = 0; g < a.groups; g++) {
      let sg = 0;
      let sgx = 0;
      for (let ch = g * m; ch < (g + 1) * m; ch++) {
        sg += sumG[ch]!;
        sgx += sumGX[ch]!;
      }
      for (let ch = g * m; ch < (g + 1) * m; ch++) {
        coefA[ch] = sg / count;
        coefB[ch] = sgx / count;
      }
    }
    // Pass 2: dx = rstd (g - mean(g) - zhat mean(g zhat)); the shift's gradient sums it over positions.
    ds.fill(0);
    for (let p = 0; p < positions; p++) {
      const row = base + p * c;
      for (let ch = 0; ch < c; ch++) {
        const xhat = (x[row + ch]! - mean[ch]!) * rstd[ch]!;
        const v = rstd[ch]! * (dx[row + ch]! - coefA[ch]! - xhat * coefB[ch]!);
        dx[row + ch] = v;
        ds[ch] += v;
      }
    }
    for (let ch = 0; ch < c; ch++) dshift[sh + ch] = ds[ch]!;
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
    const [y, stats] = tf.engine().runKernel(FORWARD, { x: xi, gamma: g, beta: b, shift: s }, a) as tf.Tensor[];
    save([xi, g, b, s, stats!]);
    return {
      value: y as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, gs, bs, ss, st] = saved;
        return tf.engine().runKernel(BACKWARD, { dy: dy as tf.Tensor, x: xs!, gamma: gs!, beta: bs!, shift: ss!, stats: st! }, a) as tf.Tensor[];
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]) as unknown as Op;
  return op(x, gamma, beta, shift);
}
