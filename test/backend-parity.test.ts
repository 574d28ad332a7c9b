import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PARITY_BACKENDS,
  PARITY_RECIPES,
  mlpParity,
  mustRun,
  parityReference,
  runLosses,
  unetParity,
  type ParityOutcome,
  type ParityReference,
  type ScriptRunner,
} from '../src/platform/parity.js';
import { tempDir } from './helpers.js';

/**
 * The same seed and recipe on every backend that loads here match the cpu
 * backend's first training losses and sampler output to float32 tolerance
 * (recipes and bounds, with their derivation: src/platform/parity.ts, which
 * the GPU machine's check runs too). A backend that cannot load is skipped
 * with its reason, never passed.
 * Measured: wasm 5.9e-7 (losses) and 1.6e-6 (samples), webgpu on a software
 * adapter 1.2e-7 and 2.4e-6; U-Net 5e-7 on both.
 */

const root = path.resolve(import.meta.dirname, '..');

const run: ScriptRunner = (script, args) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', script), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** The outcome's failures (none: parity holds); skips the test, with the reason printed, where the backend cannot load. */
function failuresOf(backend: string, outcome: ParityOutcome, ctx: { skip(note?: string): never }): string[] {
  if (outcome.status === 'unavailable') {
    console.log(`backend parity: ${backend} not run: ${outcome.reason}`);
    ctx.skip(`${backend} cannot load here: ${outcome.reason}`);
  }
  return outcome.failures;
}

describe('backend parity: same seed and recipe, same numbers as the cpu backend', () => {
  const dir = tempDir('parity');
  let reference: ParityReference;

  beforeAll(() => {
    reference = parityReference(run, dir);
  }, 600_000);

  it('the cpu reference is reproducible: a second run gives bit-identical losses', () => {
    const again = path.join(dir, 'train-cpu-again');
    mustRun(run, 'train.ts', [...PARITY_RECIPES.train, '--backend', 'cpu', '--out', again]);
    expect(runLosses(again)).toEqual(reference.losses);
    expect(reference.losses).toHaveLength(20);
  });

  it.for(PARITY_BACKENDS)('%s: first training losses and sampler output (MLP)', { timeout: 300_000 }, (backend, ctx) => {
    const outcome = mlpParity(run, backend, reference, dir);
    const failures = failuresOf(backend, outcome, ctx);
    if (outcome.status === 'compared') {
      console.log(`backend parity: ${backend}: largest relative loss difference ${outcome.lossDifference.toExponential(2)}, largest sample difference ${outcome.sampleDifference?.toExponential(2)} x (1 + |x|)`);
    }
    expect(failures).toEqual([]);
  });

  it.for(PARITY_BACKENDS)('%s: first training losses of the MNIST U-Net', { timeout: 300_000 }, (backend, ctx) => {
    const outcome = unetParity(run, backend, reference, dir);
    const failures = failuresOf(backend, outcome, ctx);
    if (outcome.status === 'compared') console.log(`backend parity: ${backend}: U-Net, largest relative loss difference ${outcome.lossDifference.toExponential(2)}`);
    expect(failures).toEqual([]);
  });
});
