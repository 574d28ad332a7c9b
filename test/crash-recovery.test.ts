import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './temp-dirs.js';

/**
 * Crash recovery with real processes: kill -9 at chosen points of training (through the test-only
 * SCORE_SDE_TEST_KILL_AT hook of src/train/test-hooks.ts), then --resume, must give what an
 * uninterrupted run gives, byte for byte; two resumes of one run at once: the second is refused.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EVAL = ['--eval-samples', '50', '--eval-steps', '10', '--eval-batch-size', '50'];
const BASE = ['--width', '16', '--depth', '1', '--batch-size', '64', '--warmup', '2', '--log-every', '1', '--checkpoint-every', '5', '--backend', 'wasm', '--threads', '1'];
const FLAGS = [...BASE, '--steps', '12', ...EVAL];

function train(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/train.ts', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
}

/** The files that must match an uninterrupted run: the final checkpoint and the evaluation's samples. */
function results(run: string): { checkpoint: Buffer; samples: Buffer } {
  const samplesDir = path.join(run, 'samples');
  const [label] = fs.readdirSync(samplesDir);
  return { checkpoint: fs.readFileSync(path.join(run, 'checkpoint.bin')), samples: fs.readFileSync(path.join(samplesDir, label!, 'samples.npy')) };
}

let reference: { checkpoint: Buffer; samples: Buffer };

beforeAll(() => {
  const run = path.join(tempDir('crash-ref'), 'run');
  expect(train([...FLAGS, '--out', run]).status).toBe(0);
  reference = results(run);
});

describe('train killed with -9', () => {
  it('before its first checkpoint: --resume starts from step 0 and gives the uninterrupted result', () => {
    const run = path.join(tempDir('crash-early'), 'run');
    const killed = train([...FLAGS, '--out', run], { SCORE_SDE_TEST_KILL_AT: 'step:3' });
    expect(killed.signal).toBe('SIGKILL');
    expect(fs.existsSync(path.join(run, 'checkpoint.bin'))).toBe(false);
    // The original command refuses the directory and points to --resume, which now accepts it.
    const again = train([...FLAGS, '--out', run]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`continue that run with --resume ${run}`);
    const resumed = train(['--resume', run, '--threads', '1', ...EVAL]);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain(`note: ${run} has no checkpoint.bin (it stopped before its first checkpoint); starting it from step 0 with its recorded config`);
    expect(resumed.stdout).toMatch(/note: .* was locked by process \d+, which no longer runs; taking it over/);
    const got = results(run);
    expect(got.checkpoint.equals(reference.checkpoint)).toBe(true);
    expect(got.samples.equals(reference.samples)).toBe(true);
    expect(fs.readdirSync(run).sort()).toEqual(['checkpoint.bin', 'config.json', 'log.jsonl', 'report.html', 'samples']);
  });

  it('halfway through writing a checkpoint: the previous one is kept, and the resumed run gives the uninterrupted result', () => {
    const run = path.join(tempDir('crash-ckpt'), 'run');
    const killed = train([...FLAGS, '--out', run], { SCORE_SDE_TEST_KILL_AT: 'checkpoint:10' });
    expect(killed.signal).toBe('SIGKILL');
    expect(fs.readdirSync(run).some((name) => name.endsWith('.tmp'))).toBe(true);
    const resumed = train(['--resume', run, '--threads', '1', ...EVAL]);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain(`resuming ${run} at step 5 of 12`);
    const got = results(run);
    expect(got.checkpoint.equals(reference.checkpoint)).toBe(true);
    expect(got.samples.equals(reference.samples)).toBe(true);
    // The killed writer's temporary file is gone with the lock it left.
    expect(fs.readdirSync(run).sort()).toEqual(['checkpoint.bin', 'config.json', 'log.jsonl', 'report.html', 'samples']);
  });
});

describe('a loss that becomes NaN before the first checkpoint', () => {
  it('says so, with what to try, and leaves a directory that --resume accepts', () => {
    const run = path.join(tempDir('nan-early'), 'run');
    const args = ['--width', '8', '--depth', '1', '--backend', 'wasm', '--threads', '1', '--lr', '1e30', '--warmup', '0', '--steps', '30', '--checkpoint-every', '100', '--no-eval'];
    const first = train([...args, '--out', run]);
    expect(first.status).toBe(3);
    const message = `before any checkpoint was written (${run} has none yet); try a smaller --lr or a longer --warmup in a new run (--out); --resume ${run} would start it again from step 0 with the same settings.`;
    expect(first.stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`^error: the loss became (NaN|-?Infinity) at step \\d+, ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    // Resumable (not "nothing to resume"): with the same settings it stops the same way.
    const again = train(['--resume', run, '--no-eval', '--threads', '1']);
    expect(again.stdout).toContain(`starting it from step 0 with its recorded config`);
    expect(again.status).toBe(3);
  });
});

describe('two resumes of one run at once', () => {
  it('the second is refused with one line naming the first; the first finishes alone', async () => {
    const run = path.join(tempDir('two-resumes'), 'run');
    expect(train([...BASE, '--steps', '5', '--no-eval', '--out', run]).status).toBe(0);
    const first = spawn(process.execPath, ['--import', 'tsx', 'scripts/train.ts', '--resume', run, '--steps', '1000000', '--no-eval', '--threads', '1'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => first.on('exit', resolve));
    first.stdout.resume();
    first.stderr.resume();
    // Wait until the first holds the lock and has trained past its checkpoint.
    const log = path.join(run, 'log.jsonl');
    const lockFile = path.join(run, '.lock');
    const holds = () => fs.existsSync(lockFile) && JSON.parse(fs.readFileSync(lockFile, 'utf8')).pid === first.pid && fs.readFileSync(log, 'utf8').split('\n').length > 8;
    while (!holds()) await new Promise((resolve) => setTimeout(resolve, 100));

    const second = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/train.ts', '--resume', run, '--steps', '1000000', '--no-eval', '--threads', '1'], { cwd: root, encoding: 'utf8' });
    expect(second.status).toBe(2);
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^error: ${run.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: in use by pid ${first.pid} on host .+ \\(npm run train -- --resume, since .+\\); wait for it or stop it$`));

    first.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(fs.existsSync(lockFile)).toBe(false);
    // One writer: every step logged once, in order.
    const steps = fs.readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line).step as number);
    expect(steps).toEqual(steps.map((_, i) => i + 1));
  });
});
