import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleCli } from '../src/cli/sample-cli.js';
import { UsageError } from '../src/errors.js';
import { oneLineRefusal, smallConfig, tempDir } from './helpers.js';

/** A run folder holding only its config: enough for --oracle, which needs no network. */
let runDir: string;
beforeAll(() => {
  runDir = path.join(tempDir('ode-cli'), 'run');
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(path.join(runDir, 'config.json'), JSON.stringify(smallConfig({}, 'pbm')));
});

const oracle = (...args: string[]) => ['--run', runDir, '--oracle', '--backend', 'wasm', '--threads', '1', ...args];

describe('sample --solver: bad input is one line (exit 2) and writes nothing', () => {
  const cases: [string[], RegExp][] = [
    [['--solver', 'ddim'], /^--solver 'ddim': expected one of euler-maruyama, euler, heun, rk45, dpm-solver\+\+$/],
    [['--solver', 'heun', '--nfe', '0'], /^--nfe '0': expected a positive integer$/],
    [['--solver', 'rk45', '--rtol', '0'], /^--rtol '0': expected a finite number > 0$/],
    [['--solver', 'rk45', '--atol=-1e-3'], /^--atol '-1e-3': expected a finite number > 0$/],
    [['--solver', 'rk45', '--nfe', '20'], /^--nfe 20: does not apply to --solver rk45 \(adaptive: --rtol and --atol set its evaluations\)$/],
    [['--solver', 'heun', '--rtol', '1e-3'], /^--rtol 0.001: applies only to --solver rk45 \(the solver is heun\)$/],
    [['--solver', 'heun', '--nfe', '2'], /^--nfe 2: heun needs at least 3 \(2 per step, 1 for the final denoising\)$/],
    [['--solver', 'euler', '--corrector-steps', '1'], /^--corrector-steps 1: Langevin correction applies only to --solver euler-maruyama, not euler$/],
    [['--solver', 'euler', '--nfe', '10', '--steps', '5'], /^--nfe '10': expected either --nfe or --steps, not both$/],
    [['--grid', 'cosine'], /^--grid 'cosine': expected one of uniform, log-snr, edm$/],
  ];
  it.each(cases)('%j', async (args, message) => {
    const error = await oneLineRefusal(() => sampleCli(oracle(...args)), UsageError);
    expect(error.message).toMatch(message);
    expect(fs.existsSync(path.join(runDir, 'samples'))).toBe(false);
  });
});

describe('sample --solver', () => {
  it('names the solver and the evaluations spent in the folder and metrics.json, and refuses to overwrite it', async () => {
    expect(await sampleCli(oracle('--n', '200', '--solver', 'dpm-solver++', '--nfe', '12'))).toBe(0);
    const folder = path.join(runDir, 'samples', 'oracle-n200-dpm-solver++-log-snr-nfe12-seed7');
    const metrics = JSON.parse(fs.readFileSync(path.join(folder, 'metrics.json'), 'utf8'));
    expect(metrics.sampler).toMatchObject({ method: 'dpm-solver++', solver: 'dpm-solver++', grid: 'log-snr', steps: 11 });
    expect(metrics.nfe).toBe(12);
    const before = fs.readFileSync(path.join(folder, 'samples.npy'));
    const error = await oneLineRefusal(() => sampleCli(oracle('--n', '200', '--solver', 'dpm-solver++', '--steps', '11')), UsageError);
    expect(error.message).toMatch(/already holds samples/);
    expect(fs.readFileSync(path.join(folder, 'samples.npy'))).toEqual(before);
  });

  it('rk45 reports the evaluations it counted', async () => {
    expect(await sampleCli(oracle('--n', '100', '--solver', 'rk45', '--rtol', '1e-2', '--atol', '1e-2'))).toBe(0);
    const [folder] = fs.readdirSync(path.join(runDir, 'samples')).filter((f) => f.startsWith('oracle-n100-rk45-rtol0.01-atol0.01-nfe'));
    const metrics = JSON.parse(fs.readFileSync(path.join(runDir, 'samples', folder!, 'metrics.json'), 'utf8'));
    expect(folder).toBe(`oracle-n100-rk45-rtol0.01-atol0.01-nfe${metrics.nfe}-seed7`);
    // One start evaluation, one for Hairer's first step, six per step tried, one for the denoising.
    expect((metrics.nfe - 3) % 6).toBe(0);
  });
});
