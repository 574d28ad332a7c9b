import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createTarget } from '../datasets/index.js';
import { loadScoreModel, sample } from '../src/api.js';
import { experimentCli } from '../src/cli/experiment-cli.js';
import { exportCli } from '../src/cli/export-cli.js';
import type { BundleConfig } from '../src/bundle/format.js';
import { createProcess, processFromParams } from '../src/process/index.js';
import { buildRun } from '../src/run/build.js';
import { writeRunConfig } from '../src/run/run-dir.js';
import { TrainingLog } from '../src/train/log.js';
import { freshState } from '../src/train/state.js';
import { runTraining } from '../src/train/trainer.js';
import { smallConfig, tempDir, useWasm } from './helpers.js';
import { oracleMmd } from './oracle-mmd.js';

beforeAll(useWasm);

const integratedBeta = (tau: number, betaMin = 0.1, betaMax = 20) => betaMin * tau + 0.5 * (betaMax - betaMin) * tau * tau;

describe('sub-VP process (Song et al. 2021)', () => {
  const subVp = createProcess('sub-vp');
  const vp = createProcess('vp');

  it('a = exp(-B/2) and b = 1 - exp(-B), with B the integrated linear beta', () => {
    for (const tau of [1e-3, 0.1, 0.5, 1]) {
      const B = integratedBeta(tau);
      const { a, b } = subVp.coefficients(tau);
      expect(a).toBeCloseTo(Math.exp(-B / 2), 14);
      expect(b).toBeCloseTo(1 - Math.exp(-B), 14);
      // Same a as VP, and a variance below VP's (1 - e^-B)^2 < 1 - e^-B.
      expect(a).toBe(vp.coefficients(tau).a);
      expect(b * b).toBeLessThan(vp.coefficients(tau).b ** 2);
    }
    expect(subVp.coefficients(0)).toEqual({ a: 1, b: 0 });
    const other = createProcess('sub-vp', { betaMin: 0.5, betaMax: 5 });
    expect(other.coefficients(0.3).b).toBeCloseTo(1 - Math.exp(-integratedBeta(0.3, 0.5, 5)), 14);
  });

  it('b and g^2 stay accurate at tiny tau (expm1)', () => {
    const tau = 1e-9;
    const B = integratedBeta(tau);
    // b = B (1 - B/2 + ...), g^2 = 2 beta B (1 - B + ...): both far below float64 cancellation in 1 - e^-B.
    expect(Math.abs(subVp.coefficients(tau).b / B - 1)).toBeLessThan(1e-8);
    expect(Math.abs(subVp.diffusionSquared(tau) / (2 * (0.1 + tau * 19.9) * B) - 1)).toBeLessThan(1e-8);
  });

  it('g^2 = (b^2)\' - 2 f b^2 and f = a\'/a (central differences, relative)', () => {
    const h = 1e-6;
    for (const tau of [0.01, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98]) {
      const plus = subVp.coefficients(tau + h);
      const minus = subVp.coefficients(tau - h);
      const { a, b } = subVp.coefficients(tau);
      const f = (plus.a - minus.a) / (2 * h) / a;
      const g2 = (plus.b ** 2 - minus.b ** 2) / (2 * h) - 2 * f * b * b;
      expect(subVp.drift(tau)).toBeCloseTo(f, 5);
      expect(Math.abs(subVp.diffusionSquared(tau) / g2 - 1), `tau ${tau}`).toBeLessThan(1e-6);
    }
  });

  it('is recorded as VP is, under its own name, and publishes its closed forms in a bundle', () => {
    expect(JSON.stringify(subVp.params)).toBe('{"beta_min":0.1,"beta_max":20,"tau_min":0.001,"tau_max":1}');
    expect(processFromParams('sub-vp', subVp.params, 'config.json').coefficients(0.2)).toEqual(subVp.coefficients(0.2));
    expect(subVp.priorDescription).toBe('N(0, I)');
  });

  it('the exact-score sampler reaches the MMD floor on grid9', async () => {
    const { value, floor } = await oracleMmd(createTarget('grid9', {}), 'sub-vp', 100);
    expect(value, `MMD^2 ${value} vs floor ${floor.mean} +- ${floor.sd}`).toBeLessThan(floor.bound);
  });

  it('trains (the loss falls), exports to a bundle that loads and samples', async () => {
    const config = smallConfig({ steps: 300, logEvery: 50, checkpointEvery: 300 }, 'sub-vp');
    const run = path.join(tempDir('sub-vp-run'), 'run');
    fs.mkdirSync(run);
    writeRunConfig(run, config);
    const parts = buildRun(config);
    expect(parts.path.name).toBe('sub-vp');
    const log = new TrainingLog(path.join(run, 'log.jsonl'));
    const outcome = await runTraining({ runDir: run, config: config.train, target: parts.target, path: parts.path, net: parts.net, state: freshState(parts.backbone, config.train.emaHalfLife), log });
    parts.backbone.dispose();
    expect(outcome).toEqual({ status: 'completed', step: 300 });
    const losses = log.read().map((r) => r.loss_avg);
    expect(losses.at(-1)!, losses.join(', ')).toBeLessThan(0.8 * losses[0]!);

    const bundle = path.join(tempDir('sub-vp-bundle'), 'bundle');
    expect(await exportCli(['--run', run, '--out', bundle, '--format', 'safetensors'])).toBe(0);
    const written = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as BundleConfig;
    expect(written.process.formulas.b).toBe('b(tau) = 1 - exp(-B(tau))  (computed as -expm1(-B))');
    const model = await loadScoreModel(bundle);
    expect(model.process.name).toBe('sub-vp');
    expect(model.process.params).toEqual(config.process.params);
    const xs = await sample(model, { n: 16, steps: 20, seed: 1 });
    expect(xs.length).toBe(32);
    expect(xs.every(Number.isFinite)).toBe(true);
  });

  it('joins the experiment: its cells are planned beside VP, with the sampling steps of the processes regular at tau = 1', async () => {
    const out = path.join(tempDir('experiment-sub-vp'), 'exp');
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    try {
      expect(await experimentCli(['vp-vs-pbm', '--processes', 'vp,sub-vp', '--targets', 'gmm', '--dims', '2', '--widths', '8', '--seeds', '0', '--eval-steps', '7', '--dry-run', '--out', out])).toBe(0);
    } finally {
      log.mockRestore();
    }
    expect(lines).toContain('  run    gmm-d2-sub-vp-w8-s0');
    expect(lines.join('\n')).toContain('with 7 (VP, sub-VP) Euler-Maruyama steps');
    expect(fs.existsSync(out)).toBe(false);
  });
});
