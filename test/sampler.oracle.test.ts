import { beforeAll, describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import type { Target } from '../datasets/target.js';
import { mmd2 } from '../src/metrics/mmd.js';
import { createProcess, type ProcessName } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import { sampleReverseSde } from '../src/sampler/reverse-sde.js';
import type { SamplerSettings as SamplerOptions } from '../src/sampler/settings.js';
import { oracleScoreFunction } from '../src/sampler/score-function.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

const N = 1000;
const FLOOR_REPLICATES = 12;

/**
 * The spread of MMD^2 between two independent target samples of size N: the
 * exact-score sampler must land inside it (mean + 4 standard deviations of the
 * replicates), otherwise its discretisation error is visible.
 */
function floorBound(target: Target, seed: number): { mean: number; sd: number; bound: number } {
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

const cases: [string, ProcessName, number, () => Target][] = [
  ['grid9', 'vp', 100, () => createTarget('grid9', {})],
  ['grid9', 'pbm', 500, () => createTarget('grid9', {})],
  ['gmm 10-D, 10 components', 'vp', 100, () => createTarget('gmm', { components: 10, dim: 10, seed: 0 })],
  ['gmm 10-D, 10 components', 'pbm', 500, () => createTarget('gmm', { components: 10, dim: 10, seed: 0 })],
  ['funnel 10-D', 'vp', 100, () => createTarget('funnel', { dim: 10 })],
];

/** MMD^2 of N exact-score samples (seed 5) against a held-out target sample, beside the floor bound. */
async function oracleMmd(target: Target, processName: ProcessName, steps: number, extra: Partial<SamplerOptions> = {}) {
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

describe('oracle sampler (exact score) reproduces the target', () => {
  it.each(cases)('%s with %s, %i steps', async (_, processName, steps, makeTarget) => {
    const { value, floor } = await oracleMmd(makeTarget(), processName, steps);
    expect(value, `MMD^2 ${value} vs floor ${floor.mean} +- ${floor.sd}`).toBeLessThan(floor.bound);
  });

  // The corrector only moves particles within p_tau when the score is exact, so
  // predictor-corrector must stay inside the same floor bound.
  it.each([
    ['vp', 100],
    ['pbm', 500],
  ] as const)('grid9 with %s, %i steps and one Langevin corrector step per level', async (processName, steps) => {
    const { value, floor } = await oracleMmd(createTarget('grid9', {}), processName, steps, { corrector: { steps: 1, snr: 0.16 } });
    expect(value, `MMD^2 ${value} vs floor ${floor.mean} +- ${floor.sd}`).toBeLessThan(floor.bound);
  });

  it('a sampler that stops early (at tau = 0.3, no denoising) is caught by the same bound', async () => {
    const { value, floor } = await oracleMmd(createTarget('grid9', {}), 'vp', 100, { tauMin: 0.3, denoise: false });
    expect(value).toBeGreaterThan(floor.bound);
  });
});
