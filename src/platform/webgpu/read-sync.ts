/**
 * Synchronous GPU -> CPU reads for the webgpu backend under Node.
 *
 * tfjs-backend-webgpu implements `dataSync()` through OffscreenCanvas, which
 * Node does not have, and WebGPU itself only offers `GPUBuffer.mapAsync`. The
 * Dawn binding completes map requests in `instance.ProcessEvents()`, which it
 * schedules as a native callback given to the global `setImmediate` (looked
 * up at each call), re-scheduled while requests are outstanding. The tracker
 * wraps `setImmediate` to remember those callbacks (everything else passes
 * straight through); a synchronous read runs them on the spot until its
 * staging buffer is mapped. A callback run early does nothing when its own
 * turn in the event loop comes.
 */

/** The part of GPUBuffer this module touches (kept local: two @webgpu/types versions are installed). */
export interface MappableBuffer {
  readonly mapState: string;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
}

/** How long a read may wait for the GPU before it is declared stuck. */
const MAP_TIMEOUT_MS = 120_000;

interface PendingTick {
  run(): void;
}

/** Dawn's scheduled callbacks are native functions without a name, called without arguments. */
function isNativeTick(callback: unknown, args: unknown[]): callback is () => void {
  return (
    typeof callback === 'function' &&
    args.length === 0 &&
    callback.name === '' &&
    Function.prototype.toString.call(callback).includes('[native code]')
  );
}

export class DawnTickTracker {
  private readonly pending = new Set<PendingTick>();

  /** Wraps the global setImmediate for the life of the process (one tracker per process). */
  constructor() {
    const g = globalThis as { setImmediate: typeof setImmediate };
    const real = g.setImmediate;
    const schedule = real as unknown as (callback: (...a: unknown[]) => void, ...args: unknown[]) => NodeJS.Immediate;
    const pending = this.pending;
    const wrapped = (callback: (...a: unknown[]) => void, ...args: unknown[]) => {
      if (!isNativeTick(callback, args)) return schedule(callback, ...args);
      const tick: PendingTick = {
        run: () => {
          if (pending.delete(tick)) callback();
        },
      };
      pending.add(tick);
      return schedule(() => tick.run());
    };
    // Keeps setImmediate's extra properties (its promisified form).
    g.setImmediate = Object.assign(wrapped, real) as unknown as typeof setImmediate;
  }

  /** Maps `buffer` for reading and returns once it is mapped; throws if the request fails or stalls. */
  mapForReadSync(buffer: MappableBuffer, mapModeRead: number): void {
    let failure: unknown = null;
    buffer.mapAsync(mapModeRead).catch((err: unknown) => {
      failure = err;
    });
    const deadline = Date.now() + MAP_TIMEOUT_MS;
    while (buffer.mapState !== 'mapped') {
      const next = this.pending.values().next();
      if (next.done) throw new Error(`webgpu: a GPU read made no progress (buffer ${buffer.mapState})`);
      next.value.run();
      if (Date.now() > deadline) throw new Error(`webgpu: a GPU read did not complete in ${MAP_TIMEOUT_MS / 1000} s`);
    }
    // A rejection arrives as a microtask, after this returns; mapState tells failure apart already.
    if (failure !== null) throw failure;
  }
}
