import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/**
 * The multithreaded (pthreads + SIMD) build of the wasm backend under Node.
 *
 * tfjs ships it but switches it off under Node: its loader hands Emscripten
 * blob: URLs for the worker script and the module factory, which
 * worker_threads cannot open. The Emscripten glue itself supports Node, so
 * three small adaptations suffice, all scoped to backend initialisation:
 * - a Worker class that starts the worker script from its source text and
 *   replaces the factory blob by the factory's file in the 'load' message;
 * - the WASM_HAS_MULTITHREAD_SUPPORT flag, which tfjs hard-wires to false on Node;
 * - the core count XNNPACK sees: tfjs caps its pool at half the logical cores
 *   (it assumes two hyperthreads per core), so it is doubled while the module
 *   initialises, and the pool size is then set explicitly.
 * XNNPACK splits matrix products and convolutions by output tiles, so every
 * output element is computed in the same order whatever the thread count, and
 * results are bit-identical to the single-threaded build (a test checks this).
 */

const requireHere = createRequire(import.meta.url);
const WORKER_MODULE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
const FACTORY_MODULE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
/** The pool Emscripten pre-creates (PTHREAD_POOL_SIZE of the tfjs build). */
export const MAX_WASM_THREADS = 8;

function pthreadWorkerClass(): typeof NodeWorker {
  // The worker source is a template literal whose string literals contain raw
  // newlines; tfjs escapes them the same way before building its blob.
  const source = (requireHere(WORKER_MODULE) as { wasmWorkerContents: string }).wasmWorkerContents.replace(/\n/g, '\\n');
  const factoryFile = requireHere.resolve(FACTORY_MODULE);
  return class PthreadWorker extends NodeWorker {
    constructor(file: string | URL, options?: WorkerOptions) {
      const fromBlob = String(file).startsWith('blob:');
      super(fromBlob ? source : file, { ...options, eval: fromBlob });
      // Idle pool threads must not keep the process alive.
      this.unref();
    }

    override postMessage(...[message, transfer]: Parameters<NodeWorker['postMessage']>): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown } | null;
      const fixed = m?.cmd === 'load' && typeof m.urlOrBlob !== 'string' ? { ...m, urlOrBlob: factoryFile } : message;
      super.postMessage(fixed, transfer);
    }
  };
}

/** Threads used when none are requested: one per core, at most the pre-created pool. */
export function defaultWasmThreads(): number {
  return Math.max(1, Math.min(MAX_WASM_THREADS, os.availableParallelism()));
}

/**
 * Initialises the wasm backend with `threads` threads (1: the plain SIMD
 * build, exactly as tfjs loads it under Node). Returns the pool size XNNPACK
 * reports.
 */
export async function setWasmBackend(threads: number): Promise<number> {
  if (threads <= 1) {
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
    return 1;
  }
  const g = globalThis as { Worker?: unknown };
  const PthreadWorker = pthreadWorkerClass();
  // The glue assigns worker_threads' Worker to the global (as it always does
  // under Node) and then creates its pool with it; make that assignment keep ours.
  Object.defineProperty(g, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => {} });
  const osModule = os as { cpus: typeof os.cpus };
  const cpus = osModule.cpus;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  try {
    osModule.cpus = () => {
      const list = cpus();
      return Array.from({ length: Math.max(list.length, threads) * 2 }, (_, i) => list[i % list.length]!);
    };
    if (!(await tf.setBackend('wasm'))) throw new Error('the multithreaded wasm backend failed to initialise');
  } finally {
    osModule.cpus = cpus;
    Object.defineProperty(g, 'Worker', { configurable: true, writable: true, value: PthreadWorker });
  }
  // XNNPACK's pool threads run for the life of the module; like the idle ones,
  // they must not keep the process alive once the command is done.
  const module = (tf.backend() as unknown as { wasm: { PThread?: { runningWorkers: NodeWorker[] } } }).wasm;
  for (const worker of module.PThread?.runningWorkers ?? []) worker.unref();
  return getThreadsCount();
}
