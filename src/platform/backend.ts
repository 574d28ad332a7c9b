import * as tf from '@tensorflow/tfjs-core';
// The union package registers every op's gradient on the one shared tfjs-core.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// Replaces tfjs's ResizeNearestNeighborGrad on cpu and wasm (wrong gradients).
import './backend-resize-grad.js';
import { initWebGpu } from './backend-webgpu.js';
import { defaultWasmThreads, setWasmBackend } from './wasm-threads.js';

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;

export interface ActiveBackend {
  name: BackendName;
  /** Threads of the wasm backend's pool (1 for the other backends, which manage their own). */
  threads: number;
  /** Why the backends preferred by `auto` were passed over. */
  skipped: string[];
  /** The device it runs on, where the backend says (webgpu: the adapter, its API, whether it is a software rasteriser). */
  device?: string;
}

/** The start-up line of every command: the backend, its threads, and why the preferred ones were passed over. */
export function describeBackend(b: ActiveBackend): string {
  const threads = b.name === 'wasm' ? ` (${b.threads} thread${b.threads === 1 ? '' : 's'})` : b.device ? ` (${b.device})` : '';
  return `backend: ${b.name}${threads}${b.skipped.length ? `; passed over: ${b.skipped.join('; ')}` : ''}`;
}

export class BackendUnavailableError extends Error {}

/** The tfjs backend name each choice registers under. */
const TFJS_NAME: Record<BackendName, string> = { tensorflow: 'tensorflow', webgpu: 'webgpu', wasm: 'wasm', cpu: 'cpu' };

async function tryTensorflow(): Promise<string | null> {
  try {
    // Optional dependency: its native library is downloaded at install time and
    // is missing wherever that download could not happen.
    const pkg = '@tensorflow/tfjs-node-gpu';
    await import(pkg);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
      return '@tensorflow/tfjs-node-gpu could not be loaded (not installed: it is optional, and its install needs to download libtensorflow)';
    }
    return `@tensorflow/tfjs-node-gpu could not be loaded (${firstLine(err)})`;
  }
  return (await tf.setBackend(TFJS_NAME.tensorflow)) ? null : 'the tensorflow backend failed to initialise';
}

export interface BackendOptions {
  /** Threads of the wasm backend (default: one per core). */
  threads?: number;
}

/** The outcome of one attempt: null when it loaded (with the device, where known), else the reason. */
interface Attempt {
  problem: string | null;
  device?: string;
}

async function tryBackend(name: BackendName, threads: number, explicit: boolean): Promise<Attempt> {
  if (name === 'tensorflow') return { problem: await tryTensorflow() };
  try {
    if (name === 'webgpu') {
      const r = await initWebGpu(explicit);
      return 'problem' in r ? { problem: r.problem } : { problem: null, device: r.device };
    }
    if (name === 'wasm') {
      await setWasmBackend(threads);
      return { problem: null };
    }
    return { problem: (await tf.setBackend(TFJS_NAME[name])) ? null : `the ${name} backend failed to initialise` };
  } catch (err) {
    return { problem: `the ${name} backend failed to initialise (${firstLine(err)})` };
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 200);
}

/** What `auto` tries, best first. */
export const AUTO_ORDER: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

/**
 * Selects the TensorFlow.js backend. `auto` prefers the CUDA build of
 * tfjs-node, then WebGPU on a GPU adapter (a software rasteriser is passed
 * over), then WebAssembly (XNNPACK), then the pure-JS cpu backend; an
 * explicit choice that cannot load is an error, never a silent fallback.
 * An explicit webgpu also runs on a software adapter or, on Linux, Dawn's
 * OpenGL ES backend (how it is tested on machines without a GPU).
 */
export async function initBackend(choice: BackendChoice, options: BackendOptions = {}): Promise<ActiveBackend> {
  // PROD silences tfjs's console banners and debug checks.
  tf.env().set('PROD', true);
  const order: readonly BackendName[] = choice === 'auto' ? AUTO_ORDER : [choice];
  const wasmThreads = options.threads ?? defaultWasmThreads();
  const skipped: string[] = [];
  for (const name of order) {
    const { problem, device } = await tryBackend(name, wasmThreads, choice !== 'auto');
    if (problem === null) {
      await tf.ready();
      return { name, threads: name === 'wasm' ? wasmThreads : 1, skipped, ...(device ? { device } : {}) };
    }
    skipped.push(`${name}: ${problem}`);
  }
  if (choice === 'auto') throw new BackendUnavailableError(`no backend could be loaded: ${skipped.join('; ')}`);
  throw new BackendUnavailableError(
    `--backend ${choice}: ${skipped[0]!.slice(choice.length + 2)}; accepted: ${BACKEND_CHOICES.join(', ')}`,
  );
}
