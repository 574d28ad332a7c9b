/** Wall-clock timings of one benchmark case, in milliseconds per call. */
export interface Timing {
  median: number;
  min: number;
  samples: number[];
}

export interface TimingOptions {
  /** Untimed calls first (compilation, operator caches, memory growth). */
  warmup: number;
  /** Timed calls; the median is reported. */
  repeats: number;
}

export function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >>> 1;
  return v.length % 2 === 1 ? v[mid]! : 0.5 * (v[mid - 1]! + v[mid]!);
}

/**
 * Times `fn` (which must finish its work synchronously or by its promise,
 * e.g. by reading a result back) after `warmup` untimed calls.
 */
export async function measure(fn: () => unknown, options: TimingOptions): Promise<Timing> {
  for (let i = 0; i < options.warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < options.repeats; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return { median: median(samples), min: Math.min(...samples), samples };
}

/**
 * Times two implementations in alternating blocks (a a a, b b b, a a a, ...),
 * each block after one untimed call, so that a drift in machine load affects
 * both alike while neither runs right after the other's garbage; the speed-up
 * is the ratio of medians.
 */
export async function measurePair(
  a: () => unknown,
  b: () => unknown,
  options: TimingOptions & { rounds?: number },
): Promise<{ a: Timing; b: Timing }> {
  const rounds = Math.max(1, Math.min(options.rounds ?? 4, options.repeats));
  for (let i = 0; i < options.warmup; i++) {
    await a();
    await b();
  }
  const sa: number[] = [];
  const sb: number[] = [];
  const block = async (fn: () => unknown, into: number[], count: number) => {
    await fn();
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await fn();
      into.push(performance.now() - t0);
    }
  };
  for (let r = 0; r < rounds; r++) {
    const count = Math.floor(((r + 1) * options.repeats) / rounds) - Math.floor((r * options.repeats) / rounds);
    await block(a, sa, count);
    await block(b, sb, count);
  }
  return {
    a: { median: median(sa), min: Math.min(...sa), samples: sa },
    b: { median: median(sb), min: Math.min(...sb), samples: sb },
  };
}
