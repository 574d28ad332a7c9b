import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PARITY_TOLERANCES, unetParity, type ParityReference, type ScriptRunner } from '../src/platform/parity.js';
import { tempDir } from './helpers.js';

/** A stand-in for train.ts: writes these losses to --out's log.jsonl and reports the backend, or refuses it. */
function fakeTrain(losses: number[], refuse?: string): ScriptRunner {
  return (_script, args) => {
    const backend = args[args.indexOf('--backend') + 1]!;
    if (refuse !== undefined) return { status: 2, stdout: '', stderr: `error: --backend ${backend}: ${refuse}; accepted: auto, wasm\n` };
    const out = args[args.indexOf('--out') + 1]!;
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'log.jsonl'), losses.map((loss, k) => JSON.stringify({ step: k + 1, loss })).join('\n') + '\n');
    return { status: 0, stdout: `backend: ${backend}\n`, stderr: '' };
  };
}

describe('backend parity: the bounds', () => {
  const reference: ParityReference = { losses: [], samples: new Float32Array(0), unet: [1, 0.5, 0.25], samplerRun: '' };
  const { unetFirst, unetPerStep } = PARITY_TOLERANCES;

  it('losses within first + (k - 1) perStep pass, with the largest relative difference reported', () => {
    const got = [1 * (1 + 0.9 * unetFirst), 0.5 * (1 - 0.9 * (unetFirst + unetPerStep)), 0.25];
    const outcome = unetParity(fakeTrain(got), 'wasm', reference, tempDir('parity-bounds'));
    expect(outcome.status).toBe('compared');
    if (outcome.status !== 'compared') return;
    expect(outcome.failures).toEqual([]);
    expect(outcome.lossDifference).toBeCloseTo(0.9 * (unetFirst + unetPerStep), 12);
  });

  it('a loss over its step\'s bound is a failure naming the step, the difference and the bound', () => {
    const got = [1, 0.5, 0.25 * (1 + 3 * (unetFirst + 2 * unetPerStep))];
    const outcome = unetParity(fakeTrain(got), 'wasm', reference, tempDir('parity-bounds'));
    expect(outcome.status === 'compared' && outcome.failures).toEqual(['U-Net loss at step 3: relative difference 7.20e-4 over the bound 2.40e-4']);
  });

  it('missing losses are failures, never a pass', () => {
    const outcome = unetParity(fakeTrain([1]), 'wasm', reference, tempDir('parity-bounds'));
    expect(outcome.status === 'compared' && outcome.failures).toEqual([
      'U-Net loss: 1 losses logged, the reference has 3',
      'U-Net loss at step 2: relative difference NaN over the bound 2.20e-4',
      'U-Net loss at step 3: relative difference NaN over the bound 2.40e-4',
    ]);
  });

  it('a backend that cannot load comes back with its reason', () => {
    expect(unetParity(fakeTrain([], 'no adapter'), 'webgpu', reference, tempDir('parity-bounds'))).toEqual({ status: 'unavailable', reason: 'no adapter' });
  });
});
