import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import { trainCli } from '../src/cli/train-cli.js';
import { UsageError } from '../src/errors.js';
import { snrAt } from '../src/diagnostics/snr.js';
import { createProcess } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import { readRunConfig } from '../src/run/run-dir.js';
import { drawBatch } from '../src/train/batch.js';
import { TrainingLog } from '../src/train/log.js';
import { noiseShare, tauFromUniform } from '../src/train/tau-sampling.js';
import { tempDir, tinyTrainArgs, useWasm } from './helpers.js';

beforeAll(useWasm);

const vp = createProcess('vp');
const pbm = createProcess('pbm');
const logSnr = (p: typeof vp, tau: number) => 2 * Math.log(snrAt(p, tau));
const grid = Array.from({ length: 1001 }, (_, k) => k / 1001);

describe('tauFromUniform', () => {
  it('uniform: tau = tauMin + u (tauMax - tauMin)', () => {
    for (const u of grid) expect(tauFromUniform(vp, 'uniform', u)).toBe(vp.tauMin + (vp.tauMax - vp.tauMin) * u);
  });

  it('logistic: inverts the noise share to double precision, stays in [tauMin, tauMax] and increases with u', () => {
    for (const p of [vp, pbm, createProcess('pbm', { sigma: 3 }), createProcess('vp', { betaMin: 1, betaMax: 5, tauMax: 0.5 })]) {
      const lo = noiseShare(p, p.tauMin);
      const hi = noiseShare(p, p.tauMax);
      let previous = -Infinity;
      for (const u of grid) {
        const tau = tauFromUniform(p, 'logistic', u);
        expect(tau).toBeGreaterThanOrEqual(p.tauMin);
        expect(tau).toBeLessThanOrEqual(p.tauMax);
        expect(tau).toBeGreaterThanOrEqual(previous);
        expect(Math.abs(noiseShare(p, tau) - (lo + (hi - lo) * u))).toBeLessThan(1e-12);
        previous = tau;
      }
    }
  });

  it('logistic is the uniform draw for PBM with sigma = 1 (its noise share is tau)', () => {
    for (const u of grid) expect(tauFromUniform(pbm, 'logistic', u)).toBeCloseTo(tauFromUniform(pbm, 'uniform', u), 12);
  });

  it("VP: uniform taus put 41% at log-SNR below -3.5, logistic ones the logistic tail, 1 / (1 + e^3.5) = 2.9%", () => {
    const n = 20000;
    const rng = Rng.fromSeed(5);
    let uniformBelow = 0;
    let logisticBelow = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      if (logSnr(vp, tauFromUniform(vp, 'uniform', u)) < -3.5) uniformBelow += 1;
      if (logSnr(vp, tauFromUniform(vp, 'logistic', u)) < -3.5) logisticBelow += 1;
    }
    // Exact shares: log-SNR -3.5 is at tau = 0.590604 for VP's linear beta; the logistic CDF truncated to VP's log-SNR range.
    const exactUniform = (vp.tauMax - 0.590604) / (vp.tauMax - vp.tauMin);
    const F = (l: number) => 1 / (1 + Math.exp(-l));
    const [lMin, lMax] = [logSnr(vp, vp.tauMax), logSnr(vp, vp.tauMin)];
    const exactLogistic = (F(-3.5) - F(lMin)) / (F(lMax) - F(lMin));
    // Four binomial standard errors.
    const tol = (q: number) => 4 * Math.sqrt((q * (1 - q)) / n);
    expect(Math.abs(uniformBelow / n - exactUniform)).toBeLessThan(tol(exactUniform));
    expect(Math.abs(logisticBelow / n - exactLogistic)).toBeLessThan(tol(exactLogistic));
  });
});

describe('drawBatch with a tau sampling', () => {
  it('draws the same data and noise, only other noise levels', () => {
    const target = createTarget('grid9', {});
    const plain = drawBatch(target, vp, 32, Rng.fromSeed(3));
    const logistic = drawBatch(target, vp, 32, Rng.fromSeed(3), 'logistic');
    expect(logistic.eps).toEqual(plain.eps);
    plain.tau.forEach((tau, i) => {
      expect(logistic.tau[i]).toBeCloseTo(tauFromUniform(vp, 'logistic', (tau - vp.tauMin) / (vp.tauMax - vp.tauMin)), 6);
      expect(logistic.tau[i]).not.toBe(tau);
    });
  });
});

describe('train --tau-sampling', () => {
  const tiny = (out: string, ...extra: string[]) => tinyTrainArgs(out, 6, ...extra);
  const losses = (dir: string) => new TrainingLog(path.join(dir, 'log.jsonl')).read().map((r) => r.loss);

  it('is recorded in the run (absent when uniform), changes the batches and is locked on resume', async () => {
    const plain = path.join(tempDir('tau-uniform'), 'run');
    const logistic = path.join(tempDir('tau-logistic'), 'run');
    expect(await trainCli(tiny(plain, '--tau-sampling', 'uniform'))).toBe(0);
    expect(await trainCli(tiny(logistic, '--tau-sampling', 'logistic'))).toBe(0);
    expect(readRunConfig(plain, '--resume').train.tauSampling).toBeUndefined();
    expect(readRunConfig(logistic, '--resume').train.tauSampling).toBe('logistic');
    expect(losses(logistic)[0]).not.toBe(losses(plain)[0]);

    const error = await trainCli(['--resume', logistic, '--tau-sampling', 'uniform', '--steps', '8', '--no-eval']).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^--tau-sampling uniform: does not match the run in .* \(--tau-sampling logistic\); drop the flag to resume$/);
  }, 120_000);

  it('refuses an unknown sampling, in one line', async () => {
    const error = await trainCli(tiny(path.join(tempDir('tau-bad'), 'run'), '--tau-sampling', 'normal')).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^--tau-sampling 'normal': expected one of uniform, logistic$/);
  });
});
