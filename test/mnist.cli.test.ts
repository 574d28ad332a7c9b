import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadScoreModel, sample } from '../src/api.js';
import { BUNDLE_FILES } from '../src/bundle/format.js';
import { decodeSafetensors } from '../src/bundle/safetensors.js';
import { classifierCli } from '../src/cli/classifier-cli.js';
import { exportCli } from '../src/cli/export-cli.js';
import { sampleCli } from '../src/cli/sample-cli.js';
import { trainCli } from '../src/cli/train-cli.js';
import { diagnoseCli } from '../src/cli/diagnose-cli.js';
import type { TrainFlags } from '../src/cli/train-options.js';
import type { RunConfig } from '../src/config/run-config.js';
import { UsageError } from '../src/errors.js';
import { readNpy } from '../src/io/npy.js';
import { buildRunParts } from '../src/run/build.js';
import { readRunConfig } from '../src/run/run-dir.js';
import { Rng } from '../src/rng.js';
import { networkScore } from '../src/score-network.js';
import { loadWeights } from '../src/train/state.js';
import { tempDir, useWasm } from './helpers.js';

/** A U-Net small enough for a test: 28 -> 14 -> 7 with 8 and 16 channels. */
const TINY = ['--target', 'mnist', '--subset', '128', '--channels', '8,16,16', '--groups', '4', '--attention', '--batch-size', '8', '--backend', 'wasm', '--threads', '1'];
const EVAL = ['--eval-samples', '12', '--eval-steps', '4', '--eval-batch-size', '6'];

/** Runs a command with its output captured; returns its exit code, every printed line, and stdout alone (with --json: the summary only). */
async function quiet(run: () => Promise<number>): Promise<{ code: number; lines: string[]; stdout: string }> {
  const lines: string[] = [];
  let stdout = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  // With --json the human text goes to stderr.
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => ((stdout += String(chunk)), lines.push(String(chunk).trimEnd()), true));
  try {
    return { code: await run(), lines, stdout };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

const lastJson = (lines: string[]) => JSON.parse(lines.filter((l) => l.startsWith('{')).at(-1)!) as Record<string, unknown>;

let classifierDir: string;
const runs: Record<'vp' | 'pbm', string> = { vp: '', pbm: '' };

beforeAll(async () => {
  await useWasm();
  // A barely trained classifier: the test checks the plumbing of the image metrics, not their values.
  classifierDir = path.join(tempDir('mnist-cls'), 'cls');
  expect((await quiet(() => classifierCli(['--steps', '3', '--subset', '256', '--batch-size', '32', '--out', classifierDir, '--backend', 'wasm']))).code).toBe(0);
  for (const p of ['vp', 'pbm'] as const) {
    runs[p] = path.join(tempDir(`mnist-${p}`), 'run');
    const { code, lines } = await quiet(() =>
      trainCli([...TINY, '--process', p, '--steps', '6', '--checkpoint-every', '3', '--log-every', '3', ...EVAL, '--classifier', classifierDir, '--out', runs[p], '--json']),
    );
    expect(code).toBe(0);
    expect(lines.join('\n')).toMatch(/U-Net on 28 x 28 x 1, channels 8,16,16, 1 res-block per level, attention at 7 x 7, noise prediction, [\d,]+ parameters/);
    expect(lastJson(lines)).toMatchObject({ status: 'completed', steps: 6 });
  }
});

describe('--target mnist, U-Net, VP and PBM through the same trainer and sampler', () => {
  it.each(['vp', 'pbm'] as const)('%s: the run records the U-Net and the data; evaluation writes samples.npy, an image grid and the image metrics', async (p) => {
    const config = readRunConfig(runs[p], '--run');
    expect(config.target).toMatchObject({ name: 'mnist', dim: 784, options: { subset: 128 } });
    // The CPU recipe's loss weighting is the default for images.
    expect(config.train.minSnrGamma).toBe(5);
    expect(config.train.tauSampling).toBe('logistic');
    expect(config.model).toMatchObject({ kind: 'unet', imageShape: [28, 28, 1], channels: [8, 16, 16], blocksPerLevel: 1, attention: true, groups: 4, embedDim: 32 });
    const dir = path.join(runs[p], 'samples', 'ema-n12-steps4-seed0');
    const samples = await readNpy(path.join(dir, 'samples.npy'));
    expect(samples.shape).toEqual([12, 784]);
    expect(Array.from(samples.data).every((v) => Number.isFinite(v))).toBe(true);
    const png = PNG.sync.read(fs.readFileSync(path.join(dir, 'samples.png')));
    // 12 images: 8 columns, 2 rows, 28-pixel cells with 2-pixel separators.
    expect([png.width, png.height]).toEqual([8 * 28 + 9 * 2, 2 * 28 + 3 * 2]);
    const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
    for (const key of ['fid', 'fid_floor', 'class_entropy', 'confident_share']) expect(Number.isFinite(metrics[key]), key).toBe(true);
    expect(metrics.class_histogram.reduce((a: number, b: number) => a + b, 0)).toBe(12);
    // The point-cloud distances are meaningless in 784 dimensions and are not computed.
    expect(metrics.mmd).toBeUndefined();
    expect(metrics.process.name).toBe(p);
    // Pixels lie in [-1, 1]: the sampler clips its denoised estimate there, so the samples do too.
    expect(metrics.sampler.clip).toEqual({ lo: -1, hi: 1 });
    expect(Array.from(samples.data).every((v) => v >= -1 && v <= 1)).toBe(true);
    // The image default: one Langevin corrector step (snr 0.25) after each Euler-Maruyama step.
    expect(metrics.sampler).toMatchObject({ method: 'predictor-corrector', corrector: { steps: 1, snr: 0.25 } });
  });

  it('resumes a run to more steps', async () => {
    const { code, lines } = await quiet(() => trainCli(['--resume', runs.vp, '--steps', '8', '--no-eval', '--threads', '1', '--json']));
    expect(code).toBe(0);
    expect(lastJson(lines)).toMatchObject({ status: 'completed', steps: 8 });
    await expect(trainCli(['--resume', runs.vp, '--channels', '8,16'])).rejects.toThrow(/^--channels 8,16: does not match the run in .* \(--channels 8,16,16\)/);
    await expect(trainCli(['--resume', runs.vp, '--width', '64'])).rejects.toThrow(/^--width 64: does not apply to the run in .* \(--backbone unet\)/);
  });

  it('refuses a --classifier folder that holds no classifier before sampling, and writes nothing', async () => {
    const out = path.join(tempDir('mnist-sample'), 'out');
    const missing = path.join(out, 'none');
    const error = await sampleCli(['--run', runs.pbm, '--n', '3', '--steps', '3', '--out', out, '--classifier', missing, '--threads', '1']).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`--classifier ${missing}: no such folder ${missing}; run npm run classifier first (or pass --classifier DIR)`);
    // No metric-less samples folder is left to block the re-run with the right classifier.
    expect(fs.existsSync(out)).toBe(false);
  });

  it('--no-clip samples without the clip, into a folder of its own by default', async () => {
    const { code, lines } = await quiet(() => sampleCli(['--run', runs.vp, '--n', '3', '--steps', '3', '--no-clip', '--threads', '1', '--json']));
    expect(code).toBe(0);
    const dir = path.join(runs.vp, 'samples', 'ema-n3-steps3-seed0-noclip');
    expect(lastJson(lines)).toMatchObject({ out_dir: dir });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8')).sampler.clip).toBeUndefined();
  });

  it('--corrector-steps 0 samples plain Euler-Maruyama, into a folder of its own by default', async () => {
    const { code, lines } = await quiet(() => sampleCli(['--run', runs.pbm, '--n', '3', '--steps', '3', '--corrector-steps', '0', '--threads', '1', '--json']));
    expect(code).toBe(0);
    const dir = path.join(runs.pbm, 'samples', 'ema-n3-steps3-seed0-em');
    expect(lastJson(lines)).toMatchObject({ out_dir: dir });
    const sampler = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8')).sampler;
    expect(sampler.method).toBe('euler-maruyama');
    expect(sampler.corrector).toBeUndefined();
  });

  it('refuses what needs an exact score, in one line', async () => {
    await expect(sampleCli(['--run', runs.vp, '--oracle'])).rejects.toThrow(/^--oracle: target mnist has no exact score/);
    await expect(diagnoseCli(['--run', runs.vp])).rejects.toThrow(/^--run .*: target mnist has no exact score/);
  });
});

describe('export -> load round trip of the U-Net', () => {
  it('gives the same scores as the run, with conv kernels stored [kh, kw, cin, cout]', async () => {
    const out = path.join(tempDir('mnist-bundle'), 'bundle');
    expect((await quiet(() => exportCli(['--run', runs.pbm, '--out', out]))).code).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(out, BUNDLE_FILES.config), 'utf8'));
    expect(config.network.backbone.kind).toBe('unet');
    expect(config.sampler.batchSize).toBe(250);
    expect(config.sampler.clip).toEqual({ lo: -1, hi: 1 });
    expect(config.sampler.corrector).toEqual({ steps: 1, snr: 0.25 });
    const tensors = config.network.tensors as { name: string; shape: number[]; layout: string }[];
    expect(tensors.find((t) => t.name === 'down0/res0/conv1/kernel')).toMatchObject({ shape: [3, 3, 8, 8], layout: expect.stringMatching(/^\[kh, kw, cin, cout\]/) });
    expect(tensors.find((t) => t.name === 'up0/res0/skip/kernel')?.shape).toEqual([1, 1, 16, 8]);
    const st = decodeSafetensors(new Uint8Array(fs.readFileSync(path.join(out, BUNDLE_FILES.safetensors))), 'model.safetensors');
    expect(st.tensors.map((t) => t.name)).toEqual(tensors.map((t) => t.name));

    const run: RunConfig = readRunConfig(runs.pbm, '--run');
    const parts = buildRunParts(run);
    loadWeights(runs.pbm, parts.backbone, 'ema');
    for (const prefer of ['tfjs', 'safetensors'] as const) {
      const model = await loadScoreModel(out, { prefer });
      const x = tf.tensor2d(Float32Array.from(Rng.fromSeed(3).normals(4 * 784), (v) => 0.5 * v), [4, 784]);
      for (const tau of [0.01, 0.4, 0.95]) {
        const { a, b } = parts.path.coefficients(tau);
        const want = networkScore(parts.net, x, tau, a, b).dataSync();
        const got = model.score(x, tau).dataSync();
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i]! - got[i]!) / Math.max(1, Math.abs(want[i]!)));
        expect(worst, `${prefer}, tau ${tau}`).toBeLessThan(1e-6);
      }
      x.dispose();
      model.dispose();
    }
    parts.backbone.dispose();
  });

  it("the library's sample() clips to the bundle's range unless told clip: null", async () => {
    const out = path.join(tempDir('mnist-bundle-sample'), 'bundle');
    expect((await quiet(() => exportCli(['--run', runs.vp, '--out', out]))).code).toBe(0);
    const model = await loadScoreModel(out);
    const clipped = await sample(model, { n: 4, steps: 3, batchSize: 4 });
    const free = await sample(model, { n: 4, steps: 3, batchSize: 4, clip: null });
    expect(Array.from(clipped).every((v) => v >= -1 && v <= 1)).toBe(true);
    // Three steps of a barely trained network leave the unclipped estimate outside the pixel range.
    expect(Math.max(...Array.from(free, Math.abs))).toBeGreaterThan(1);
    model.dispose();
  });
});

describe('--target mnist: defaults', () => {
  it('start from the CPU recipe: the small U-Net at batch 64 (flags of the network or recipe override them)', async () => {
    const { resolveRunConfig } = await import('../src/config/resolve-run.js');
    const { IMAGE_TRAIN_DEFAULTS: I } = await import('../src/config/recipes.js');
    const { parseFlags } = await import('../src/cli/flags.js');
    const { trainFlagsSchema, trainRequestFromFlags } = await import('../src/cli/train-options.js');
    const resolveTrainConfig = (flags: TrainFlags, backend: string) => resolveRunConfig(trainRequestFromFlags(flags), backend);
    const flags = parseFlags(trainFlagsSchema, { target: 'mnist', subset: '64', eval: true, json: false });
    const config = resolveTrainConfig(flags, 'wasm');
    expect(config.model).toMatchObject({ kind: 'unet', channels: I.channels, attention: I.attention, parameterisation: 'noise' });
    expect(config.train).toMatchObject({ steps: I.steps, batchSize: I.batchSize, lr: I.lr, lrSchedule: I.lrSchedule, emaHalfLife: I.emaHalflife });
    const grid = resolveTrainConfig(parseFlags(trainFlagsSchema, { eval: true, json: false }), 'wasm');
    expect(grid.model.kind).toBe('mlp');
    expect(grid.train.batchSize).toBe(512);
  });
});

describe('--target mnist: bad flags', () => {
  const cases: [string[], RegExp][] = [
    [['--target', 'mnist', '--channels', '8,10', '--groups', '4'], /^--channels 8,10: 10 is not divisible by --groups 4$/],
    [['--target', 'mnist', '--channels', '8,x'], /^--channels '8,x': expected comma-separated integers from 1 to 1024/],
    [['--target', 'mnist', '--groups', '3', '--channels', '6,12'], /^--groups 3: expected an even number/],
    [['--target', 'mnist', '--width', '64'], /^--width 64: does not apply to --backbone unet$/],
    [['--target', 'grid9', '--channels', '8,16'], /^--channels 8,16: does not apply to --backbone mlp$/],
    [['--target', 'grid9', '--backbone', 'unet'], /^--backbone unet: --target grid9 is not an image target; accepted: mlp$/],
    [['--target', 'grid9', '--subset', '100'], /^--subset 100: does not apply to --target grid9$/],
    [['--target', 'mnist', '--dim', '5'], /^--dim 5: does not apply to --target mnist$/],
    [['--target', 'mnist', '--subset', '70000'], /subset 70000: expected an integer from 1 to 60000/],
    [['--target', 'mnist', '--data-dir', '/nonexistent/idx'], /MNIST data dir \/nonexistent\/idx: not found/],
    [['--target', 'grid9', '--classifier', 'x'], /^--classifier x: does not apply to --target grid9/],
  ];
  it.each(cases)('%j', async (args, message) => {
    const error = await trainCli([...args, '--steps', '1', '--no-eval']).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
