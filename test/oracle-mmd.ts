import type { Target } from '../datasets/target.js';
import { mmd2 } from '../src/metrics/mmd.js';
import { createProcess, type ProcessName } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import { sampleReverseSde } from '../src/sampler/reverse-sde.js';
import type { SamplerSettings } from '../src/sampler/settings.js';
import { oracleScoreFunction } from '../src/sampler/score-function.js';

const N = 1000;
const FLOOR_REPLICATES = 12;

/**
 * The spread of MMD^2 between two independent target samples of size N: the
 * exact-score sampler must land inside it (mean + 4 standard deviations of the
 * replicates), otherwise its discretisation error is visible.
 */
export function floorBound(target: Target, seed: number): { mean: number; sd: number; bound: number } {
  const values: number[] = [];
  for (let r = 0; r < FLOOR_REPLICATES; r++) {
    const x = target.sample(N, Rng.derive(seed, 100, r));
    const y = target.sample(N, Rng.derive(seed, 200, r));
    values.push(mmd2(x, y, target.dim));
  }
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, sd, bound: mean + 4 * sd };
}

/** MMD^2 of N exact-score samples (seed 5) against a held-out target sample, beside the floor bound. */
export async function oracleMmd(target: Target, processName: ProcessName, steps: number, extra: Partial<SamplerSettings> = {}) {
  const path = createProcess(processName);
  const samples = await sampleReverseSde(path, oracleScoreFunction(target), N, target.dim, {
    steps,
    tauMin: path.tauMin,
    tauMax: path.tauMax,
    denoise: true,
    batchSize: N,
    seed: 5,
    ...extra,
  });
  const value = mmd2(Float64Array.from(samples), target.sample(N, Rng.derive(9, 300)), target.dim);
  return { value, floor: floorBound(target, 17) };
}
