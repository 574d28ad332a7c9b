import * as tf from '@tensorflow/tfjs-core';

/**
 * Workarounds for tfjs-backend-webgpu kernels, installed once the backend is
 * loaded.
 *
 * PadV2 of rank 5 or 6: tfjs's shader indexes its vec5/vec6 stand-in types,
 * which WGSL rejects ("cannot index type 'vec5'"); the strided conv2d's
 * gradient pads a rank-5 view. Such a pad is rewritten at rank <= 4 (see
 * mergePadAxes). (MirrorPad and Reverse fail the same way at rank 5 and 6;
 * nothing here uses them at that rank.)
 *
 * AddN: tfjs's webgpu kernel binds every input as a storage buffer of one
 * shader, so it fails (a validation error) with more inputs than the device's
 * maxStorageBuffersPerShaderStage - 1: 7 at WebGPU's default limit, 15 at a
 * typical adapter's. The global gradient norm sums one term per parameter
 * tensor (a U-Net has hundreds), so larger sums are done as a tree of sums
 * of at most that many inputs.
 */

interface WebGpuBackendLimits {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  disposeData(dataId: object): boolean;
}

type Pad = [number, number];

/**
 * The same constant pad at lower rank: runs of unpadded axes are merged, and
 * a padded axis is merged with the unpadded axes after it (padding axis i of
 * a row-major array by (b, a) pads the merged axis by (b P, a P), P the size
 * of those trailing axes).
 */
export function mergePadAxes(shape: readonly number[], paddings: readonly Pad[]): { shape: number[]; paddings: Pad[] } {
  const merged: number[] = [];
  const pads: Pad[] = [];
  shape.forEach((size, i) => {
    const [before, after] = paddings[i]!;
    const padded = before !== 0 || after !== 0;
    if (i === 0 || padded) {
      merged.push(size);
      pads.push([before, after]);
    } else {
      merged[merged.length - 1]! *= size;
      const last = pads[pads.length - 1]!;
      pads[pads.length - 1] = [last[0] * size, last[1] * size];
    }
  });
  return { shape: merged, paddings: pads };
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

function installPadWorkaround(): void {
  const original = tf.getKernel(tf.PadV2, 'webgpu');
  const reshapeKernel = tf.getKernel(tf.Reshape, 'webgpu');
  if (original === undefined || reshapeKernel === undefined) return;
  tf.unregisterKernel(tf.PadV2, 'webgpu');
  const pad = original.kernelFunc as (args: KernelArgs) => tf.TensorInfo;
  const reshape = reshapeKernel.kernelFunc as (args: KernelArgs) => tf.TensorInfo;
  tf.registerKernel({
    kernelName: tf.PadV2,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { paddings, constantValue } = args.attrs as unknown as { paddings: Pad[]; constantValue: number };
      if (x.shape.length <= 4) return pad(args as KernelArgs);
      const kernelBackend = args.backend as tf.KernelBackend;
      const backend = args.backend as unknown as WebGpuBackendLimits;
      const temps: tf.TensorInfo[] = [];
      const view = (t: tf.TensorInfo, shape: number[]) => {
        const r = reshape({ inputs: { x: t }, backend: kernelBackend, attrs: { shape } });
        temps.push(r);
        return r;
      };
      const m = mergePadAxes(x.shape, paddings);
      let current = view(x, m.shape);
      let shape = m.shape;
      if (m.shape.length <= 4) {
        current = pad({ inputs: { x: current }, backend: kernelBackend, attrs: { paddings: m.paddings, constantValue } });
        temps.push(current);
      } else {
        // Still too many padded axes: one rank-3 pad per axis, [before, axis, after].
        m.paddings.forEach(([before, after], axis) => {
          if (before === 0 && after === 0) return;
          const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
          const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
          const padded = pad({ inputs: { x: view(current, [outer, shape[axis]!, inner]) }, backend: kernelBackend, attrs: { paddings: [[0, 0], [before, after], [0, 0]], constantValue } });
          temps.push(padded);
          shape = shape.map((s, i) => (i === axis ? s + before + after : s));
          current = padded;
        });
      }
      const outShape = x.shape.map((s, i) => s + paddings[i]![0] + paddings[i]![1]);
      const result = reshape({ inputs: { x: current }, backend: kernelBackend, attrs: { shape: outShape } });
      for (const t of temps) backend.disposeData(t.dataId);
      return result;
    },
  });
}

export function installWebGpuKernelWorkarounds(): void {
  installPadWorkaround();
  installAddNWorkaround();
}

function installAddNWorkaround(): void {
  const original = tf.getKernel(tf.AddN, 'webgpu');
  if (original === undefined) return;
  tf.unregisterKernel(tf.AddN, 'webgpu');
  const addN = original.kernelFunc;
  tf.registerKernel({
    kernelName: tf.AddN,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const inputs = args.inputs as unknown as tf.TensorInfo[];
      const backend = args.backend as unknown as WebGpuBackendLimits;
      // One storage buffer is the output.
      const most = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
      if (inputs.length <= most) return addN(args);
      const partials: tf.TensorInfo[] = [];
      let level = inputs;
      while (level.length > most) {
        const next: tf.TensorInfo[] = [];
        for (let i = 0; i < level.length; i += most) {
          const chunk = level.slice(i, i + most);
          if (chunk.length === 1) {
            next.push(chunk[0]!);
            continue;
          }
          const sum = addN({ ...args, inputs: chunk as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
          partials.push(sum);
          next.push(sum);
        }
        level = next;
      }
      const result = addN({ ...args, inputs: level as unknown as tf.NamedTensorInfoMap });
      for (const partial of partials) backend.disposeData(partial.dataId);
      return result;
    },
  });
}
