import { beforeAll, describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import { createProcess } from '../src/process/index.js';
import { sampleCounted, type SamplerFrames } from '../src/sampler/reverse-sde.js';
import { oracleScoreFunction } from '../src/sampler/score-function.js';
import type { SamplerSettings } from '../src/sampler/settings.js';
import type { SolverName } from '../src/sampler/solvers.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

const path = createProcess('vp');
const target = createTarget('grid9', {});
const score = oracleScoreFunction(target);
// 10 rows in batches of 4, 4 and 2.
const N = 10;
const base: SamplerSettings = { steps: 12, tauMin: path.tauMin, tauMax: path.tauMax, denoise: true, batchSize: 4, seed: 5 };

interface Frame {
  x: Float32Array;
  tau: number;
  firstRow: number;
}

async function withFrames(solver: SolverName, every: number): Promise<{ plain: Float32Array; framed: Float32Array; frames: Frame[] }> {
  const settings = { ...base, solver, ...(solver === 'rk45' ? { tolerance: { rtol: 1e-3, atol: 1e-3 } } : {}) };
  const plain = (await sampleCounted(path, score, N, 2, settings)).samples;
  const frames: Frame[] = [];
  const hook: SamplerFrames = { every, onFrame: (x, tau, firstRow) => frames.push({ x, tau, firstRow }) };
  const framed = (await sampleCounted(path, score, N, 2, settings, undefined, hook)).samples;
  return { plain, framed, frames };
}

describe('sampling frames (onFrame)', () => {
  it.each(['euler-maruyama', 'heun', 'dpm-solver++'] as const)('%s: a frame every 5 of 12 steps and at tau_min, per batch, with the samples unchanged', async (solver) => {
    const { plain, framed, frames } = await withFrames(solver, 5);
    expect(framed).toEqual(plain);
    // Per batch: after steps 5 and 10, and the last level (step 12).
    expect(frames.map((f) => f.firstRow)).toEqual([0, 0, 0, 4, 4, 4, 8, 8, 8]);
    expect(frames.map((f) => f.x.length)).toEqual([8, 8, 8, 8, 8, 8, 4, 4, 4]);
    for (const batch of [0, 1, 2]) {
      const taus = frames.slice(3 * batch, 3 * batch + 3).map((f) => f.tau);
      expect(taus[0]).toBeGreaterThan(taus[1]!);
      expect(taus[2]).toBe(path.tauMin);
    }
    // The last frame of a batch is its particles before the final denoising: finite, and not the samples.
    expect(frames[2]!.x.every(Number.isFinite)).toBe(true);
    expect(frames[2]!.x).not.toEqual(plain.subarray(0, 8));
  });

  it('rk45: a frame every accepted step, ending at tau_min, with the samples unchanged', async () => {
    const { plain, framed, frames } = await withFrames('rk45', 1);
    expect(framed).toEqual(plain);
    const first = frames.filter((f) => f.firstRow === 0);
    expect(first.length).toBeGreaterThan(1);
    expect(first.at(-1)!.tau).toBe(path.tauMin);
    for (let i = 1; i < first.length; i++) expect(first[i]!.tau).toBeLessThan(first[i - 1]!.tau);
  });
});
