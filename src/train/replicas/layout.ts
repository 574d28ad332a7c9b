/**
 * Shared memory between the training process and its replica workers, laid
 * out once per run (batch size, dimension and parameter count are fixed):
 *
 *   control  Int32  [command, done, status] per worker
 *   error    UTF-8  message of a failed worker (one at a time)
 *   params   Float32 every weight, concatenated in checkpoint order
 *   batch    Float32 x, eps (rows x dim each), tau, a, b, weight (rows each)
 *   grads    Float32 one parameter-sized block per worker
 *   losses   Float64 one per worker
 */
export const COMMAND = { idle: 0, step: 1, quit: 2 } as const;
export const STATUS = { ok: 0, failed: 1 } as const;
export const ERROR_BYTES = 4096;

export interface LayoutSpec {
  workers: number;
  batchSize: number;
  dim: number;
  paramCount: number;
  /** The batches carry per-example loss weights (min-SNR). */
  weighted: boolean;
}

export interface SharedBuffers {
  control: SharedArrayBuffer;
  error: SharedArrayBuffer;
  params: SharedArrayBuffer;
  batch: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  losses: SharedArrayBuffer;
}

export interface SharedViews {
  control: Int32Array;
  error: Uint8Array;
  params: Float32Array;
  x: Float32Array;
  eps: Float32Array;
  tau: Float32Array;
  a: Float32Array;
  b: Float32Array;
  weight: Float32Array;
  /** Gradient block of worker w. */
  grads(w: number): Float32Array;
  losses: Float64Array;
}

export function allocateBuffers(spec: LayoutSpec): SharedBuffers {
  const rows = spec.batchSize;
  return {
    control: new SharedArrayBuffer(3 * spec.workers * 4),
    error: new SharedArrayBuffer(ERROR_BYTES),
    params: new SharedArrayBuffer(spec.paramCount * 4),
    batch: new SharedArrayBuffer((2 * rows * spec.dim + 4 * rows) * 4),
    grads: new SharedArrayBuffer(spec.workers * spec.paramCount * 4),
    losses: new SharedArrayBuffer(spec.workers * 8),
  };
}

export function viewBuffers(buffers: SharedBuffers, spec: LayoutSpec): SharedViews {
  const rows = spec.batchSize;
  const block = rows * spec.dim;
  const batch = new Float32Array(buffers.batch);
  const grads = new Float32Array(buffers.grads);
  return {
    control: new Int32Array(buffers.control),
    error: new Uint8Array(buffers.error),
    params: new Float32Array(buffers.params),
    x: batch.subarray(0, block),
    eps: batch.subarray(block, 2 * block),
    tau: batch.subarray(2 * block, 2 * block + rows),
    a: batch.subarray(2 * block + rows, 2 * block + 2 * rows),
    b: batch.subarray(2 * block + 2 * rows, 2 * block + 3 * rows),
    weight: batch.subarray(2 * block + 3 * rows, 2 * block + 4 * rows),
    grads: (w) => grads.subarray(w * spec.paramCount, (w + 1) * spec.paramCount),
    losses: new Float64Array(buffers.losses),
  };
}

/** Indices into `control` for worker w. */
export const slot = (w: number) => ({ command: 3 * w, done: 3 * w + 1, status: 3 * w + 2 });

/**
 * Rows [start, end) of shard s when `rows` are split into `shards` contiguous
 * parts as evenly as possible (shard 0 is the training process's own).
 */
export function shardRows(rows: number, shards: number, s: number): { start: number; end: number } {
  return { start: Math.floor((s * rows) / shards), end: Math.floor(((s + 1) * rows) / shards) };
}

export function writeError(view: Uint8Array, message: string): void {
  const bytes = new TextEncoder().encode(message).subarray(0, ERROR_BYTES - 1);
  view.fill(0);
  view.set(bytes);
}

export function readError(view: Uint8Array): string {
  const end = view.indexOf(0);
  return new TextDecoder().decode(view.slice(0, end === -1 ? view.length : end));
}
