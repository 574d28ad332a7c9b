import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleCli } from '../src/cli/sample-cli.js';
import { trainCli } from '../src/cli/train-cli.js';
import { UsageError } from '../src/errors.js';
import { CheckpointError } from '../src/checkpoint.js';
import { BackendUnavailableError } from '../src/platform/backend.js';
import { tempDir } from './helpers.js';

const root = path.resolve(import.meta.dirname, '..');
let runDir: string;

/** Every file under dir with its bytes, to prove that a failed command wrote nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      out[path.relative(dir, file)] = fs.readFileSync(file).toString('base64');
    }
  }
  return out;
}

function copyRun(name: string): string {
  const dir = path.join(tempDir(name), 'run');
  fs.cpSync(runDir, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  runDir = path.join(tempDir('cli'), 'run');
  const code = await trainCli(['--steps', '20', '--width', '16', '--depth', '1', '--batch-size', '64', '--no-eval', '--out', runDir, '--backend', 'wasm']);
  expect(code).toBe(0);
});

describe('train: bad flags get a one-line error naming the flag, the value and what is accepted', () => {
  const cases: [string[], RegExp][] = [
    [['--target', 'moons'], /^--target 'moons': expected one of funnel, grid9, ring8, gmm, gaussian, two-point, checkerboard, mnist$/],
    [['--process', 've'], /^--process 've': expected one of vp, pbm, sub-vp$/],
    [['--backend', 'webgl'], /^--backend 'webgl': expected one of auto, tensorflow, webgpu, wasm, cpu$/],
    [['--parameterisation', 'velocity'], /^--parameterisation 'velocity': expected one of noise, score, data$/],
    [['--activation', 'swish'], /^--activation 'swish': expected one of silu, relu, gelu, tanh$/],
    [['--steps', '0'], /^--steps '0': expected an integer from 1 to 1e8 \(/],
    [['--steps', '2.5'], /^--steps '2.5': expected an integer from 1 to 1e8 \(/],
    [['--batch-size', '-4'], /^--batch-size '-4': expected an integer from 1 to 1000000 \(/],
    [['--width', 'wide'], /^--width 'wide': expected an integer from 1 to 16384 \(/],
    [['--lr', 'NaN'], /^--lr 'NaN': expected a finite number > 0$/],
    [['--lr', 'Infinity'], /^--lr 'Infinity': expected a finite number > 0$/],
    [['--beta-max', '1e999'], /^--beta-max '1e999': expected a finite number > 0$/],
    [['--tau-min', '0'], /^--tau-min '0': expected a number in \(0, 1\)$/],
    [['--steps', '10', '--steps', '20'], /^--steps: given more than once/],
    [['--dim', '5'], /^--dim 5: does not apply to --target grid9$/],
    [['--target', 'funnel', '--dim', '1'], /^--dim 1: not accepted by --target funnel; accepted: a number >= 2$/],
    [['--process', 'pbm', '--beta-min', '0.2'], /^--beta-min 0.2: does not apply to --process pbm \(VP and sub-VP only\)$/],
    [['--process', 'vp', '--sigma', '2'], /^--sigma 2: does not apply to --process vp/],
    [['--process', 'pbm', '--tau-max', '1'], /^--tau-max 1: PBM is singular at tau = 1/],
    [['--tau-min', '0.5', '--tau-max', '0.4'], /^--tau-min 0.5: must be below --tau-max \(0.4\)$/],
    [['--no-such-flag'], /^--no-such-flag: unknown flag; the accepted flags are listed by npm run train -- --help$/],
    [['grid9'], /^unexpected argument 'grid9'/],
  ];
  it.each(cases)('%j', async (args, message) => {
    const error = await trainCli(args).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('train: existing results are never overwritten', () => {
  it('a resumed run evaluates into a folder of its own, and refuses to evaluate the same step twice', async () => {
    const dir = path.join(tempDir('resume-eval'), 'run');
    const flags = ['--width', '16', '--depth', '1', '--batch-size', '64', '--eval-samples', '40', '--eval-steps', '5', '--backend', 'wasm', '--threads', '1'];
    expect(await trainCli([...flags, '--steps', '5', '--out', dir])).toBe(0);
    const first = path.join(dir, 'samples', 'ema-n40-steps5-seed0');
    const before = fs.readFileSync(path.join(first, 'metrics.json'), 'utf8');
    expect(await trainCli(['--resume', dir, '--steps', '8', '--eval-samples', '40', '--eval-steps', '5', '--backend', 'wasm'])).toBe(0);
    expect(fs.readFileSync(path.join(first, 'metrics.json'), 'utf8')).toBe(before);
    const second = JSON.parse(fs.readFileSync(path.join(dir, 'samples', 'ema-n40-steps5-seed0-step8', 'metrics.json'), 'utf8'));
    expect(second.score).toBe('ema weights at step 8');
    await expect(trainCli(['--resume', dir, '--steps', '8', '--eval-samples', '40', '--eval-steps', '5'])).rejects.toThrow(
      /^--resume .*: step 8 was already evaluated with these settings; give a larger --steps, or --no-eval$/,
    );
    expect(await trainCli(['--resume', dir, '--steps', '8', '--no-eval', '--backend', 'wasm'])).toBe(0);
  }, 60_000);

  it('refuses --out on a non-empty directory and leaves it untouched', async () => {
    const dir = copyRun('out-exists');
    const before = snapshot(dir);
    await expect(trainCli(['--out', dir, '--steps', '5'])).rejects.toThrow(/already exists and is not empty; .*--resume/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses --resume with a network that does not match the checkpoint', async () => {
    const dir = copyRun('resume-mismatch');
    const before = snapshot(dir);
    await expect(trainCli(['--resume', dir, '--width', '64'])).rejects.toThrow(/^--width 64: does not match the run in .* \(--width 16\)/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses --resume on a missing or corrupt run directory; one stopped before its first checkpoint starts from step 0', async () => {
    await expect(trainCli(['--resume', '/nonexistent/run'])).rejects.toThrow(/^--resume \/nonexistent\/run: no such run directory$/);
    const partial = copyRun('partial');
    fs.rmSync(path.join(partial, 'checkpoint.bin'));
    // Byte-identical to an uninterrupted run: test/crash-recovery.test.ts.
    expect(await trainCli(['--resume', partial, '--no-eval'])).toBe(0);
    expect(fs.existsSync(path.join(partial, 'checkpoint.bin'))).toBe(true);
    const corrupt = copyRun('corrupt');
    fs.writeFileSync(path.join(corrupt, 'config.json'), '{"formatVersion": 1, ');
    await expect(trainCli(['--resume', corrupt])).rejects.toThrow(/config\.json: not valid JSON/);
  });

  it('refuses a checkpoint whose tensors do not match the config (truncated or edited)', async () => {
    const truncated = copyRun('truncated');
    const ckpt = path.join(truncated, 'checkpoint.bin');
    fs.truncateSync(ckpt, fs.statSync(ckpt).size - 100);
    const before = snapshot(truncated);
    await expect(trainCli(['--resume', truncated, '--steps', '30'])).rejects.toThrow(CheckpointError);
    await expect(trainCli(['--resume', truncated, '--steps', '30'])).rejects.toThrow(/truncated or corrupt checkpoint/);
    expect(snapshot(truncated)).toEqual(before);

    const edited = copyRun('edited');
    const configFile = path.join(edited, 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    config.model.width = 32;
    fs.writeFileSync(configFile, JSON.stringify(config));
    await expect(sampleCli(['--run', edited, '--n', '10', '--steps', '2'])).rejects.toThrow(
      /checkpoint\.bin: does not match the requested network: ema\/dense0\/kernel has shape \[18,16\] in the file, \[18,32\] requested/,
    );
  });
});

describe('sample: bad input', () => {
  const cases: [string[], RegExp][] = [
    [[], /^--run is required: the run directory written by npm run train \(or --bundle BUNDLE\)$/],
    [['--run', '/nonexistent/run'], /^--run \/nonexistent\/run: no such run directory$/],
    [['--run', 'RUN', '--n', '0'], /^--n '0': expected an integer from 2 to 10000 \(/],
    [['--run', 'RUN', '--steps', 'many'], /^--steps 'many': expected an integer from 1 to 1000000 \(/],
    [['--run', 'RUN', '--tau-min', 'NaN'], /^--tau-min 'NaN': expected a number in \(0, 1\)$/],
    [['--run', 'RUN', '--weights', 'best'], /^--weights 'best': expected one of ema, raw$/],
    [['--run', 'RUN', '--corrector-steps', '-1'], /^--corrector-steps '-1': expected an integer from 0 to 100 \(/],
    [['--run', 'RUN', '--corrector-snr', '0'], /^--corrector-snr '0': expected a finite number > 0$/],
    [['--run', 'RUN', '--corrector-snr', '0.1'], /^--corrector-snr 0.1: applies only with --corrector-steps 1 or more$/],
  ];
  it.each(cases)('%j', async (args, message) => {
    const resolved = args.map((a) => (a === 'RUN' ? runDir : a));
    await expect(sampleCli(resolved)).rejects.toThrow(message);
  });

  it('--corrector-steps samples predictor-corrector into a folder of its own and says so in metrics.json', async () => {
    const dir = copyRun('corrector');
    expect(await sampleCli(['--run', dir, '--n', '20', '--steps', '4', '--corrector-steps', '2', '--corrector-snr', '0.1', '--backend', 'wasm', '--threads', '1'])).toBe(0);
    const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'samples', 'ema-n20-steps4-seed0-pc2-snr0.1', 'metrics.json'), 'utf8'));
    expect(metrics.sampler).toMatchObject({ method: 'predictor-corrector', steps: 4, corrector: { steps: 2, snr: 0.1 } });
  });

  it('a directory without config.json is not a run', async () => {
    const empty = tempDir('empty');
    await expect(sampleCli(['--run', empty])).rejects.toThrow(/not a run directory \(config\.json is missing\)/);
  });
});

describe('backends', () => {
  it('an explicit backend that cannot load is an error, not a silent fallback', async () => {
    const { initBackend } = await import('../src/platform/backend.js');
    const error = await initBackend('tensorflow').then(
      () => null,
      (e: unknown) => e,
    );
    // Where tfjs-node-gpu is installed with its native library this test has nothing to check.
    if (error === null) return;
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/^--backend tensorflow: @tensorflow\/tfjs-node-gpu could not be loaded/);
  });
});

describe('train: a diverging loss', () => {
  it('stops with exit code 3 and keeps the last good checkpoint', async () => {
    const out = path.join(tempDir('diverge'), 'run');
    const code = await trainCli(['--lr', '1e30', '--warmup', '0', '--steps', '30', '--checkpoint-every', '1', '--width', '8', '--depth', '1', '--no-eval', '--out', out]);
    expect(code).toBe(3);
    expect(fs.existsSync(path.join(out, 'checkpoint.bin'))).toBe(true);
  });
});

describe('the command line process', () => {
  it('Ctrl-C writes a checkpoint, exits 130, and the run resumes', async () => {
    const out = path.join(tempDir('sigint'), 'run');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/train.ts', '--steps', '100000', '--width', '8', '--depth', '1', '--no-eval', '--out', out],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // Interrupt once training has produced its first log record.
    const logFile = path.join(out, 'log.jsonl');
    while (!fs.existsSync(logFile) || fs.readFileSync(logFile, 'utf8').length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(stdout).toMatch(/interrupted at step (\d+): checkpoint saved; continue with {2}npm run train -- --resume /);
    const step = Number(/interrupted at step (\d+)/.exec(stdout)![1]);
    const { readCheckpoint } = await import('../src/checkpoint.js');
    expect(readCheckpoint(path.join(out, 'checkpoint.bin')).header.step).toBe(step);
    expect(await trainCli(['--resume', out, '--steps', String(step + 5), '--no-eval'])).toBe(0);
  });

  it('exits 2 with one line on stderr and no stack trace', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/train.ts', '--steps', '-1'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^error: --steps '-1': expected an integer from 1 to 1e8 \(/)]);
  });

  it('train --json prints only the JSON summary on stdout, the human text on stderr', () => {
    const out = path.join(tempDir('json'), 'run');
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/train.ts', '--steps', '10', '--width', '8', '--depth', '1', '--no-eval', '--out', out, '--json'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ status: 'completed', run_dir: out, backend: 'wasm', steps: 10 });
    expect(result.stderr).toContain(`run directory: ${out}`);
    expect(typeof summary.wall_seconds).toBe('number');
  });
});
