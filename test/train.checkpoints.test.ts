import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { trainCli } from '../src/cli/train-cli.js';
import { UsageError } from '../src/errors.js';
import { TrainingLog, type EvaluationRecord, type LogRecord } from '../src/train/log.js';
import { oneLineRefusal, tempDir, tinyTrainArgs, useWasm } from './helpers.js';

/** Runs train quietly; returns what it printed. */
async function train(args: string[]): Promise<string> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await trainCli(args)).toBe(0);
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
  return lines.join('\n');
}

/** The log's training curve without its wall-clock fields (time, rates, memory), which differ between any two runs. */
const curve = (dir: string) =>
  new TrainingLog(path.join(dir, 'log.jsonl')).read().map(({ step, loss, loss_avg, lr, grad_norm }: LogRecord) => ({ step, loss, loss_avg, lr, grad_norm }));

const numbered = (dir: string) => fs.readdirSync(dir).filter((f) => /^checkpoint-\d+\.bin$/.test(f)).sort();

let straight: string;

beforeAll(async () => {
  await useWasm();
  straight = path.join(tempDir('ckpt-straight'), 'run');
  // 20 steps, a checkpoint every 5, the last 3 kept, then the evaluation.
  await train([...tinyTrainArgs(straight, 20, '--keep-checkpoints', '3'), '--eval', '--eval-samples', '64', '--eval-steps', '10']);
});

describe('log.jsonl', () => {
  it('every training record carries its wall-clock time', () => {
    const records = new TrainingLog(path.join(straight, 'log.jsonl')).read();
    expect(records.map((r) => r.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const r of records) expect(new Date(r.time!).toISOString()).toBe(r.time);
  });

  it('the evaluation appends its metrics and floors as a record of kind evaluation, which read() leaves out', () => {
    const log = new TrainingLog(path.join(straight, 'log.jsonl'));
    const evaluations = log.readEvaluations();
    expect(evaluations).toHaveLength(1);
    const e = evaluations[0] as EvaluationRecord;
    expect(e).toMatchObject({ kind: 'evaluation', step: 20, samples_dir: path.join(straight, 'samples', 'ema-n64-steps10-seed0') });
    const metrics = JSON.parse(fs.readFileSync(path.join(e.samples_dir, 'metrics.json'), 'utf8')) as { mmd: number; floor: { mmd: number } };
    expect([e.metrics!['mmd'], e.floor!['mmd']]).toEqual([metrics.mmd, metrics.floor.mmd]);
    const lines = fs.readFileSync(log.path, 'utf8').trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toEqual(e);
    expect(log.read().at(-1)!.step).toBe(20);
  });

  it('truncateAfter keeps the evaluations up to the step and drops the later ones', () => {
    const log = new TrainingLog(path.join(tempDir('log-eval'), 'log.jsonl'));
    const rec = (step: number): LogRecord => ({ step, time: '2026-01-01T00:00:00.000Z', loss: 1, loss_avg: 1, lr: 1, grad_norm: 1, steps_per_s: 1, elapsed_s: 1, rss_mb: 1, tensors: 1 });
    const evaluation = (step: number): EvaluationRecord => ({ kind: 'evaluation', step, time: '2026-01-01T00:00:00.000Z', samples_dir: `s${step}`, metrics: { mmd: step }, floor: { mmd: 0 } });
    for (const e of [rec(1), rec(2), evaluation(2), rec(3), rec(4), evaluation(4)]) log.append(e);
    log.truncateAfter(3);
    expect(log.read().map((r) => r.step)).toEqual([1, 2, 3]);
    expect(log.readEvaluations()).toEqual([evaluation(2)]);
  });
});

describe('--keep-checkpoints and --from-step', () => {
  it('--keep-checkpoints K keeps the last K as checkpoint-<step>.bin beside checkpoint.bin, the latest', () => {
    expect(numbered(straight)).toEqual(['checkpoint-10.bin', 'checkpoint-15.bin', 'checkpoint-20.bin']);
    expect(fs.readFileSync(path.join(straight, 'checkpoint.bin')).equals(fs.readFileSync(path.join(straight, 'checkpoint-20.bin')))).toBe(true);
  });

  it('by default only checkpoint.bin, as before', async () => {
    const dir = path.join(tempDir('ckpt-default'), 'run');
    await train(tinyTrainArgs(dir, 10));
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.bin'))).toEqual(['checkpoint.bin']);
  });

  it('--resume DIR --from-step S continues from that checkpoint and reproduces the run: same weights, same curve', async () => {
    const dir = path.join(tempDir('ckpt-from'), 'run');
    fs.cpSync(straight, dir, { recursive: true });
    fs.rmSync(path.join(dir, 'samples'), { recursive: true });
    const printed = await train(['--resume', dir, '--from-step', '10', '--steps', '20', '--keep-checkpoints', '3', '--no-eval', '--threads', '1']);
    expect(printed).toContain('resuming');
    expect(printed).toContain('from checkpoint-10.bin: the log records after step 10 were dropped, and the numbered checkpoints of steps 15, 20');
    expect(fs.readFileSync(path.join(dir, 'checkpoint.bin')).equals(fs.readFileSync(path.join(straight, 'checkpoint.bin')))).toBe(true);
    expect(curve(dir)).toEqual(curve(straight));
    expect(numbered(dir)).toEqual(['checkpoint-10.bin', 'checkpoint-15.bin', 'checkpoint-20.bin']);
    // The evaluation of step 20 belonged to the dropped steps.
    expect(new TrainingLog(path.join(dir, 'log.jsonl')).readEvaluations()).toEqual([]);
  });

  it('refuses a step with no numbered checkpoint, and --from-step without --resume', async () => {
    const dir = path.join(tempDir('ckpt-refuse'), 'run');
    fs.cpSync(straight, dir, { recursive: true });
    const before = fs.readFileSync(path.join(dir, 'log.jsonl'));
    const e = await oneLineRefusal(() => trainCli(['--resume', dir, '--from-step', '7']), UsageError);
    expect(e.message).toBe(`--from-step 7: no checkpoint-7.bin in ${dir}; the steps kept: 10, 15, 20`);
    expect(fs.readFileSync(path.join(dir, 'log.jsonl')).equals(before)).toBe(true);
    const e2 = await oneLineRefusal(() => trainCli(['--from-step', '10']), UsageError);
    expect(e2.message).toBe('--from-step 10: goes with --resume DIR (the run whose checkpoint to continue from)');
  });
});
