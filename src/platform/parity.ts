import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNpySync } from '../io/npy.js';
import type { BackendName } from './backend.js';

/**
 * The backend parity check: the same seed and recipe on a backend and on the
 * cpu reference give the same first training losses (log.jsonl, every step)
 * and the same sampler output (samples.npy, from one shared checkpoint), to
 * float32 tolerance. Every run is a child process (a process initialises its
 * tfjs backend once), started through a `ScriptRunner`, so the test suite and
 * the GPU machine's check run the same recipes against the same bounds.
 *
 * Tolerances, from float32 round-off u = 2^-24 = 6e-8. Backends sum in
 * different orders (XNNPACK's tiles, GPU workgroup reductions, fused
 * multiply-adds), and a sum of K terms in another order differs by at most
 * about K u relative (sqrt(K) u typically).
 * - First loss: three dense layers with K <= 64 (3 x 64 u = 1.2e-5) and the
 *   mean of 256 x 2 squared residuals (512 u = 3e-5): lossFirst = 5e-5.
 * - Later losses: the weights differ by the rounding of each update, and
 *   Adam's step lr m / sqrt(v) is scale-free (a relative perturbation of the
 *   gradient hardly moves it), so the loss drifts by a few tens of u per
 *   step: step k is held to lossFirst + (k - 1) lossPerStep, with
 *   lossPerStep = 2e-6 (9e-5 at step 20).
 * - Samples (50 Euler-Maruyama steps and a denoising step from one trained
 *   network): each step adds the network's relative error (<= 4e-6, as above)
 *   times g^2 h <= 1 to x and carries earlier differences along by a factor
 *   1 - h f + h g^2 ds/dx near 1 for a trained score: at most 51 x 4e-6 =
 *   2e-4 of the sample's scale, |dx| <= sample (1 + |x|), sample = 2e-4.
 * - The MNIST U-Net's first losses: convolutions with K = 3 x 3 x 16 = 144
 *   and group-norm means over up to 14 x 14 x 4 = 784 terms, about eight
 *   deep: 8 x 144 u + 784 u = 1.2e-4, so unetFirst = 2e-4, and
 *   unetPerStep = 2e-5 for the same reason as above.
 * A wrong kernel is off by percents: tfjs's cpu ResizeNearestNeighborGrad
 * (replaced, see backend-cpu-fixes.ts) moved the U-Net's third loss by
 * 4.5e-4 and its gradient norm by 2.5%.
 */
export const PARITY_TOLERANCES = { lossFirst: 5e-5, lossPerStep: 2e-6, sample: 2e-4, unetFirst: 2e-4, unetPerStep: 2e-5 } as const;

/** The flags of each run (train.ts or sample.ts); --backend, --threads and --out are added per run. */
export const PARITY_RECIPES = {
  train: ['--steps', '20', '--width', '64', '--depth', '2', '--batch-size', '256', '--warmup', '5', '--log-every', '1', '--checkpoint-every', '20', '--no-eval', '--seed', '3'],
  /** The shared checkpoint the sampler runs from, trained on cpu. */
  samplerTrain: ['--steps', '300', '--width', '64', '--depth', '2', '--batch-size', '256', '--checkpoint-every', '300', '--no-eval', '--seed', '5', '--backend', 'cpu'],
  sampler: ['--n', '256', '--steps', '50', '--seed', '11'],
  unet: ['--target', 'mnist', '--channels', '8,16', '--groups', '4', '--batch-size', '8', '--steps', '3', '--log-every', '1', '--checkpoint-every', '3', '--no-eval', '--seed', '1'],
} as const;

/** The backends compared with cpu. */
export const PARITY_BACKENDS: readonly Exclude<BackendName, 'cpu'>[] = ['wasm', 'webgpu', 'tensorflow'];

export interface ScriptOutcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of the project's scripts (`train.ts`, `sample.ts`) with these flags, to the end. */
export type ScriptRunner = (script: string, args: string[]) => ScriptOutcome;

export function mustRun(run: ScriptRunner, script: string, args: string[]): string {
  const r = run(script, args);
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${r.status}: ${r.stderr.trim().split('\n').at(-1)}`);
  return r.stdout;
}

/** The one-line reason a backend cannot load (exit code 2 and `error: --backend X: ...`), or null. */
export function unavailableReason(backend: string, r: ScriptOutcome): string | null {
  const line = r.stderr.split('\n').find((l) => l.startsWith(`error: --backend ${backend}: `));
  if (r.status !== 2 || line === undefined) return null;
  return line.slice(`error: --backend ${backend}: `.length).replace(/; accepted: .*$/, '');
}

export function runLosses(runDir: string): number[] {
  return fs
    .readFileSync(path.join(runDir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { loss: number }).loss);
}

function samples(dir: string): Float32Array {
  return readNpySync(path.join(dir, 'samples.npy')).data as Float32Array;
}

export interface ParityReference {
  losses: number[];
  samples: Float32Array;
  unet: number[];
  /** The shared checkpoint every backend samples from. */
  samplerRun: string;
}

/** The cpu runs every backend is compared with, under `dir`. */
export function parityReference(run: ScriptRunner, dir: string): ParityReference {
  const cpuRun = path.join(dir, 'train-cpu');
  mustRun(run, 'train.ts', [...PARITY_RECIPES.train, '--backend', 'cpu', '--out', cpuRun]);
  const samplerRun = path.join(dir, 'sampler-run');
  mustRun(run, 'train.ts', [...PARITY_RECIPES.samplerTrain, '--out', samplerRun]);
  const out = path.join(dir, 'samples-cpu');
  mustRun(run, 'sample.ts', ['--run', samplerRun, ...PARITY_RECIPES.sampler, '--backend', 'cpu', '--out', out]);
  const unetRun = path.join(dir, 'unet-cpu');
  mustRun(run, 'train.ts', [...PARITY_RECIPES.unet, '--backend', 'cpu', '--out', unetRun]);
  return { losses: runLosses(cpuRun), samples: samples(out), unet: runLosses(unetRun), samplerRun };
}

/** A comparison with the reference: the largest differences, and each bound they break (none: parity holds). */
export type ParityOutcome =
  | { status: 'unavailable'; reason: string }
  | { status: 'compared'; lossDifference: number; sampleDifference?: number; failures: string[] };

/** Largest |loss - reference| / |reference| per step; a step over its bound (first + (k - 1) perStep) is a failure. */
function compareLosses(got: number[], reference: number[], first: number, perStep: number, what: string, failures: string[]): number {
  if (got.length !== reference.length) failures.push(`${what}: ${got.length} losses logged, the reference has ${reference.length}`);
  const rel = reference.map((ref, k) => Math.abs((got[k] ?? NaN) - ref) / Math.abs(ref));
  rel.forEach((r, k) => {
    const bound = first + k * perStep;
    if (!(r <= bound)) failures.push(`${what} at step ${k + 1}: relative difference ${r.toExponential(2)} over the bound ${bound.toExponential(2)}`);
  });
  return Math.max(...rel.map((r) => (Number.isNaN(r) ? Infinity : r)));
}

/** Trains `recipe` on `backend` and compares its losses with `reference`'s: the reason it cannot load, or the comparison. */
function trainAndCompare(
  run: ScriptRunner,
  backend: string,
  recipe: readonly string[],
  runDir: string,
  reference: number[],
  bounds: { first: number; perStep: number; what: string },
): ParityOutcome {
  const trained = run('train.ts', [...recipe, '--backend', backend, '--threads', '1', '--out', runDir]);
  const reason = unavailableReason(backend, trained);
  if (reason !== null) return { status: 'unavailable', reason };
  const errors = trained.stderr.split('\n').filter((l) => l.startsWith('error:'));
  if (trained.status !== 0 || errors.length > 0) throw new Error(`train.ts on ${backend} exited with ${trained.status}: ${errors.at(-1) ?? trained.stderr.trim().split('\n').at(-1)}`);
  const failures: string[] = [];
  if (!trained.stdout.includes(`backend: ${backend}`)) failures.push(`train.ts did not report running on ${backend}`);
  const lossDifference = compareLosses(runLosses(runDir), reference, bounds.first, bounds.perStep, bounds.what, failures);
  return { status: 'compared', lossDifference, failures };
}

/** The MLP's first 20 losses and a 50-step sampler output on `backend`, against cpu's. */
export function mlpParity(run: ScriptRunner, backend: string, reference: ParityReference, dir: string): ParityOutcome {
  const tol = PARITY_TOLERANCES;
  const trained = trainAndCompare(run, backend, PARITY_RECIPES.train, path.join(dir, `train-${backend}`), reference.losses, { first: tol.lossFirst, perStep: tol.lossPerStep, what: 'loss' });
  if (trained.status === 'unavailable') return trained;
  const failures = [...trained.failures];

  const out = path.join(dir, `samples-${backend}`);
  mustRun(run, 'sample.ts', ['--run', reference.samplerRun, ...PARITY_RECIPES.sampler, '--backend', backend, '--threads', '1', '--out', out]);
  const x = samples(out);
  if (x.length !== reference.samples.length) failures.push(`samples: ${x.length} values, the reference has ${reference.samples.length}`);
  let sampleDifference = 0;
  for (let i = 0; i < reference.samples.length; i++) {
    const ref = reference.samples[i]!;
    const d = Math.abs((x[i] ?? NaN) - ref) / (1 + Math.abs(ref));
    sampleDifference = Math.max(sampleDifference, Number.isNaN(d) ? Infinity : d);
  }
  if (!(sampleDifference <= tol.sample)) failures.push(`samples: difference ${sampleDifference.toExponential(2)} x (1 + |x|) over the bound ${tol.sample.toExponential(2)}`);
  return { status: 'compared', lossDifference: trained.lossDifference, sampleDifference, failures };
}

/** The MNIST U-Net's first 3 losses on `backend`, against cpu's. */
export function unetParity(run: ScriptRunner, backend: string, reference: ParityReference, dir: string): ParityOutcome {
  const tol = PARITY_TOLERANCES;
  return trainAndCompare(run, backend, PARITY_RECIPES.unet, path.join(dir, `unet-${backend}`), reference.unet, { first: tol.unetFirst, perStep: tol.unetPerStep, what: 'U-Net loss' });
}
