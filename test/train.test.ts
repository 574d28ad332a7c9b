import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunConfig } from '../src/config/run-config.js';
import { readCheckpoint } from '../src/checkpoint.js';
import { mmd2 } from '../src/metrics/mmd.js';
import { buildRun } from '../src/run/build.js';
import { writeRunConfig } from '../src/run/run-dir.js';
import { Rng } from '../src/rng.js';
import { sampleReverseSde } from '../src/sampler/reverse-sde.js';
import { networkScoreFunction } from '../src/sampler/score-function.js';
import { TrainingLog } from '../src/train/log.js';
import { checkpointPath, freshState, loadState } from '../src/train/state.js';
import { runTraining, type TrainingHooks, type TrainingOutcome } from '../src/train/trainer.js';
import { smallConfig, tempDir, useWasm } from './helpers.js';

beforeAll(useWasm);

/** Builds a run from its config, optionally resumes from its checkpoint, and trains to config.train.steps. */
async function trainRun(dir: string, config: RunConfig, resume: boolean, hooks: TrainingHooks = {}) {
  writeRunConfig(dir, config);
  const parts = buildRun(config);
  const state = freshState(parts.backbone, config.train.emaHalfLife);
  const log = new TrainingLog(path.join(dir, 'log.jsonl'));
  if (resume) {
    loadState(dir, state);
    log.truncateAfter(state.step);
  }
  const outcome: TrainingOutcome = await runTraining(
    { runDir: dir, config: config.train, target: parts.target, path: parts.path, net: parts.net, state, log },
    hooks,
  );
  return { outcome, parts, state, log };
}

const curve = (log: TrainingLog) => log.read().map(({ step, loss, loss_avg, lr, grad_norm }) => ({ step, loss, loss_avg, lr, grad_norm }));

describe('training', () => {
  it('resumed from a checkpoint (or after an interrupt) equals an uninterrupted run', async () => {
    const config = smallConfig({ steps: 40, checkpointEvery: 10, logEvery: 5 });
    const straightDir = tempDir('straight');
    const straight = await trainRun(straightDir, config, false);
    expect(straight.outcome).toEqual({ status: 'completed', step: 40 });

    // Stop at step 20 by the step budget, then extend to 40.
    const splitDir = tempDir('split');
    await trainRun(splitDir, smallConfig({ steps: 20, checkpointEvery: 10, logEvery: 5 }), false);
    const resumed = await trainRun(splitDir, config, true);
    expect(resumed.outcome).toEqual({ status: 'completed', step: 40 });
    expect(curve(resumed.log)).toEqual(curve(straight.log));

    // Interrupted mid-interval (as Ctrl-C does), then resumed.
    const interruptedDir = tempDir('interrupted');
    let updates = 0;
    const first = await trainRun(interruptedDir, config, false, { onStep: () => updates++, shouldStop: () => updates === 13 });
    expect(first.outcome).toEqual({ status: 'interrupted', step: 13 });
    const afterInterrupt = await trainRun(interruptedDir, config, true);
    expect(afterInterrupt.outcome).toEqual({ status: 'completed', step: 40 });
    expect(curve(afterInterrupt.log)).toEqual(curve(straight.log));

    const a = readCheckpoint(checkpointPath(straightDir));
    const b = readCheckpoint(checkpointPath(splitDir));
    const c = readCheckpoint(checkpointPath(interruptedDir));
    expect(b.header.tensors).toEqual(a.header.tensors);
    expect(Buffer.from(b.data.buffer).equals(Buffer.from(a.data.buffer))).toBe(true);
    expect(Buffer.from(c.data.buffer).equals(Buffer.from(a.data.buffer))).toBe(true);
  });

  it('stops on a non-finite loss and keeps the last good checkpoint', async () => {
    const dir = tempDir('nan');
    const config = smallConfig({ steps: 50, lr: 1e30, warmupSteps: 0, checkpointEvery: 1 });
    const { outcome } = await trainRun(dir, config, false);
    expect(outcome.status).toBe('diverged');
    if (outcome.status !== 'diverged') return;
    expect(Number.isFinite(outcome.loss)).toBe(false);
    const ckpt = readCheckpoint(checkpointPath(dir));
    expect(ckpt.header.step).toBe(outcome.lastCheckpointStep);
    expect(ckpt.header.step).toBe(outcome.step - 1);
    expect(ckpt.data.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('tells data holding NaN apart from a diverging optimiser (where a smaller --lr would help)', async () => {
    const config = smallConfig({ steps: 20, checkpointEvery: 10 });
    const dir = tempDir('nan-data');
    writeRunConfig(dir, config);
    const parts = buildRun(config);
    // The data source with one NaN coordinate in the batch of step 3 (its third draw).
    let draws = 0;
    const target = Object.create(parts.target, {
      sample: {
        value: (n: number, rng: Rng) => {
          const points = parts.target.sample(n, rng);
          if (++draws === 3) points[0] = Number.NaN;
          return points;
        },
      },
    }) as typeof parts.target;
    const state = freshState(parts.backbone, config.train.emaHalfLife);
    const log = new TrainingLog(path.join(dir, 'log.jsonl'));
    const outcome = await runTraining({ runDir: dir, config: config.train, target, path: parts.path, net: parts.net, state, log });
    expect(outcome).toMatchObject({ status: 'diverged', step: 3, lastCheckpointStep: 0, nonFiniteData: true });

    const diverging = await trainRun(tempDir('nan-lr'), smallConfig({ steps: 50, lr: 1e30, warmupSteps: 0, checkpointEvery: 1 }), false);
    expect(diverging.outcome).toMatchObject({ status: 'diverged', nonFiniteData: false });
  });

  it('a short run lowers the loss and beats the untrained network on MMD', async () => {
    const dir = tempDir('short');
    const config = smallConfig({ steps: 600, batchSize: 256, logEvery: 50, checkpointEvery: 600, emaHalfLife: 50 });
    const untrained = buildRun(config);
    const { log, parts, state } = await trainRun(dir, config, false);
    const records = log.read();
    // Averages over 50 updates of batch 256 have a standard error near 0.01; the drop is far larger.
    expect(records.at(-1)!.loss_avg).toBeLessThan(0.8 * records[0]!.loss_avg);

    state.optimiser.copyEmaToParams();
    const options = { steps: 100, tauMin: parts.path.tauMin, tauMax: parts.path.tauMax, denoise: true, batchSize: 1000, seed: 3 };
    const n = 1000;
    const reference = parts.target.sample(n, Rng.fromSeed(12345));
    const trained = await sampleReverseSde(parts.path, networkScoreFunction(parts.net), n, 2, options);
    const baseline = await sampleReverseSde(untrained.path, networkScoreFunction(untrained.net), n, 2, options);
    const mmdTrained = mmd2(Float64Array.from(trained), reference, 2);
    const mmdUntrained = mmd2(Float64Array.from(baseline), reference, 2);
    expect(mmdTrained).toBeLessThan(0.25 * mmdUntrained);
  });

  it('keeps the number of live tensors flat across training steps', async () => {
    const dir = tempDir('leak');
    const config = smallConfig({ steps: 30, checkpointEvery: 100, logEvery: 100 });
    let counts: number[] = [];
    await trainRun(dir, config, false, {
      onStep: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    counts = counts.slice(2);
    expect(Math.max(...counts)).toBe(Math.min(...counts));
  });
});
