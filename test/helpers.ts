import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { initBackend } from '../src/platform/backend.js';
import { RUN_FORMAT_VERSION, type RunConfig } from '../src/config/run-config.js';
import { createTarget } from '../datasets/index.js';
import { createProcess, type ProcessName } from '../src/process/index.js';

/** The fast CPU backend, as the commands pick it here. */
export async function useWasm(): Promise<void> {
  await initBackend('wasm');
}

import { tempDir } from './temp-dirs.js';

export { tempDir };

/** A small but complete run config for fast tests. */
export function smallConfig(overrides: Partial<RunConfig['train']> = {}, processName: ProcessName = 'vp'): RunConfig {
  const target = createTarget('grid9', {});
  const proc = createProcess(processName);
  return {
    formatVersion: RUN_FORMAT_VERSION,
    target: { name: 'grid9', options: {}, params: target.params, dim: 2 },
    process: { name: processName, params: proc.params },
    model: {
      kind: 'mlp',
      dim: 2,
      width: 64,
      depth: 2,
      activation: 'silu',
      timeFrequencies: 8,
      maxFrequency: 16,
      parameterisation: 'noise',
      dataStd: target.dataStd,
    },
    train: {
      steps: 40,
      batchSize: 128,
      lr: 1e-3,
      lrSchedule: 'constant',
      warmupSteps: 5,
      gradClip: 1,
      emaHalfLife: 20,
      seed: 7,
      checkpointEvery: 10,
      logEvery: 5,
      ...overrides,
    },
    backend: 'wasm',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

/** Flags of a tiny MLP training run on the default target (wasm, one thread, no evaluation). */
export const tinyTrainArgs = (out: string, steps: number, ...extra: string[]): string[] => [
  '--width', '16', '--depth', '1', '--batch-size', '64', '--warmup', '2', '--log-every', '1', '--checkpoint-every', '5',
  '--no-eval', '--backend', 'wasm', '--threads', '1', '--steps', String(steps), '--out', out, ...extra,
];

/** A copy of a run or bundle folder in a fresh temporary folder (removed after the test file), as <tmp>/<leaf>. */
export function copyToTempDir(source: string, prefix: string, leaf: string): string {
  const dir = path.join(tempDir(prefix), leaf);
  fs.cpSync(source, dir, { recursive: true });
  return dir;
}

/** The error a call rejects with, checked to be of `type` and one line (what the CLI prints). */
export async function oneLineRefusal(call: () => Promise<unknown>, type: abstract new (...args: never[]) => Error): Promise<Error> {
  const error = await call().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  expect((error as Error).message).not.toContain('\n');
  return error as Error;
}

