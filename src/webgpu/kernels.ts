import * as tf from '@tensorflow/tfjs-core';

/**
 * Workarounds for tfjs-backend-webgpu kernels, installed once the backend is
 * loaded.
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

export function installWebGpuKernelWorkarounds(): void {
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
