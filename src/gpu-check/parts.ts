import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IMAGE_GPU_RECIPE } from '../config/recipes.js';
import { BACKEND_CHOICES } from '../platform/backend.js';
import { PARITY_BACKENDS, mlpParity, parityReference, unetParity, type ParityOutcome } from '../platform/parity.js';
import { PROJECT_ROOT, deadlineScriptRunner, outcomeRecord, runNode, runScriptJson } from './children.js';
import { probeGpuStack, webgpuMissing } from './stack.js';

/**
 * The parts of the GPU check, in the order they run. Each runs in a process
 * of its own (a crash or hang in one does not stop the others) and gets a
 * share of the check's time; what it returns goes into gpu-check.json.
 */

export interface PartContext {
  /** The check's output folder: logs and runs of the part go under it. */
  outDir: string;
  /** When the part's time is up (ms since the epoch); its children are limited by it. */
  deadline: number;
}

export interface GpuCheckPart {
  name: string;
  /** One line: what it does. */
  title: string;
  /** Its share of the check's time, relative to the others'. */
  share: number;
  run(ctx: PartContext): Promise<Record<string, unknown>>;
}

const left = (ctx: PartContext) => Math.max(0, Math.floor(ctx.deadline - Date.now()));
const log = (ctx: PartContext, name: string) => path.join(ctx.outDir, 'logs', `${name}.log`);

/** The backends the timed parts compare: the GPU path and the fast CPU path. */
const TIMED_BACKENDS = ['webgpu', 'wasm'] as const;

/** The bench cases compared: the 50-D MLP's training step, the sampler's step, the U-Net's step. */
const BENCH_CASES = ['mlp50', 'sample', 'unet'] as const;

/** Steps of the GPU recipe's U-Net timed, and the samples drawn from it. */
export const MNIST_CHECK = { steps: 300, samples: 1000 } as const;

function gpuRecipeFlags(): string[] {
  const r = IMAGE_GPU_RECIPE;
  return ['--channels', r.channels.join(','), ...(r.attention ? ['--attention'] : []), '--batch-size', String(r.batchSize), '--lr', String(r.lr), '--warmup', String(r.warmup), '--ema-halflife', String(r.emaHalflife)];
}

/** Runs `steps` one after another, each with an equal share of the time left; one failing does not stop the next. */
async function inTurn<T extends string>(ctx: PartContext, names: readonly T[], step: (name: T, timeoutMs: number) => Promise<Record<string, unknown>>): Promise<Record<T, Record<string, unknown>>> {
  const out = {} as Record<T, Record<string, unknown>>;
  for (const [i, name] of names.entries()) {
    const timeout = left(ctx) / (names.length - i);
    out[name] = timeout <= 0 ? { error: 'not run: the time was spent' } : await step(name, timeout);
  }
  return out;
}

const stack: GpuCheckPart = {
  name: 'stack',
  title: 'the GPU stack: driver, Vulkan loader and ICD files, NVIDIA_DRIVER_CAPABILITIES, CUDA, PyTorch',
  share: 0.02,
  async run() {
    const facts = probeGpuStack();
    return { ...facts, webgpu_missing: webgpuMissing(facts) };
  },
};

const doctor: GpuCheckPart = {
  name: 'doctor',
  title: 'which backend loads, a matMul against float64 and its speed (auto, then each backend)',
  share: 0.14,
  async run(ctx) {
    const backends = await inTurn(ctx, BACKEND_CHOICES, async (backend, timeout) => {
      // Loading takes seconds (Dawn, wasm threads): the speed test gets half the time.
      const maxSeconds = (0.5 * timeout) / 1000;
      const r = await runNode(path.join(PROJECT_ROOT, 'src', 'pack', 'device-check.ts'), [backend, '--json', '--max-seconds', maxSeconds.toFixed(1)], timeout, log(ctx, `doctor-${backend}`));
      return r.json ?? outcomeRecord(r);
    });
    const loaded = BACKEND_CHOICES.filter((b) => b !== 'auto' && backends[b].loaded === true);
    return { loaded, auto: backends.auto.description ?? null, backends };
  },
};

function parityRecord(o: ParityOutcome): Record<string, unknown> {
  if (o.status === 'unavailable') return { status: 'not loaded', reason: o.reason };
  const { status: _compared, ...numbers } = o;
  return { status: o.failures.length === 0 ? 'pass' : 'FAIL', ...numbers };
}

const parity: GpuCheckPart = {
  name: 'parity',
  title: 'backend parity: MLP losses, sampler output and U-Net losses of every backend that loads, against cpu',
  share: 0.2,
  async run(ctx) {
    const dir = path.join(ctx.outDir, 'parity');
    const runner = deadlineScriptRunner(ctx.deadline, log(ctx, 'parity'));
    const reference = parityReference(runner, dir);
    const backends: Record<string, Record<string, unknown>> = {};
    for (const backend of PARITY_BACKENDS) {
      const record: Record<string, unknown> = {};
      for (const [what, check] of [['mlp', mlpParity], ['unet', unetParity]] as const) {
        try {
          record[what] = parityRecord(check(runner, backend, reference, dir));
        } catch (err) {
          record[what] = { status: 'error', error: err instanceof Error ? err.message : String(err) };
        }
      }
      backends[backend] = record;
    }
    return { backends };
  },
};

const bench: GpuCheckPart = {
  name: 'bench',
  title: `bench ${BENCH_CASES.join(', ')} on webgpu and on wasm (ms per step)`,
  share: 0.24,
  async run(ctx) {
    // One bench per case, so a slow case costs only its own share and the others' rows are kept.
    return inTurn(ctx, TIMED_BACKENDS, async (backend, timeout) => {
      const perCase = { outDir: ctx.outDir, deadline: Date.now() + timeout };
      const cases = await inTurn(perCase, BENCH_CASES, (name, caseTimeout) =>
        runScriptJson('bench.ts', ['--backend', backend, '--cases', name, '--no-baseline'], caseTimeout, log(ctx, `bench-${backend}-${name}`)),
      );
      const rows = BENCH_CASES.flatMap((name) => {
        const summary = cases[name]['summary'] as { rows?: unknown[] } | undefined;
        return summary?.rows ?? [];
      });
      return { rows, cases };
    });
  },
};

/** The last training record of a run stopped before its end (log.jsonl): how far it got and how fast. */
function trainingProgress(runDir: string): Record<string, unknown> | null {
  try {
    const lines = fs.readFileSync(path.join(runDir, 'log.jsonl'), 'utf8').trim().split('\n');
    const last = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r['kind'] === undefined).at(-1);
    return last === undefined ? null : { step: last['step'], steps_per_s: last['steps_per_s'], elapsed_s: last['elapsed_s'] };
  } catch {
    return null;
  }
}

/** A run's summary; where it stopped early, how far its training got. */
async function trainRun(args: string[], runDir: string, timeoutMs: number, logFile: string): Promise<Record<string, unknown>> {
  const r = await runScriptJson('train.ts', [...args, '--out', runDir], timeoutMs, logFile);
  if (r['error'] === undefined) return r;
  const progress = trainingProgress(runDir);
  return progress === null ? r : { ...r, progress };
}

const train: GpuCheckPart = {
  name: 'train',
  title: 'the default run (VP on grid9) on webgpu, with its metrics',
  share: 0.18,
  async run(ctx) {
    return trainRun(['--backend', 'webgpu'], path.join(ctx.outDir, 'grid9-webgpu'), left(ctx), log(ctx, 'train'));
  },
};

const mnist: GpuCheckPart = {
  name: 'mnist',
  title: `the GPU recipe's MNIST U-Net on webgpu: ${MNIST_CHECK.steps} steps, then ${MNIST_CHECK.samples} samples`,
  share: 0.22,
  async run(ctx) {
    const runDir = path.join(ctx.outDir, 'mnist-webgpu');
    // Training gets two thirds of the time: the steps are the part's main number.
    const trained = await trainRun(
      ['--target', 'mnist', ...gpuRecipeFlags(), '--steps', String(MNIST_CHECK.steps), '--checkpoint-every', String(MNIST_CHECK.steps), '--log-every', '10', '--no-eval', '--backend', 'webgpu'],
      runDir,
      (2 * left(ctx)) / 3,
      log(ctx, 'mnist-train'),
    );
    if (trained.error !== undefined) return { train: trained, sample: { error: 'not run: training did not finish' } };
    const sampled = await runScriptJson(
      'sample.ts',
      ['--run', runDir, '--n', String(MNIST_CHECK.samples), '--steps', String(IMAGE_GPU_RECIPE.evalSteps), '--backend', 'webgpu', '--out', path.join(runDir, 'samples-check')],
      left(ctx),
      log(ctx, 'mnist-sample'),
    );
    return { train: trained, sample: sampled };
  },
};

const pytorch: GpuCheckPart = {
  name: 'pytorch',
  title: 'the same 50-D MLP training step in PyTorch on the GPU, where the host has PyTorch with CUDA',
  share: 0.04,
  async run(ctx) {
    const script = path.join(PROJECT_ROOT, 'src', 'gpu-check', 'torch_mlp_step.py');
    const r = spawnSync('python3', [script], { encoding: 'utf8', timeout: left(ctx), killSignal: 'SIGKILL' });
    if (r.error) return { available: false, reason: `python3: ${r.error.message}` };
    const line = (r.stdout ?? '').trim().split('\n').at(-1) ?? '';
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      return { available: false, reason: `exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').at(-1) ?? ''}` };
    }
  },
};

export const GPU_CHECK_PARTS: readonly GpuCheckPart[] = [stack, doctor, parity, bench, train, mnist, pytorch];
export const GPU_CHECK_PART_NAMES = GPU_CHECK_PARTS.map((p) => p.name);
