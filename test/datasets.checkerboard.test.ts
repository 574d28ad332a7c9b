import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Checkerboard, truncatedNormal } from '../datasets/checkerboard.js';
import { createTarget, createTargetFromConfig, resolveTargetRequest, targetModule } from '../datasets/index.js';
import type { PathCoefficients } from '../datasets/target.js';
import { loadScoreModel, sample } from '../src/api.js';
import { diagnoseCli } from '../src/cli/diagnose-cli.js';
import { exportCli } from '../src/cli/export-cli.js';
import { sampleCli } from '../src/cli/sample-cli.js';
import { trainCli } from '../src/cli/train-cli.js';
import type { DiagnosticsJson } from '../src/diagnostics/report.js';
import { createProcess } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import { sampleReverseSde } from '../src/sampler/reverse-sde.js';
import { oracleScoreFunction } from '../src/sampler/score-function.js';
import { tempDir, useWasm } from './helpers.js';

const target = new Checkerboard();

/** The black cells as [x lo, y lo]: (i, j) with i + j even, the cell [-4, -2]^2 among them. */
const BLACK: [number, number][] = [
  [-4, -4],
  [-4, 0],
  [-2, -2],
  [-2, 2],
  [0, -4],
  [0, 0],
  [2, -2],
  [2, 2],
];

/** From the data (b = 0 excluded) through small noise to the prior end (a = 0). */
const LEVELS: PathCoefficients[] = [
  { a: 1, b: 0.02 },
  { a: 1, b: 0.3 },
  { a: 0.8, b: 0.6 },
  { a: 0.3, b: 1 },
  { a: 0.02, b: 1 },
  { a: 0, b: 1 },
  { a: 1, b: 4 },
];

/** Noised target samples, points on edges and corners of cells, and points far from the board. */
function testPoints(p: PathCoefficients, seed: number): Float64Array {
  const rng = Rng.fromSeed(seed);
  const clean = target.sample(10, rng);
  const noised = clean.map((v) => p.a * v + p.b * rng.normal());
  const special = [0, 0, -2, 2, 4 * p.a, -4 * p.a, 0.7, -3.1, 12, -9, 60, -35, -400, 250];
  return Float64Array.from([...noised, ...special]);
}

const logDensityAt = (x: number, y: number, p: PathCoefficients) => target.noisedLogDensity(Float64Array.of(x, y), p)[0];

/** Riemann sum (midpoints) of the density over [lo, hi]^2 with n x n cells. */
function integrate(p: PathCoefficients, lo: number, hi: number, n: number, density = (g: Float64Array) => target.noisedLogDensity(g, p)): number {
  const h = (hi - lo) / n;
  const grid = new Float64Array(2 * n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) grid.set([lo + (i + 0.5) * h, lo + (j + 0.5) * h], 2 * (i * n + j));
  return density(grid).reduce((sum, l) => sum + Math.exp(l), 0) * h * h;
}

describe('checkerboard: the data', () => {
  it('samples every black cell with an equal share and never a white cell or the outside', () => {
    const n = 80_000;
    const x = target.sample(n, Rng.fromSeed(1));
    const counts = new Array<number>(BLACK.length).fill(0);
    let lowerLeftQuarter = 0;
    for (let p = 0; p < n; p++) {
      const [u, v] = [x[2 * p], x[2 * p + 1]];
      const k = BLACK.findIndex(([lx, ly]) => u >= lx && u <= lx + 2 && v >= ly && v <= ly + 2);
      expect(k, `point (${u}, ${v}) is not on a black cell`).toBeGreaterThanOrEqual(0);
      counts[k] += 1;
      if (u - BLACK[k][0] < 1 && v - BLACK[k][1] < 1) lowerLeftQuarter += 1;
    }
    // Binomial standard errors: shares 1/8 per cell, 1/4 per quarter of a cell.
    const se = Math.sqrt(n * (1 / 8) * (7 / 8));
    for (const c of counts) expect(Math.abs(c - n / 8)).toBeLessThan(4.5 * se);
    expect(Math.abs(lowerLeftQuarter - n / 4)).toBeLessThan(4.5 * Math.sqrt(n * (1 / 4) * (3 / 4)));
  });

  it('has log density log(1/32) on the black cells, -Infinity elsewhere, integrating to 1', () => {
    const black = Float64Array.of(-3, -3, 1, 1, -1.5, 2.5, 3.9, -0.1);
    const white = Float64Array.of(-3, -1, 1, -1, 3, 1, 5, 0, -4.5, -3);
    for (const l of target.logDensity(black)) expect(l).toBeCloseTo(-Math.log(32), 14);
    for (const l of target.logDensity(white)) expect(l).toBe(-Infinity);
    // The grid's cells align with the board, so the midpoint rule is exact.
    expect(integrate({ a: 1, b: 0 }, -5, 5, 200, (g) => target.logDensity(g))).toBeCloseTo(1, 12);
  });

  it('reports dataStd and params: each coordinate uniform on [-4, 4]', () => {
    expect(target.dataStd).toBeCloseTo(Math.sqrt(64 / 12), 15);
    const n = 40_000;
    const x = target.sample(n, Rng.fromSeed(2));
    const var0 = x.filter((_, k) => k % 2 === 0).reduce((s, v) => s + v * v, 0) / n;
    // Standard error of the mean of x^2: Var(x^2) = E x^4 - (E x^2)^2 = 4^4 / 5 - (16 / 3)^2.
    expect(Math.abs(var0 - 64 / 12)).toBeLessThan(4.5 * Math.sqrt((256 / 5 - (64 / 12) ** 2) / n));
    expect(target.params).toMatchObject({ low: -4, high: 4, cells: 4 });
    expect(target.dim).toBe(2);
  });
});

describe('checkerboard: exact noised quantities', () => {
  it('noised density integrates to 1 at every noise level', () => {
    // Levels whose noise the grid resolves: spacing well below b.
    for (const p of LEVELS.filter((l) => l.b >= 0.3)) {
      const reach = 4 * p.a + 10 * p.b;
      expect(integrate(p, -reach, reach, 300), JSON.stringify(p)).toBeCloseTo(1, 9);
    }
  });

  it('noised density matches a Monte-Carlo histogram of a x0 + b eps', () => {
    const p = { a: 0.8, b: 0.5 };
    const n = 100_000;
    const rng = Rng.fromSeed(3);
    const x0 = target.sample(n, rng);
    const y = x0.map((v) => p.a * v + p.b * rng.normal());
    const boxes: [number, number, number, number][] = [
      [-3.2, -1.6, -3.2, -1.6],
      [-1.6, 0, -1.6, 0],
      [-1.6, 0, 0, 1.6],
      [0.4, 2.4, -3, -1],
      [3, 5, 3, 5],
      [-0.5, 0.5, -0.5, 0.5],
    ];
    for (const [x1, x2, y1, y2] of boxes) {
      let hits = 0;
      for (let k = 0; k < n; k++) if (y[2 * k] >= x1 && y[2 * k] < x2 && y[2 * k + 1] >= y1 && y[2 * k + 1] < y2) hits += 1;
      const m = 100;
      const grid = new Float64Array(2 * m * m);
      const [hx, hy] = [(x2 - x1) / m, (y2 - y1) / m];
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) grid.set([x1 + (i + 0.5) * hx, y1 + (j + 0.5) * hy], 2 * (i * m + j));
      const mass = target.noisedLogDensity(grid, p).reduce((s, l) => s + Math.exp(l), 0) * hx * hy;
      const se = Math.sqrt(n * mass * (1 - mass));
      expect(Math.abs(hits - n * mass), `box ${[x1, x2, y1, y2]}: ${hits} hits, expected ${n * mass}`).toBeLessThan(4.5 * se + 1);
    }
  });

  it('score is the gradient of the noised log density (central differences), finite far from the board', () => {
    for (const [s, p] of LEVELS.entries()) {
      const x = testPoints(p, 10 + s);
      const score = target.noisedScore(x, p);
      expect(score.every(Number.isFinite)).toBe(true);
      for (let k = 0; k < x.length / 2; k++) {
        const [u, v] = [x[2 * k], x[2 * k + 1]];
        const h = 1e-5 * Math.max(1, Math.abs(u), Math.abs(v));
        const gu = (logDensityAt(u + h, v, p) - logDensityAt(u - h, v, p)) / (2 * h);
        const gv = (logDensityAt(u, v + h, p) - logDensityAt(u, v - h, p)) / (2 * h);
        const scale = Math.max(1, Math.abs(score[2 * k]), Math.abs(score[2 * k + 1]));
        expect(Math.abs(gu - score[2 * k]) / scale, `${JSON.stringify(p)} at (${u}, ${v})`).toBeLessThan(1e-6);
        expect(Math.abs(gv - score[2 * k + 1]) / scale, `${JSON.stringify(p)} at (${u}, ${v})`).toBeLessThan(1e-6);
      }
    }
  });

  it('posterior mean is (x + b^2 score) / a (Tweedie), and lies on the board', () => {
    for (const [s, p] of LEVELS.filter((l) => l.a >= 0.3).entries()) {
      const x = testPoints(p, 20 + s);
      const score = target.noisedScore(x, p);
      const mean = target.posteriorMean(x, p);
      for (let k = 0; k < x.length; k++) {
        const tweedie = (x[k] + p.b * p.b * score[k]) / p.a;
        expect(Math.abs(mean[k] - tweedie), `${JSON.stringify(p)}, entry ${k}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(x[k]) / p.a));
        expect(Math.abs(mean[k])).toBeLessThanOrEqual(4);
      }
    }
  });

  it('posterior covariance is (b^2 / a^2)(I + b^2 grad score) (second-order Tweedie), symmetric and positive', () => {
    for (const p of [LEVELS[1], LEVELS[2], LEVELS[3]]) {
      const x = testPoints(p, 30).subarray(0, 2 * 14);
      const cov = target.posteriorCovariance(x, p);
      for (let k = 0; k < x.length / 2; k++) {
        const at = (du: number, dv: number) => target.noisedScore(Float64Array.of(x[2 * k] + du, x[2 * k + 1] + dv), p);
        const h = 1e-5;
        const [pu, mu, pv, mv] = [at(h, 0), at(-h, 0), at(0, h), at(0, -h)];
        const jacobian = [(pu[0] - mu[0]) / (2 * h), (pv[0] - mv[0]) / (2 * h), (pu[1] - mu[1]) / (2 * h), (pv[1] - mv[1]) / (2 * h)];
        const c = (p.b * p.b) / (p.a * p.a);
        const expected = [c * (1 + p.b * p.b * jacobian[0]), c * p.b * p.b * jacobian[1], c * p.b * p.b * jacobian[2], c * (1 + p.b * p.b * jacobian[3])];
        const block = cov.subarray(4 * k, 4 * k + 4);
        const scale = Math.max(1e-3, ...block.map(Math.abs));
        for (let e = 0; e < 4; e++) expect(Math.abs(block[e] - expected[e]) / scale, `${JSON.stringify(p)} entry ${e}`).toBeLessThan(1e-5);
        expect(block[1]).toBe(block[2]);
        expect(block[0]).toBeGreaterThanOrEqual(0);
        expect(block[0] * block[3] - block[1] * block[2]).toBeGreaterThanOrEqual(-1e-12);
      }
    }
  });

  it('at a = 0 the posterior is the data law itself: mean 0, covariance [[16/3, 1], [1, 16/3]]', () => {
    const x = Float64Array.of(0.3, -2, 7, 1);
    const p = { a: 0, b: 1.5 };
    target.noisedScore(x, p).forEach((s, k) => expect(s).toBeCloseTo(-x[k] / 2.25, 14));
    for (const m of target.posteriorMean(x, p)) expect(Math.abs(m)).toBeLessThan(1e-15);
    const cov = target.posteriorCovariance(x, p);
    for (const k of [0, 4]) {
      expect(cov[k]).toBeCloseTo(16 / 3, 13);
      expect(cov[k + 1]).toBeCloseTo(1, 13);
      expect(cov[k + 3]).toBeCloseTo(16 / 3, 13);
    }
  });

  it('at b = 0: x = a x0 exactly; the score is undefined there', () => {
    const p = { a: 0.5, b: 0 };
    const x = Float64Array.of(-1.5, -1.5, 0.5, -0.5);
    expect(Array.from(target.noisedLogDensity(x, p))).toEqual([-Math.log(32) - 2 * Math.log(0.5), -Infinity]);
    expect(Array.from(target.posteriorMean(x, p))).toEqual([-3, -3, 1, -1]);
    expect(target.posteriorCovariance(x, p).every((v) => v === 0)).toBe(true);
    expect(() => target.noisedScore(x, p)).toThrow(/no score at b = 0/);
    expect(() => target.noisedScore(x, { a: 0, b: 0 })).toThrow(RangeError);
    expect(() => target.noisedScore(Float64Array.of(1, 2, 3), { a: 1, b: 1 })).toThrow(/rows of dimension 2/);
  });

  it('truncated standard normal moments match high-precision values in every branch', () => {
    // [alpha, beta, log mass, mean, variance], from 120-digit arithmetic.
    const reference: [number, number, number, number, number][] = [
      [0.25, 0.35, -3.2669027362059429, 0.29975008706976071, 0.00083301812566797802],
      [-4.7, 5.3, -1.3587097173625568e-6, 6.0526984810501532e-6, 0.99996838092697824],
      [14.0, 16.0, -101.56303440745004, 14.07071763218458, 0.0049521659114587868],
      [-16.0, -14.0, -101.56303440745004, -14.07071763218458, 0.0049521659114587868],
      [3.0, 13.0, -6.6077262215103495, 3.2830986549304365, 0.070559186785268117],
      [299.999, 300.001, -45007.118591544881, 299.99990059491612, 3.2741793787883094e-7],
      [-2.001, -1.999, -9.1335461316271413, -1.9999993333336, 3.3333302222242182e-7],
      [-19.0, 21.0, -8.5272239526309765e-81, 1.624636036773608e-79, 1.0],
    ];
    for (const [alpha, beta, logMass, mean, variance] of reference) {
      const t = truncatedNormal(alpha, beta);
      expect(Math.abs(t.logMass - logMass), `log mass on [${alpha}, ${beta}]`).toBeLessThan(1e-12 * Math.max(1, Math.abs(logMass)));
      expect(Math.abs(t.mean - mean), `mean on [${alpha}, ${beta}]`).toBeLessThan(1e-12 * Math.max(1, Math.abs(mean)));
      expect(Math.abs(t.offset - (mean - (alpha + beta) / 2))).toBeLessThan(1e-12 * Math.max(1, Math.abs(mean)));
      expect(Math.abs(t.variance - variance) / variance, `variance on [${alpha}, ${beta}]`).toBeLessThan(1e-8);
    }
  });
});

describe('checkerboard: one module, registered in one line', () => {
  it('is built by name with no options, and refuses options and request keys it does not take', () => {
    expect(createTarget('checkerboard').name).toBe('checkerboard');
    expect(() => createTargetFromConfig('checkerboard', { scale: 2 })).toThrow();
    expect(targetModule('checkerboard').capabilities).toMatchObject({ exactScore: true, logDensity: true, mixture: false, marginal: false, nodeOnly: false });
    expect(resolveTargetRequest('checkerboard', {}, 5)).toEqual({ name: 'checkerboard', options: {} });
    expect(() => resolveTargetRequest('checkerboard', { dim: 3 })).toThrow(/^--dim 3: does not apply to --target checkerboard$/);
  });

  it('works with diagnose --target (exact score)', async () => {
    const out = path.join(tempDir('diagnose-checkerboard'), 'out');
    const small = ['--r-count', '4', '--n', '200', '--delta-count', '100', '--u-count', '20', '--m', '1,3'];
    expect(await diagnoseCli(['--target', 'checkerboard', ...small, '--out', out])).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'diagnostics.json'), 'utf8')) as DiagnosticsJson;
    expect(json.target.name).toBe('checkerboard');
    expect(json.r).toHaveLength(4);
    await expect(diagnoseCli(['--target', 'checkerboard', '--dim', '3', '--out', out])).rejects.toThrow(/^--dim 3: does not apply to --target checkerboard$/);
  });

  it('the exact-score sampler puts its samples on the black cells in equal shares', async () => {
    await useWasm();
    const proc = createProcess('vp');
    const n = 2000;
    const samples = await sampleReverseSde(proc, oracleScoreFunction(target), n, 2, {
      steps: 200,
      tauMin: proc.tauMin,
      tauMax: proc.tauMax,
      denoise: true,
      batchSize: n,
      seed: 4,
    });
    const counts = new Array<number>(BLACK.length).fill(0);
    for (let k = 0; k < n; k++) {
      const cell = BLACK.findIndex(([lx, ly]) => samples[2 * k] >= lx - 0.05 && samples[2 * k] <= lx + 2.05 && samples[2 * k + 1] >= ly - 0.05 && samples[2 * k + 1] <= ly + 2.05);
      if (cell >= 0) counts[cell] += 1;
    }
    const onBlack = counts.reduce((s, c) => s + c, 0);
    expect(onBlack / n).toBeGreaterThan(0.97);
    for (const c of counts) expect(Math.abs(c / onBlack - 1 / 8)).toBeLessThan(4.5 * Math.sqrt((1 / 8) * (7 / 8) / onBlack));
  });

  it('trains, samples (network and oracle), exports, and its bundle loads, samples and rebuilds the target', async () => {
    const run = path.join(tempDir('checkerboard-run'), 'run');
    const train = ['--target', 'checkerboard', '--steps', '20', '--width', '16', '--depth', '1', '--batch-size', '64', '--no-eval', '--out', run, '--backend', 'wasm'];
    expect(await trainCli(train)).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(run, 'config.json'), 'utf8')) as { target: { name: string; dim: number } };
    expect(config.target).toMatchObject({ name: 'checkerboard', dim: 2 });
    for (const extra of [[], ['--oracle']]) {
      const out = path.join(tempDir('checkerboard-samples'), 'samples');
      expect(await sampleCli(['--run', run, '-n', '50', '--steps', '10', '--out', out, '--backend', 'wasm', ...extra])).toBe(0);
      expect(fs.existsSync(path.join(out, 'metrics.json'))).toBe(true);
    }
    const bundle = path.join(tempDir('checkerboard-bundle'), 'bundle');
    expect(await exportCli(['--run', run, '--out', bundle])).toBe(0);
    const model = await loadScoreModel(bundle);
    expect(model.config.target.name).toBe('checkerboard');
    const xs = await sample(model, { n: 8, steps: 10, seed: 1 });
    expect(xs.length).toBe(16);
    expect(xs.every(Number.isFinite)).toBe(true);
    // The page rebuilds the target from the bundle's record to draw its density.
    const rebuilt = createTargetFromConfig(model.config.target.name, model.config.target.options);
    expect(rebuilt.logDensity(Float64Array.of(-3, -3))[0]).toBeCloseTo(Math.log(1 / 32), 12);
  });
});
