import * as tf from '@tensorflow/tfjs-core';
import { findAdapter, searchPointless, type AdapterLike, type DawnModule, type FoundAdapter } from './webgpu/adapter.js';
import { installWebGpuKernelWorkarounds } from './webgpu/kernels.js';
import { DawnTickTracker, type MappableBuffer } from './webgpu/read-sync.js';

/**
 * The webgpu backend under Node: @tensorflow/tfjs-backend-webgpu over Dawn's
 * native binding (the optional `webgpu` package), which reaches the GPU
 * through Vulkan, Metal or D3D12.
 *
 * tfjs registers its webgpu backend only where `navigator.gpu` exists and
 * picks the adapter itself; here the adapter is chosen first (so `auto` can
 * pass over software rasterisers), the backend is registered with a factory
 * that uses it, and `dataSync()` is given a Node implementation (tfjs's goes
 * through OffscreenCanvas).
 */

export interface WebGpuLoaded {
  /** The adapter, its API and feature level, for the start-up line. */
  device: string;
}

export type WebGpuAttempt = WebGpuLoaded | { problem: string };

type WebGpuModule = typeof import('@tensorflow/tfjs-backend-webgpu');
type BackendValues = ReturnType<tf.KernelBackend['readSync']>;

/** The members of tfjs's WebGPUBackend that a synchronous read needs (public in JS, some private in its types). */
interface WebGpuInternals {
  device: { createBuffer(d: object): unknown };
  tensorMap: { get(dataId: object): { values: BackendValues | null; dtype: tf.DataType; resource?: unknown } };
  bufferManager: { acquireBuffer(size: number, usage: number): GpuBufferLike; releaseBuffer(buffer: GpuBufferLike): void };
  commandEncoder: { copyBufferToBuffer(src: unknown, srcOffset: number, dst: unknown, dstOffset: number, size: number): void };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

interface GpuBufferLike extends MappableBuffer {
  readonly size: number;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}

const DAWN_PACKAGE = 'webgpu';

async function loadDawn(): Promise<DawnModule | string> {
  try {
    // Optional dependency, resolved at run time (a variable keeps the type checker out of it).
    const name = DAWN_PACKAGE;
    return (await import(name)) as DawnModule;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND') return 'the webgpu package (Dawn for Node) is not installed; it is an optional dependency';
    return `Dawn's native binding (the webgpu package) could not be loaded (${firstLine(err)})`;
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 200);
}

/** The device limits tfjs asks for (its own factory requests the same). */
function deviceDescriptor(adapter: AdapterLike): object {
  const l = adapter.limits;
  const requiredFeatures = ['timestamp-query'].filter((f) => adapter.features.has(f));
  return {
    requiredFeatures,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l['maxComputeWorkgroupStorageSize'],
      maxComputeWorkgroupsPerDimension: l['maxComputeWorkgroupsPerDimension'],
      maxStorageBufferBindingSize: l['maxStorageBufferBindingSize'],
      maxBufferSize: l['maxBufferSize'],
      maxComputeWorkgroupSizeX: l['maxComputeWorkgroupSizeX'],
      maxComputeInvocationsPerWorkgroup: l['maxComputeInvocationsPerWorkgroup'],
      // Kernels with many inputs (Concat, AddN) bind one buffer each; tfjs sizes Concat's batches by this limit.
      maxStorageBuffersPerShaderStage: l['maxStorageBuffersPerShaderStage'],
    },
  };
}

interface GpuErrorEvent {
  error?: { message?: string };
}

interface DeviceEvents {
  addEventListener?(type: 'uncapturederror', listener: (event: GpuErrorEvent) => void): void;
  lost?: Promise<{ reason?: string; message?: string }>;
}

/**
 * WebGPUBackend with a Node `readSync`, and GPU errors (a shader that does not
 * compile, a lost device) turned into exceptions at the next read instead of
 * silently wrong numbers.
 */
function nodeBackendClass(module: WebGpuModule, globals: Record<string, unknown>, ticks: DawnTickTracker) {
  const usage = globals['GPUBufferUsage'] as { COPY_DST: number; MAP_READ: number };
  const mapMode = globals['GPUMapMode'] as { READ: number };
  return class NodeWebGPUBackend extends module.WebGPUBackend {
    gpuError: string | null = null;

    constructor(device: ConstructorParameters<WebGpuModule['WebGPUBackend']>[0], info: AdapterLike['info']) {
      super(device, info as ConstructorParameters<WebGpuModule['WebGPUBackend']>[1]);
      const events = device as unknown as DeviceEvents;
      events.addEventListener?.('uncapturederror', (event) => this.recordError(event.error?.message ?? 'unknown GPU error'));
      void events.lost?.then((info) => {
        if (info.reason !== 'destroyed') this.recordError(`the GPU device was lost (${info.message ?? info.reason ?? 'no reason given'})`);
      });
    }

    private recordError(message: string): void {
      if (this.gpuError !== null) return;
      this.gpuError = firstLine(message);
      process.stderr.write(`webgpu: ${this.gpuError}\n`);
    }

    private throwIfFailed(): void {
      if (this.gpuError !== null) throw new Error(`webgpu: ${this.gpuError}`);
    }

    override async read(dataId: object): Promise<BackendValues> {
      const values = await super.read(dataId);
      this.throwIfFailed();
      return values;
    }

    override readSync(dataId: object): BackendValues {
      const self = this as unknown as WebGpuInternals;
      const data = self.tensorMap.get(dataId);
      if (data.values != null || data.dtype === 'string' || data.dtype === 'complex64') {
        // Cached on the CPU, or complex (tfjs reads its two parts through this method).
        return super.readSync(dataId);
      }
      const buffer = data.resource as GpuBufferLike;
      const staging = self.bufferManager.acquireBuffer(buffer.size, usage.COPY_DST | usage.MAP_READ);
      self.ensureCommandEncoderReady();
      self.endComputePassEncoder();
      self.commandEncoder.copyBufferToBuffer(buffer, 0, staging, 0, buffer.size);
      self.submitQueue();
      ticks.mapForReadSync(staging, mapMode.READ);
      const bytes = staging.getMappedRange().slice(0);
      staging.unmap();
      self.bufferManager.releaseBuffer(staging);
      this.throwIfFailed();
      const values = tf.util.convertBackendValuesAndArrayBuffer(bytes, data.dtype);
      data.values = values;
      return values;
    }
  };
}

/** Gives tfjs the `navigator.gpu` its backend checks for (Node 20 has no navigator; Node 21+ has one without gpu). */
function exposeNavigatorGpu(gpu: FoundAdapter['gpu']): void {
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }
}

function label(found: FoundAdapter): string {
  const mode = found.featureLevel === 'compatibility' ? ' compatibility mode' : '';
  return `${found.name}; ${found.api}${mode}${found.software ? '; software rasteriser, not a GPU' : ''}`;
}

/**
 * Loads Dawn, chooses an adapter and makes 'webgpu' the tfjs backend.
 * `acceptFallbacks` (an explicit --backend webgpu) also takes a software
 * adapter or the OpenGL ES compatibility path; `auto` takes only a GPU.
 */
export async function initWebGpu(acceptFallbacks: boolean): Promise<WebGpuAttempt> {
  const pointless = searchPointless({ acceptFallbacks });
  if (pointless !== null) return { problem: pointless };
  const dawn = await loadDawn();
  if (typeof dawn === 'string') return { problem: dawn };
  Object.assign(globalThis, dawn.globals);
  // Before the first Dawn call, so that every callback Dawn schedules is known.
  const ticks = new DawnTickTracker();
  const search = await findAdapter(dawn, { acceptFallbacks });
  if (search.found === null) return { problem: search.reason };
  const found = search.found;
  exposeNavigatorGpu(found.gpu);
  const module = await import('@tensorflow/tfjs-backend-webgpu');
  installWebGpuKernelWorkarounds();
  const Backend = nodeBackendClass(module, dawn.globals, ticks);
  // tfjs registered its own factory on import if navigator.gpu already existed.
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  // Created here rather than in the factory so that a failure is reported with its reason.
  const device = await found.adapter.requestDevice(deviceDescriptor(found.adapter));
  const backend = new Backend(device as ConstructorParameters<WebGpuModule['WebGPUBackend']>[0], found.adapter.info);
  tf.registerBackend('webgpu', () => backend);
  if (!(await tf.setBackend('webgpu'))) return { problem: `the webgpu backend failed to initialise on ${label(found)}` };
  return { device: label(found) };
}
