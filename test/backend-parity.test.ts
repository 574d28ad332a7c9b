import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readNpySync } from '../src/io/npy.js';
import { tempDir } from './helpers.js';

/**
 * The same seed and recipe on every backend that loads here: the first
 * training losses (log.jsonl, every step) and the sampler's output
 * (samples.npy, from one shared checkpoint) match the cpu backend's to
 * float32 tolerance. Each backend runs in child processes (a process
 * initialises its tfjs backend once). A backend that cannot load is skipped
 * with its reason, never passed.
 *
 * Tolerances, from float32 round-off u = 2^-24 = 6e-8. Backends sum in
 * different orders (XNNPACK's tiles, GPU workgroup reductions, fused
 * multiply-adds), and a sum of K terms in another order differs by at most
 * about K u relative (sqrt(K) u typically).
 * - First loss: three dense layers with K <= 64 (3 x 64 u = 1.2e-5) and the
 *   mean of 256 x 2 squared residuals (512 u = 3e-5): LOSS_TOL_FIRST = 5e-5.
 * - Later losses: the weights differ by the rounding of each update, and
 *   Adam's step lr m / sqrt(v) is scale-free (a relative perturbation of the
 *   gradient hardly moves it), so the loss drifts by a few tens of u per
 *   step: step k is held to LOSS_TOL_FIRST + (k - 1) LOSS_TOL_PER_STEP, with
 *   LOSS_TOL_PER_STEP = 2e-6 (9e-5 at step 20).
 * - Samples (50 Euler-Maruyama steps and a denoising step from one trained
 *   network): each step adds the network's relative error (<= 4e-6, as above)
 *   times g^2 h <= 1 to x and carries earlier differences along by a factor
 *   1 - h f + h g^2 ds/dx near 1 for a trained score: at most 51 x 4e-6 =
 *   2e-4 of the sample's scale, |dx| <= SAMPLE_TOL (1 + |x|), SAMPLE_TOL = 2e-4.
 * - The MNIST U-Net's first losses: convolutions with K = 3 x 3 x 16 = 144
 *   and group-norm means over up to 14 x 14 x 4 = 784 terms, about eight
 *   deep: 8 x 144 u + 784 u = 1.2e-4, so UNET_TOL_FIRST = 2e-4, and
 *   UNET_TOL_PER_STEP = 2e-5 for the same reason as above.
 * Measured: wasm 5.9e-7 (losses) and 1.6e-6 (samples), webgpu on a software
 * adapter 1.2e-7 and 2.4e-6; U-Net 5e-7 on both. A wrong kernel is off by
 * percents: tfjs's cpu ResizeNearestNeighborGrad (replaced, see
 * backend-cpu-fixes.ts) moved the U-Net's third loss by 4.5e-4 and its
 * gradient norm by 2.5%.
 */

const LOSS_TOL_FIRST = 5e-5;
const LOSS_TOL_PER_STEP = 2e-6;
const SAMPLE_TOL = 2e-4;
const UNET_TOL_FIRST = 2e-4;
const UNET_TOL_PER_STEP = 2e-5;

const root = path.resolve(import.meta.dirname, '..');
const BACKENDS = ['wasm', 'webgpu', 'tensorflow'] as const;
type Backend = 'cpu' | (typeof BACKENDS)[number];

const TRAIN_RECIPE = ['--steps', '20', '--width', '64', '--depth', '2', '--batch-size', '256', '--warmup', '5', '--log-every', '1', '--checkpoint-every', '20', '--no-eval', '--seed', '3'];
const SAMPLER_TRAIN = ['--steps', '300', '--width', '64', '--depth', '2', '--batch-size', '256', '--checkpoint-every', '300', '--no-eval', '--seed', '5', '--backend', 'cpu'];
const SAMPLER = ['--n', '256', '--steps', '50', '--seed', '11'];
const UNET_RECIPE = ['--target', 'mnist', '--channels', '8,16', '--groups', '4', '--batch-size', '8', '--steps', '3', '--log-every', '1', '--checkpoint-every', '3', '--no-eval', '--seed', '1'];

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, args: string[]): Outcome {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', script), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function mustRun(script: string, args: string[]): string {
  const r = run(script, args);
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${r.status}: ${r.stderr.trim().split('\n').at(-1)}`);
  return r.stdout;
}

/** The one-line reason a backend cannot load (exit code 2 and `error: --backend X: ...`), or null. */
function unavailable(backend: Backend, r: Outcome): string | null {
  const line = r.stderr.split('\n').find((l) => l.startsWith(`error: --backend ${backend}: `));
  if (r.status !== 2 || line === undefined) return null;
  return line.slice(`error: --backend ${backend}: `.length).replace(/; accepted: .*$/, '');
}

function losses(runDir: string): number[] {
  return fs
    .readFileSync(path.join(runDir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { loss: number }).loss);
}

function samples(dir: string): Float32Array {
  return readNpySync(path.join(dir, 'samples.npy')).data as Float32Array;
}

describe('backend parity: same seed and recipe, same numbers as the cpu backend', () => {
  const dir = tempDir('parity');
  const reference: { losses: number[]; samples: Float32Array; unet: number[] } = { losses: [], samples: new Float32Array(0), unet: [] };
  const samplerRun = path.join(dir, 'sampler-run');

  beforeAll(() => {
    const cpuRun = path.join(dir, 'train-cpu');
    mustRun('train.ts', [...TRAIN_RECIPE, '--backend', 'cpu', '--out', cpuRun]);
    reference.losses = losses(cpuRun);
    mustRun('train.ts', [...SAMPLER_TRAIN, '--out', samplerRun]);
    const out = path.join(dir, 'samples-cpu');
    mustRun('sample.ts', ['--run', samplerRun, ...SAMPLER, '--backend', 'cpu', '--out', out]);
    reference.samples = samples(out);
    const unetRun = path.join(dir, 'unet-cpu');
    mustRun('train.ts', [...UNET_RECIPE, '--backend', 'cpu', '--out', unetRun]);
    reference.unet = losses(unetRun);
  }, 600_000);

  it('the cpu reference is reproducible: a second run gives bit-identical losses', () => {
    const again = path.join(dir, 'train-cpu-again');
    mustRun('train.ts', [...TRAIN_RECIPE, '--backend', 'cpu', '--out', again]);
    expect(losses(again)).toEqual(reference.losses);
    expect(reference.losses).toHaveLength(20);
  });

  /** Trains with `recipe` on `backend`; skips the test (with the reason, printed) where the backend cannot load. */
  function trainOn(backend: Backend, recipe: string[], runDir: string, ctx: { skip(note?: string): never }): void {
    const trained = run('train.ts', [...recipe, '--backend', backend, '--threads', '1', '--out', runDir]);
    const reason = unavailable(backend, trained);
    if (reason !== null) {
      console.log(`backend parity: ${backend} not run: ${reason}`);
      ctx.skip(`${backend} cannot load here: ${reason}`);
    }
    expect(trained.stderr.split('\n').filter((l) => l.startsWith('error:'))).toEqual([]);
    expect(trained.status).toBe(0);
    expect(trained.stdout).toContain(`backend: ${backend}`);
  }

  it.for(BACKENDS)('%s: first training losses and sampler output (MLP)', { timeout: 300_000 }, (backend, ctx) => {
    const runDir = path.join(dir, `train-${backend}`);
    trainOn(backend, TRAIN_RECIPE, runDir, ctx);

    const got = losses(runDir);
    expect(got).toHaveLength(reference.losses.length);
    const lossRel = got.map((loss, k) => Math.abs(loss - reference.losses[k]!) / Math.abs(reference.losses[k]!));
    lossRel.forEach((rel, k) => expect(rel, `loss at step ${k + 1}`).toBeLessThanOrEqual(LOSS_TOL_FIRST + k * LOSS_TOL_PER_STEP));

    const out = path.join(dir, `samples-${backend}`);
    mustRun('sample.ts', ['--run', samplerRun, ...SAMPLER, '--backend', backend, '--threads', '1', '--out', out]);
    const x = samples(out);
    expect(x.length).toBe(reference.samples.length);
    let worst = 0;
    for (let i = 0; i < x.length; i++) {
      const ref = reference.samples[i]!;
      worst = Math.max(worst, Math.abs(x[i]! - ref) / (1 + Math.abs(ref)));
    }
    console.log(`backend parity: ${backend}: largest relative loss difference ${Math.max(...lossRel).toExponential(2)}, largest sample difference ${worst.toExponential(2)} x (1 + |x|)`);
    expect(worst).toBeLessThanOrEqual(SAMPLE_TOL);
  });

  it.for(BACKENDS)('%s: first training losses of the MNIST U-Net', { timeout: 300_000 }, (backend, ctx) => {
    const runDir = path.join(dir, `unet-${backend}`);
    trainOn(backend, UNET_RECIPE, runDir, ctx);
    const got = losses(runDir);
    expect(got).toHaveLength(3);
    const rel = got.map((loss, k) => Math.abs(loss - reference.unet[k]!) / Math.abs(reference.unet[k]!));
    console.log(`backend parity: ${backend}: U-Net, largest relative loss difference ${Math.max(...rel).toExponential(2)}`);
    rel.forEach((r, k) => expect(r, `U-Net loss at step ${k + 1}`).toBeLessThanOrEqual(UNET_TOL_FIRST + k * UNET_TOL_PER_STEP));
  });
});
