import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../src/checkpoint.js';
import { benchCli } from '../src/cli/bench-cli.js';
import { trainCli } from '../src/cli/train-cli.js';
import { checkReplicaBackend } from '../src/config/replicas.js';
import { UsageError } from '../src/errors.js';
import { readRunConfig } from '../src/run/run-dir.js';
import { TrainingLog } from '../src/train/log.js';
import { checkpointPath } from '../src/train/state.js';
import { tempDir } from './helpers.js';

const BATCH = 64;
const DIM = 2; // grid9
const STEPS = 20;
/** A tiny MLP on grid9, one log record per step, at one wasm thread (--threads does not change results). */
const tiny = (out: string, ...extra: string[]) => [
  '--width', '16', '--depth', '1', '--batch-size', String(BATCH), '--warmup', '5', '--log-every', '1', '--checkpoint-every', '10',
  '--no-eval', '--backend', 'wasm', '--threads', '1', '--out', out, ...extra,
];

const losses = (dir: string) => new TrainingLog(path.join(dir, 'log.jsonl')).read().map((r) => r.loss);
const curve = (dir: string) =>
  new TrainingLog(path.join(dir, 'log.jsonl')).read().map(({ step, loss, loss_avg, lr, grad_norm }) => ({ step, loss, loss_avg, lr, grad_norm }));

async function usageError(args: string[]): Promise<Error> {
  const error = await trainCli(args).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  expect((error as Error).message).not.toContain('\n');
  return error as Error;
}

describe('train --replicas', () => {
  const single = path.join(tempDir('replicas-1'), 'run');
  const straight = path.join(tempDir('replicas-2'), 'run');

  it('gives the single-replica loss curve to float32 summation round-off', async () => {
    expect(await trainCli([...tiny(single), '--steps', String(STEPS)])).toBe(0);
    expect(await trainCli([...tiny(straight), '--steps', String(STEPS), '--replicas', '2'])).toBe(0);
    expect(readRunConfig(straight, '--resume').train.replicas).toBe(2);
    // A single-replica run's config reads as before (no replicas field).
    expect(readRunConfig(single, '--resume').train.replicas).toBeUndefined();

    const a = losses(single);
    const b = losses(straight);
    expect(a).toHaveLength(STEPS);
    expect(b).toHaveLength(STEPS);
    // The loss is a mean of n = batch x dim non-negative float32 terms: two summation orders
    // differ by at most 2 (n - 1) u relatively (u = 2^-24, the bound of recursive summation).
    // Step 1 is at identical weights, so that bound holds there; after it the weights differ
    // by the round-off of the earlier gradients (an Adam update moves by at most lr times the
    // relative gradient error), so the allowance grows with the step, linearly over so few steps.
    const perStep = 2 * (BATCH * DIM - 1) * 2 ** -24;
    a.forEach((loss, k) => expect(Math.abs(b[k]! - loss) / loss).toBeLessThanOrEqual((k + 1) * perStep));
  }, 120_000);

  it('resumed, equals the uninterrupted run with the same replicas, bit for bit', async () => {
    const split = path.join(tempDir('replicas-split'), 'run');
    expect(await trainCli([...tiny(split), '--steps', '10', '--replicas', '2'])).toBe(0);
    // --replicas is taken from the run's config when not given.
    expect(await trainCli(['--resume', split, '--steps', String(STEPS), '--no-eval', '--backend', 'wasm'])).toBe(0);
    expect(curve(split)).toEqual(curve(straight));
    const x = readCheckpoint(checkpointPath(straight));
    const y = readCheckpoint(checkpointPath(split));
    expect(y.header.tensors).toEqual(x.header.tensors);
    expect(Buffer.from(y.data.buffer).equals(Buffer.from(x.data.buffer))).toBe(true);
  }, 120_000);

  it('refuses --resume with another replica count, and leaves the run untouched', async () => {
    const before = fs.readFileSync(path.join(straight, 'config.json'), 'utf8');
    const e1 = await usageError(['--resume', straight, '--replicas', '1', '--steps', '30']);
    expect(e1.message).toMatch(/^--replicas 1: does not match the run in .* \(--replicas 2\); drop the flag to resume$/);
    const e2 = await usageError(['--resume', single, '--replicas', '2', '--steps', '30']);
    expect(e2.message).toMatch(/^--replicas 2: does not match the run in .* \(--replicas 1\); drop the flag to resume$/);
    expect(fs.readFileSync(path.join(straight, 'config.json'), 'utf8')).toBe(before);
  });
});

describe('train --replicas: bad input is a one-line usage error', () => {
  const out = () => path.join(tempDir('replicas-bad'), 'run');
  it.each([
    [['--replicas', '0'], /^--replicas '0': expected an integer from 1 to 8$/],
    [['--replicas', '9'], /^--replicas '9': expected an integer from 1 to 8$/],
    [['--replicas', '1.5'], /^--replicas '1.5': expected an integer from 1 to 8$/],
    [['--replicas', 'two'], /^--replicas 'two': expected an integer from 1 to 8$/],
    [['--replicas', '4', '--batch-size', '3'], /^--replicas 4: more than --batch-size 3; accepted: 1 to 3 /],
    // Refused from the flags alone, before any backend is loaded.
    [['--replicas', '2', '--backend', 'webgpu'], /^--replicas 2: needs --backend wasm or cpu .*; --backend webgpu was given$/],
    [['--replicas', '2', '--backend', 'tensorflow'], /^--replicas 2: needs --backend wasm or cpu .*; --backend tensorflow was given$/],
  ])('%j', async (args, message) => {
    const dir = out();
    expect((await usageError([...args, '--steps', '2', '--no-eval', '--out', dir])).message).toMatch(message);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('refuses a GPU backend that auto resolved to, and lets one replica run anywhere', () => {
    expect(() => checkReplicaBackend(2, 'webgpu', true)).toThrow(/^--replicas 2: needs --backend wasm or cpu .*; --backend auto chose webgpu$/);
    expect(() => checkReplicaBackend(2, 'cpu', true)).not.toThrow();
    expect(() => checkReplicaBackend(1, 'tensorflow')).not.toThrow();
  });
});

describe('bench --replicas: bad input is a one-line usage error', () => {
  it.each([
    [['--replicas', '0'], /^--replicas '0': expected an integer from 1 to 8$/],
    [['--replicas', '2', '--backend', 'webgpu'], /^--replicas 2: needs --backend wasm or cpu .*; --backend webgpu was given$/],
  ])('%j', async (args, message) => {
    await expect(benchCli([...args, '--cases', 'mlp2'])).rejects.toThrow(UsageError);
    await expect(benchCli([...args, '--cases', 'mlp2'])).rejects.toThrow(message);
  });
});
