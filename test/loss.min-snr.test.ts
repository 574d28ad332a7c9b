import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import { createMlp } from '../models/mlp.js';
import { trainCli } from '../src/cli/train-cli.js';
import { UsageError } from '../src/errors.js';
import { dsmLoss, minSnrWeights } from '../src/loss.js';
import { createProcess } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import { readRunConfig } from '../src/run/run-dir.js';
import { scaledNetworkScore, type ScoreNetwork } from '../src/score-network.js';
import { batchTensors, drawBatch } from '../src/train/batch.js';
import { TrainingLog } from '../src/train/log.js';
import { tempDir, tinyTrainArgs, useWasm } from './helpers.js';

beforeAll(useWasm);

describe('minSnrWeights', () => {
  it('is min(SNR, gamma) / SNR with SNR = a^2 / b^2', () => {
    // SNR 100, 5, 1, 0.01 and a = 0 (pure noise).
    const a = [Math.sqrt(100 / 101), Math.sqrt(5 / 6), Math.sqrt(0.5), Math.sqrt(0.01 / 1.01), 0];
    const b = a.map((v) => Math.sqrt(1 - v * v));
    const w = minSnrWeights(a, b, 5);
    [0.05, 1, 1, 1, 1].forEach((want, i) => expect(w[i]).toBeCloseTo(want, 6));
    expect(() => minSnrWeights(a, b, 0)).toThrow(/gamma must be positive/);
  });
});

describe('dsmLoss with per-example weights', () => {
  const target = createTarget('grid9', {});
  const path_ = createProcess('vp');
  const arrays = drawBatch(target, path_, 64, Rng.fromSeed(2));

  it('weights of 1 give the plain loss; other weights, the weighted mean of the per-example errors', () => {
    const backbone = createMlp({ kind: 'mlp', dim: 2, width: 16, depth: 1, activation: 'silu', timeFrequencies: 4, maxFrequency: 8 }, Rng.fromSeed(1));
    const net: ScoreNetwork = { backbone, parameterisation: 'noise', dataStd: target.dataStd };
    const plain = batchTensors(arrays);
    const ones = batchTensors({ ...arrays, weight: new Float32Array(64).fill(1) });
    const w = minSnrWeights(arrays.a, arrays.b, 5);
    const weighted = batchTensors({ ...arrays, weight: w });
    const base = dsmLoss(net, plain).dataSync()[0]!;
    expect(dsmLoss(net, ones).dataSync()[0]!).toBeCloseTo(base, 6);

    // By hand: the squared error of each example, averaged over its coordinates, then weighted.
    const out = scaledNetworkScore(net, plain.x, plain).dataSync();
    let want = 0;
    for (let i = 0; i < 64; i++) {
      let e = 0;
      for (let j = 0; j < 2; j++) e += (out[2 * i + j]! + arrays.eps[2 * i + j]!) ** 2;
      want += (w[i]! * e) / 2;
    }
    want /= 64;
    expect(dsmLoss(net, weighted).dataSync()[0]!).toBeCloseTo(want, 5);
    // Some examples are at SNR > 5, so the weights do change the loss.
    expect(Math.min(...w)).toBeLessThan(1);
    tf.dispose([plain, ones, weighted].flatMap((t) => Object.values(t) as tf.Tensor[]));
    backbone.dispose();
  });
});

describe('train --min-snr-gamma', () => {
  const tiny = (out: string, ...extra: string[]) => tinyTrainArgs(out, 10, ...extra);
  const losses = (dir: string) => new TrainingLog(path.join(dir, 'log.jsonl')).read().map((r) => r.loss);

  it('is recorded in the run, changes the loss, splits over replicas like the plain loss, and is locked on resume', async () => {
    const plain = path.join(tempDir('min-snr-plain'), 'run');
    const one = path.join(tempDir('min-snr-1'), 'run');
    const two = path.join(tempDir('min-snr-2'), 'run');
    expect(await trainCli(tiny(plain))).toBe(0);
    expect(await trainCli(tiny(one, '--min-snr-gamma', '5'))).toBe(0);
    expect(await trainCli(tiny(two, '--min-snr-gamma', '5', '--replicas', '2'))).toBe(0);
    expect(readRunConfig(one, '--resume').train.minSnrGamma).toBe(5);
    expect(readRunConfig(plain, '--resume').train.minSnrGamma).toBeUndefined();
    const none = path.join(tempDir('min-snr-none'), 'run');
    expect(await trainCli(tiny(none, '--min-snr-gamma', 'none'))).toBe(0);
    expect(readRunConfig(none, '--resume').train.minSnrGamma).toBeUndefined();
    const [p, a, b] = [losses(plain), losses(one), losses(two)];
    expect(a[0]).toBeLessThan(p[0]!); // weights <= 1, same batch, same initial weights
    // Two replicas: the same weighted loss to float32 summation round-off (see replicas.train.test.ts).
    const perStep = 2 * (64 * 2 - 1) * 2 ** -24;
    a.forEach((loss, k) => expect(Math.abs(b[k]! - loss) / loss).toBeLessThanOrEqual((k + 1) * perStep));

    const error = await trainCli(['--resume', one, '--min-snr-gamma', '2', '--steps', '12', '--no-eval']).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^--min-snr-gamma 2: does not match the run in .* \(--min-snr-gamma 5\); drop the flag to resume$/);
    const refused = await trainCli(['--resume', plain, '--min-snr-gamma', '5', '--steps', '12', '--no-eval']).then(() => null, (e: unknown) => e);
    expect((refused as Error).message).toMatch(/^--min-snr-gamma 5: does not match the run in .* \(--min-snr-gamma none\)/);
  }, 120_000);

  it('refuses a gamma that is not positive, in one line', async () => {
    const error = await trainCli(tiny(path.join(tempDir('min-snr-bad'), 'run'), '--min-snr-gamma', '0')).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^--min-snr-gamma '0': expected a finite number > 0, or none$/);
  });
});
