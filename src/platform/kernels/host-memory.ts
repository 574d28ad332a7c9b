import * as tf from '@tensorflow/tfjs-core';

/**
 * Direct access to tensor memory on the backends that keep tensors in CPU
 * memory (wasm: the module's heap; cpu: typed arrays), so that a few
 * memory-bound kernels can run as plain loops instead of tfjs's generic ones.
 */
export const HOST_MEMORY_BACKENDS = ['wasm', 'cpu'] as const;
type HostBackendName = (typeof HOST_MEMORY_BACKENDS)[number];

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

interface CpuBackendLike {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

export interface HostMemory {
  /** A float32 view of a tensor's values (read-only by contract: inputs are shared). */
  read(info: tf.TensorInfo): Float32Array;
  /** A new float32 output tensor and a writable view of its values. */
  allocate(shape: number[]): { info: tf.TensorInfo; values: Float32Array };
}

function wasmMemory(backend: WasmBackendLike): HostMemory {
  return {
    read: (info) => backend.typedArrayFromHeap(info),
    allocate(shape) {
      const info = backend.makeOutput(shape, 'float32');
      // Views are taken after the allocation: a heap growth would detach older ones.
      return { info, values: backend.typedArrayFromHeap(info) };
    },
  };
}

function cpuMemory(backend: CpuBackendLike): HostMemory {
  return {
    read: (info) => backend.data.get(info.dataId).values,
    allocate(shape) {
      const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
      return { info: backend.makeTensorInfo(shape, 'float32', values), values };
    },
  };
}

export function hostMemory(name: HostBackendName, backend: unknown): HostMemory {
  return name === 'wasm' ? wasmMemory(backend as WasmBackendLike) : cpuMemory(backend as CpuBackendLike);
}

export function isHostMemoryBackend(name: string): name is HostBackendName {
  return (HOST_MEMORY_BACKENDS as readonly string[]).includes(name);
}

/**
 * Registers `kernel` for every host-memory backend. tfjs's kernel registry is
 * per tfjs-core instance; registering twice (a module evaluated again) is skipped.
 */
export function registerHostKernel(
  kernelName: string,
  kernel: (memory: HostMemory, inputs: tf.NamedTensorInfoMap) => tf.TensorInfo,
): void {
  for (const backendName of HOST_MEMORY_BACKENDS) {
    if (tf.getKernel(kernelName, backendName) !== undefined) continue;
    tf.registerKernel({
      kernelName,
      backendName,
      kernelFunc: ({ inputs, backend }) => kernel(hostMemory(backendName, backend), inputs),
    });
  }
}
