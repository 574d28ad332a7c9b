import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { HOST_MEMORY_BACKENDS, hostMemory } from './kernels/host-memory.js';

/**
 * ResizeNearestNeighborGrad on the cpu and wasm backends, replacing tfjs's.
 * tfjs-backend-cpu 4.22.0 searches a window of dy around each input pixel for
 * the outputs it fed and gets it wrong (2x upsampling of 4 x 4 images: off by
 * up to 6 where the entries are of order 2), which the U-Net's upsampling
 * trains through; tfjs-backend-wasm's is right except with halfPixelCenters,
 * which it ignores. This one scatters dy back through the forward kernel's
 * own index map (the arithmetic of tfjs's ResizeNearestNeighbor), so it is
 * the exact transpose of the forward op; webgpu's is right and kept.
 */

/** Source index along one axis, as tfjs's forward computes it. */
function sourceIndex(out: number, ratio: number, inSize: number, alignCorners: boolean, halfPixelCenters: boolean): number {
  const frac = halfPixelCenters ? ratio * (out + 0.5) : ratio * out;
  let nearest = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
  if (halfPixelCenters) nearest = Math.max(0, nearest);
  return nearest;
}

function ratio(inSize: number, outSize: number, alignCorners: boolean): number {
  const effective = alignCorners && outSize > 1;
  return (effective ? inSize - 1 : inSize) / (effective ? outSize - 1 : outSize);
}

function resizeNearestNeighborGrad(
  memory: ReturnType<typeof hostMemory>,
  images: tf.TensorInfo,
  dy: tf.TensorInfo,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): tf.TensorInfo {
  const [batch, inH, inW, depth] = images.shape as [number, number, number, number];
  const [, outH, outW] = dy.shape as [number, number, number, number];
  // float64 accumulation: each input pixel sums up to (outH / inH) (outW / inW) terms.
  const acc = new Float64Array(batch * inH * inW * depth);
  const rows = Array.from({ length: outH }, (_, r) => sourceIndex(r, ratio(inH, outH, alignCorners), inH, alignCorners, halfPixelCenters));
  const cols = Array.from({ length: outW }, (_, c) => sourceIndex(c, ratio(inW, outW, alignCorners), inW, alignCorners, halfPixelCenters));
  const dyValues = memory.read(dy);
  let k = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outH; r++) {
      const rowBase = (b * inH + rows[r]!) * inW;
      for (let c = 0; c < outW; c++) {
        const base = (rowBase + cols[c]!) * depth;
        for (let d = 0; d < depth; d++) acc[base + d] += dyValues[k++]!;
      }
    }
  }
  const out = memory.allocate([batch, inH, inW, depth]);
  out.values.set(acc);
  return out.info;
}

for (const backendName of HOST_MEMORY_BACKENDS) {
  const original = tf.getKernel(tf.ResizeNearestNeighborGrad, backendName);
  if (original !== undefined) tf.unregisterKernel(tf.ResizeNearestNeighborGrad, backendName);
  tf.registerKernel({
    kernelName: tf.ResizeNearestNeighborGrad,
    backendName,
    // wasm binds its native function when the backend starts.
    ...(original?.setupFunc ? { setupFunc: original.setupFunc } : {}),
    kernelFunc: (args) => {
      const { images, dy } = args.inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
      const { alignCorners, halfPixelCenters } = args.attrs as unknown as { alignCorners: boolean; halfPixelCenters: boolean };
      // wasm's own kernel is right (and native) without half-pixel centres.
      if (backendName === 'wasm' && !halfPixelCenters && original !== undefined) return original.kernelFunc(args);
      return resizeNearestNeighborGrad(hostMemory(backendName, args.backend), images, dy, alignCorners, halfPixelCenters);
    },
  });
}
