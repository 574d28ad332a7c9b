import { beforeAll, describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import type { Target } from '../datasets/target.js';
import type { ProcessName } from '../src/process/index.js';
import { useWasm } from './helpers.js';
import { oracleMmd } from './oracle-mmd.js';

beforeAll(useWasm);

const cases: [string, ProcessName, number, () => Target][] = [
  ['grid9', 'vp', 100, () => createTarget('grid9', {})],
  ['grid9', 'pbm', 500, () => createTarget('grid9', {})],
  ['gmm 10-D, 10 components', 'vp', 100, () => createTarget('gmm', { components: 10, dim: 10, seed: 0 })],
  ['gmm 10-D, 10 components', 'pbm', 500, () => createTarget('gmm', { components: 10, dim: 10, seed: 0 })],
  ['funnel 10-D', 'vp', 100, () => createTarget('funnel', { dim: 10 })],
];

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
