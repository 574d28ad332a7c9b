import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { exportCli } from '../src/cli/export-cli.js';
import { likelihoodCli } from '../src/cli/likelihood-cli.js';
import { trainCli } from '../src/cli/train-cli.js';
import { UsageError } from '../src/errors.js';
import { readNpySync, writeNpySync } from '../src/io/npy.js';
import { lockRunDir } from '../src/run/run-dir.js';
import { oneLineRefusal, tempDir, tinyTrainArgs, useWasm } from './helpers.js';

const root = path.resolve(import.meta.dirname, '..');
let run: string;
let files: string;

beforeAll(async () => {
  await useWasm();
  run = path.join(tempDir('likelihood-run'), 'run');
  expect(await trainCli(tinyTrainArgs(run, 5))).toBe(0);
  files = tempDir('likelihood-files');
});

const fast = ['--backend', 'wasm', '--threads', '1', '--solver', 'heun', '--nfe', '16'];
const refusal = async (args: string[]) => (await oneLineRefusal(() => likelihoodCli(['--run', run, ...args]), UsageError)).message;

describe('npm run likelihood: bad input is one line (exit 2) and writes nothing', () => {
  it('refuses an unknown or unsuitable solver, --nfe 0 and --rtol <= 0', async () => {
    expect(await refusal(['--solver', 'midpoint'])).toMatch(/--solver.*midpoint.*one of rk45, heun, euler/);
    expect(await refusal(['--solver', 'dpm-solver++'])).toMatch(/--solver.*one of rk45, heun, euler/);
    expect(await refusal(['--solver', 'heun', '--nfe', '0'])).toMatch(/^--nfe '0': expected an integer from 1 to 1000000/);
    expect(await refusal(['--solver', 'heun', '--nfe', '1'])).toMatch(/^--nfe 1: heun needs at least 2/);
    expect(await refusal(['--rtol', '0'])).toMatch(/--rtol.*> 0/);
    expect(await refusal(['--atol=-1e-3'])).toMatch(/--atol.*> 0/);
    expect(await refusal(['--nfe', '20'])).toMatch(/^--nfe 20: does not apply to --solver rk45/);
    expect(await refusal(['--solver', 'euler', '--rtol', '1e-3'])).toMatch(/^--rtol 0.001: applies only to --solver rk45/);
  });

  it('refuses a points file of the wrong shape, dimension or format', async () => {
    const flat = path.join(files, 'flat.npy');
    writeNpySync(flat, Float64Array.of(1, 2, 3, 4), [4]);
    const wide = path.join(files, 'wide.npy');
    writeNpySync(wide, new Float32Array(9), [3, 3]);
    const text = path.join(files, 'points.csv');
    fs.writeFileSync(text, '1,2\n');
    expect(await refusal(['--points', flat, ...fast])).toBe(`--points ${flat}: shape [4]; accepted: a float32 or float64 .npy of shape [n, 2] (n >= 1), the target's dimension`);
    expect(await refusal(['--points', wide, ...fast])).toMatch(/: shape \[3, 3\]; accepted: .* \[n, 2\]/);
    expect(await refusal(['--points', text, ...fast])).toMatch(/^--points .*points\.csv: cannot be read as \.npy/);
    expect(await refusal(['--points', path.join(files, 'missing.npy'), ...fast])).toMatch(/cannot be read as \.npy/);
  });

  it('refuses an --out folder that holds anything, leaving it as it was', async () => {
    const out = tempDir('likelihood-used');
    fs.writeFileSync(path.join(out, 'notes.txt'), 'keep');
    expect(await refusal(['--out', out, ...fast])).toBe(`--out ${out}: already holds notes.txt; choose another --out (a new or empty folder), or move those files away`);
    expect(fs.readdirSync(out)).toEqual(['notes.txt']);
    const file = path.join(files, 'a-file');
    fs.writeFileSync(file, 'mine\n');
    expect(await refusal(['--out', file, ...fast])).toBe(`--out ${file}: exists as a file; give a new folder with --out`);
    expect(fs.readFileSync(file, 'utf8')).toBe('mine\n');
  });

  it('refuses an --out under a kernel file system at once', async () => {
    expect(await refusal(['--out', '/proc/x', ...fast])).toBe('--out /proc/x: /proc is a special file system of the kernel, not a place for files; choose a folder on a disk');
  });

  it('refuses counts past their bounds and names --run when no source is given', async () => {
    expect(await refusal(['--probes', '5000'])).toMatch(/^--probes '5000': expected an integer from 1 to 1000 \(/);
    expect(await refusal(['--n', '1e6'])).toMatch(/^--n '1e6': expected an integer from 1 to 100000 \(/);
    expect(await refusal(['--exact-div-max-dim', '20000'])).toMatch(/^--exact-div-max-dim '20000': expected an integer from 0 to 10000 \(/);
    expect(await refusal(['--batch-size', '1e9'])).toMatch(/^--batch-size '1e9': expected an integer from 1 to 1000000 \(/);
    const missing = await oneLineRefusal(() => likelihoodCli(['--n', '8']), UsageError);
    expect(missing.message).toBe('--run is required: the run directory written by npm run train (or --bundle BUNDLE)');
  });

  it('exits 2 with one line on stderr from the script', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/likelihood.ts', '--run', run, '--solver', 'heun', '--nfe', '0'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual(["error: --nfe '0': expected an integer from 1 to 1000000 (1e6 steps of 2000 points take about 3 hours)"]);
  });
});

describe('npm run likelihood on a tiny trained run', () => {
  it('--json from the script: stdout holds only the JSON object, the human text goes to stderr', () => {
    const out = path.join(tempDir('likelihood-json'), 'out');
    const args = ['--run', run, '--oracle', '--n', '4', '--out', out, '--json', ...fast];
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/likelihood.ts', ...args], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', out_dir: out, n: 4, solver: 'heun' });
    expect(result.stderr).toContain('log-likelihood of 4 fresh target samples');
  });

  it('into the run\'s own likelihood folder it locks the run: a run in use elsewhere is refused, nothing written', async () => {
    const lock = lockRunDir(run, 'npm run train');
    try {
      const message = await refusal(['--n', '8', '--seed', '4', ...fast]);
      expect(message.startsWith(`${run}: in use by pid ${process.pid} on host `)).toBe(true);
      expect(message).toContain('(npm run train, since ');
    } finally {
      lock.release();
    }
    expect(fs.existsSync(path.join(run, 'likelihood', 'ema-n8-target-heun-edm-steps8-exactdiv-seed4'))).toBe(false);
  });

  it('writes log p per point (float64, in input order) and metrics.json with the exact comparison', async () => {
    const points = new Float32Array(Array.from({ length: 12 }, (_, i) => Math.sin(i) * 2));
    const forward = path.join(files, 'forward.npy');
    const backward = path.join(files, 'backward.npy');
    writeNpySync(forward, points, [6, 2]);
    const reversed = new Float32Array(12);
    for (let i = 0; i < 6; i++) reversed.set(points.subarray(i * 2, i * 2 + 2), (5 - i) * 2);
    writeNpySync(backward, reversed, [6, 2]);
    const outA = path.join(tempDir('likelihood-a'), 'out');
    const outB = path.join(tempDir('likelihood-b'), 'out');
    expect(await likelihoodCli(['--run', run, '--points', forward, '--out', outA, ...fast])).toBe(0);
    expect(await likelihoodCli(['--run', run, '--points', backward, '--out', outB, ...fast])).toBe(0);
    const a = readNpySync(path.join(outA, 'logp.npy'));
    const b = readNpySync(path.join(outB, 'logp.npy'));
    expect(a.dtype).toBe('float64');
    expect(a.shape).toEqual([6]);
    for (let i = 0; i < 6; i++) expect(a.data[i]).toBeCloseTo(b.data[5 - i]!, 4);
    const metrics = JSON.parse(fs.readFileSync(path.join(outA, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ command: 'likelihood', target: 'grid9', process: 'vp', solver: 'heun', grid: 'edm', steps: 8, nfe: 16, n: 6, dim: 2 });
    expect(metrics.meanNll).toBeCloseTo(-Array.from(a.data).reduce((s, l) => s + l, 0) / 6, 10);
    // A bundle exported from the run gives the same values.
    const bundle = path.join(tempDir('likelihood-bundle'), 'bundle');
    expect(await exportCli(['--run', run, '--out', bundle])).toBe(0);
    const outC = path.join(tempDir('likelihood-c'), 'out');
    expect(await likelihoodCli(['--bundle', bundle, '--points', forward, '--out', outC, ...fast])).toBe(0);
    const c = readNpySync(path.join(outC, 'logp.npy'));
    for (let i = 0; i < 6; i++) expect(c.data[i]).toBeCloseTo(a.data[i]!, 4);
    for (const key of ['exactLogpAbsErrorMedian', 'exactLogpAbsErrorP95', 'tauMinLogpAbsErrorMedian', 'exactEntropy', 'kl', 'klStdErr']) expect(Number.isFinite(metrics[key])).toBe(true);
  });

  it('default folder under the run; Hutchinson above --exact-div-max-dim reports its standard error', async () => {
    expect(await likelihoodCli(['--run', run, '--n', '8', '--seed', '3', '--exact-div-max-dim', '1', '--probes', '3', ...fast])).toBe(0);
    const out = path.join(run, 'likelihood', 'ema-n8-target-heun-edm-steps8-hutch3-seed3');
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.divergence).toBe('Hutchinson, 3 Rademacher probes');
    expect(metrics.hutchinsonStdErrRms).toBeGreaterThan(0);
    // The same command again finds its folder taken; no temporary folder is left beside it.
    expect(await refusal(['--n', '8', '--seed', '3', '--exact-div-max-dim', '1', '--probes', '3', ...fast])).toBe(
      `the default output folder ${out}: already holds a likelihood (logp.npy, metrics.json) from these settings; for new ones give another --seed, or --out (a new or empty folder)`,
    );
    expect(fs.readdirSync(path.dirname(out))).toEqual([path.basename(out)]);
  });

  it('--oracle on grid9 (VP): after the start correction the solver error is below 1e-3 nats per point', async () => {
    const out = path.join(tempDir('likelihood-oracle'), 'out');
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      expect(await likelihoodCli(['--run', run, '--oracle', '--n', '40', '--seed', '2', '--out', out, '--backend', 'wasm', '--threads', '1', '--json'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    // --json: stdout is the summary alone, metrics.json's values with the folder and backend.
    const summary = JSON.parse(written.join(''));
    expect(summary).toMatchObject({ status: 'completed', out_dir: out, backend: 'wasm', meanNll: metrics.meanNll, kl: metrics.kl });
    expect(metrics).toMatchObject({ score: 'oracle (exact score)', solver: 'rk45', tolerance: { rtol: 1e-5, atol: 1e-5 } });
    expect(metrics.solverLogpAbsErrorP95).toBeLessThan(1e-3);
    expect(metrics.exactLogpAbsErrorMedian).toBeLessThan(1e-2);
    expect(Math.abs(metrics.kl)).toBeLessThan(4 * metrics.klStdErr + 1e-3);
  });
});

describe('npm run likelihood on images', () => {
  it('mnist: dequantised test images, Hutchinson above 16 dimensions, bits/dim = NLL / (d ln 2) + 7', async () => {
    const mnistRun = path.join(tempDir('likelihood-mnist'), 'run');
    const tiny = ['--target', 'mnist', '--subset', '128', '--channels', '8,16,16', '--groups', '4', '--batch-size', '8', '--backend', 'wasm', '--threads', '1'];
    expect(await trainCli([...tiny, '--steps', '2', '--no-eval', '--out', mnistRun])).toBe(0);
    const out = path.join(tempDir('likelihood-mnist-out'), 'out');
    expect(await likelihoodCli(['--run', mnistRun, '--n', '2', '--probes', '2', '--solver', 'euler', '--nfe', '3', '--out', out, '--backend', 'wasm', '--threads', '1'])).toBe(0);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ target: 'mnist', n: 2, dim: 784, divergence: 'Hutchinson, 2 Rademacher probes', points: 'the first 2 test images (dequantised)' });
    expect(metrics.dequantisation).toMatch(/^uniform dequantisation of 8-bit pixels/);
    expect(metrics.bitsPerDim).toBeCloseTo(metrics.meanNll / (784 * Math.LN2) + 7, 10);
    expect(metrics.kl).toBeUndefined();
    expect(readNpySync(path.join(out, 'logp.npy')).shape).toEqual([2]);
  });
});
