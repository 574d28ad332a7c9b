import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { diagnoseCli } from '../src/cli/diagnose-cli.js';
import { trainCli } from '../src/cli/train-cli.js';
import type { DiagnosticsJson } from '../src/diagnostics/report.js';
import { UsageError } from '../src/errors.js';
import { tempDir } from './helpers.js';

let runDir: string;

const readJson = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'diagnostics.json'), 'utf8')) as DiagnosticsJson;
const FIGURES = ['survival', 'm-star-delta-star', 'zeta'].flatMap((name) => [`${name}.svg`, `${name}.png`]);
const SMALL = ['--r-count', '5', '--n', '200', '--delta-count', '100', '--u-count', '20'];

beforeAll(async () => {
  runDir = path.join(tempDir('diagnose'), 'run');
  const code = await trainCli(['--steps', '30', '--width', '16', '--depth', '1', '--batch-size', '64', '--no-eval', '--out', runDir, '--backend', 'wasm']);
  expect(code).toBe(0);
});

describe('npm run diagnose', () => {
  it('--target writes every curve and the figures', async () => {
    const out = path.join(tempDir('diagnose-target'), 'out');
    expect(await diagnoseCli(['--target', 'two-point', '--mu', '2', '--dim', '2', ...SMALL, '--m', '1,3', '--out', out])).toBe(0);
    const json = readJson(out);
    expect(json.target).toEqual({ name: 'two-point', params: { mu: 2, dim: 2 } });
    expect(json.r).toHaveLength(5);
    expect(json.network).toBeNull();
    const level = json.exact.levels[2];
    expect([level.u.length, level.survival.length, level.h.length, level.zeta.length]).toEqual([20, 20, 100, 2]);
    for (const f of FIGURES) expect(fs.statSync(path.join(out, f)).size).toBeGreaterThan(1000);
  });

  it('--run compares the network with the exact curves in <run>/diagnostics, and regenerates it', async () => {
    expect(await diagnoseCli(['--run', runDir, ...SMALL, '--r-min', '0.1', '--r-max', '10'])).toBe(0);
    const out = path.join(runDir, 'diagnostics');
    const json = readJson(out);
    expect(json.source).toBe('run');
    expect(json.tau.every((t) => t !== null && t > 0 && t < 1)).toBe(true);
    expect(json.network?.asymmetry_mean).toHaveLength(5);
    expect(json.comparison?.max.m_star).toBeGreaterThanOrEqual(0);
    for (const f of FIGURES) expect(fs.existsSync(path.join(out, f))).toBe(true);
    // The default per-run folder is regenerated in place.
    expect(await diagnoseCli(['--run', runDir, '--r', '0.5,2', '--n', '50', '--jacobian', 'iterative'])).toBe(0);
    expect(readJson(out).r).toEqual([0.5, 2]);
  });

  const cases: [string[], RegExp][] = [
    [[], /^--target: give exactly one of --target NAME and --run DIR/],
    [['--target', 'moons'], /^--target 'moons': expected one of funnel, grid9, ring8, gmm, gaussian, two-point, checkerboard$/],
    [['--target', 'grid9', '--mu', '2'], /^--mu 2: does not apply to --target grid9$/],
    [['--target', 'funnel', '--dim', '1'], /^--dim 1: not accepted by --target funnel/],
    [['--target', 'grid9', '--jacobian', 'full'], /^--jacobian full: applies only with --run/],
    [['--target', 'grid9', '--r', '1,0.5'], /^--r '1,0.5': expected comma-separated positive numbers in increasing order$/],
    [['--target', 'grid9', '--r', '1', '--r-count', '3'], /^--r 1: give either --r or --r-min/],
    [['--target', 'grid9', '--r-min', '2', '--r-max', '1'], /^--r-min 2: must be below --r-max \(1\)$/],
    [['--target', 'grid9', '--m', '1,x'], /^--m '1,x': expected comma-separated positive numbers$/],
    [['--target', 'grid9', '--n', '0'], /^--n '0': expected an integer from 1 to 1000000 \(/],
    [['--target', 'grid9', '--bogus'], /^--bogus: unknown flag/],
  ];
  it.each(cases)('rejects %j with one line', async (argv, message) => {
    const error = await diagnoseCli(argv).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a non-empty --out and an unreachable r before doing any work', async () => {
    const out = tempDir('diagnose-busy');
    fs.writeFileSync(path.join(out, 'keep.txt'), 'x');
    await expect(diagnoseCli(['--target', 'grid9', '--out', out])).rejects.toThrow(/already exists and is not empty/);
    expect(fs.readdirSync(out)).toEqual(['keep.txt']);
    await expect(diagnoseCli(['--run', runDir, '--r-min', '1e-4'])).rejects.toThrow(/^--r-min 0.0001: the vp process never gets that noisy/);
    await expect(diagnoseCli(['--run', runDir, '--mu', '2'])).rejects.toThrow(/^--mu 2: does not apply with --run/);
  });
});
