import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportCli } from '../src/cli/export-cli.js';
import { commandFailure } from '../src/cli/run-command.js';
import { sampleCli } from '../src/cli/sample-cli.js';
import { trainCli } from '../src/cli/train-cli.js';
import { Rng } from '../src/rng.js';
import { tempDir, tinyTrainArgs } from './helpers.js';
import { mountTmpfs, tmpfsUnavailable, unmount } from './tmpfs.js';

/**
 * The fault-injection suite, part 2: kill -9 at seeded random points of training (through the
 * SCORE_SDE_TEST_KILL_AT hook of src/train/test-hooks.ts), one with a torn log line left behind,
 * then --resume to the uninterrupted result byte for byte; and a full disk under export and sample.
 * Also part of the suite, not repeated here: two resumes at once (test/crash-recovery.test.ts),
 * flipped checkpoint bytes and the other damaged files (the table of test/fault-injection.test.ts).
 */

const root = path.resolve(import.meta.dirname, '..');
const STEPS = 12;
/** Checkpoints every 5 steps (tinyTrainArgs): at 5, 10 and 12. */
const FIRST_CHECKPOINT = 5;

/** Five distinct kill points from a fixed seed: one before the first checkpoint, one inside a checkpoint write, three between later checkpoints. */
function killPoints(): string[] {
  const rng = Rng.fromSeed(19);
  const pick = (lo: number, hi: number) => lo + Math.floor(rng.uniform() * (hi - lo + 1));
  const points = new Set([`step:${pick(1, FIRST_CHECKPOINT - 1)}`, `checkpoint:${[5, 10][pick(0, 1)]}`]);
  while (points.size < 5) points.add(`step:${pick(FIRST_CHECKPOINT + 1, STEPS)}`);
  return [...points];
}

/** Whether a kill at `point` (after update N, or inside the checkpoint write of step N) leaves a checkpoint behind. */
const leavesCheckpoint = (point: string) => Number(point.split(':')[1]) > FIRST_CHECKPOINT;

/** Trains with a kill requested at `point`; resolves with the signal that ended the process. */
function trainKilledAt(out: string, point: string): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/train.ts', ...tinyTrainArgs(out, STEPS)], {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, SCORE_SDE_TEST_KILL_AT: point },
  });
  return new Promise((resolve) => child.on('exit', (_, signal) => resolve(signal)));
}

const logSteps = (run: string) =>
  fs
    .readFileSync(path.join(run, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line).step as number);

let reference: Buffer;
let referenceLosses: number[];
let referenceRun: string;

beforeAll(async () => {
  referenceRun = path.join(tempDir('fault-ref'), 'run');
  expect(await trainCli(tinyTrainArgs(referenceRun, STEPS))).toBe(0);
  reference = fs.readFileSync(path.join(referenceRun, 'checkpoint.bin'));
  referenceLosses = fs.readFileSync(path.join(referenceRun, 'log.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line).loss as number);
}, 60_000);

describe('kill -9 at seeded random points of training, then --resume', () => {
  const points = killPoints();

  it(`${points.join(', ')}: each resumes to the uninterrupted checkpoint byte for byte, its log once per step`, async () => {
    const runs = points.map((point) => path.join(tempDir(`fault-kill-${point.replace(':', '-')}`), 'run'));
    // The killed processes run two at a time (two cores); the resumes run here, one after another.
    const signals: (NodeJS.Signals | null)[] = [];
    for (let i = 0; i < runs.length; i += 2) signals.push(...(await Promise.all(runs.slice(i, i + 2).map((run, k) => trainKilledAt(run, points[i + k]!)))));
    expect(signals).toEqual(points.map(() => 'SIGKILL'));
    // A kill -9 during an append can leave half a line: give the last killed run one, which resume drops.
    const torn = runs.at(-1)!;
    fs.appendFileSync(path.join(torn, 'log.jsonl'), '{"step": 99, "loss": 0.');
    for (const [i, run] of runs.entries()) {
      expect(fs.existsSync(path.join(run, 'checkpoint.bin')), points[i]).toBe(leavesCheckpoint(points[i]!));
      expect(await trainCli(['--resume', run, '--no-eval', '--threads', '1']), points[i]).toBe(0);
      expect(fs.readFileSync(path.join(run, 'checkpoint.bin')).equals(reference), `${points[i]}: checkpoint.bin differs from the uninterrupted run`).toBe(true);
      expect(logSteps(run), points[i]).toEqual(Array.from({ length: STEPS }, (_, k) => k + 1));
      const losses = fs.readFileSync(path.join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line).loss as number);
      expect(losses, points[i]).toEqual(referenceLosses);
      expect(fs.readdirSync(run).sort(), points[i]).toEqual(['checkpoint.bin', 'config.json', 'log.jsonl', 'report.html']);
    }
  }, 90_000);
});

const noTmpfs = tmpfsUnavailable();
if (noTmpfs !== null) console.log(`fault suite: full-disk cases skipped: ${noTmpfs}`);

describe('a full disk (an 8 KiB tmpfs)', () => {
  /** The one-line refusal of a call (exit code and message as the CLI prints them). */
  async function failure(call: () => Promise<number>) {
    const caught = await call().then(
      () => null,
      (e: unknown) => e,
    );
    expect(caught).not.toBeNull();
    return commandFailure(caught);
  }

  it.skipIf(noTmpfs !== null)('export and sample: exit 2, one line naming the file, no partial bundle or samples folder', async () => {
    const disk = mountTmpfs('size=8k')!;
    try {
      const bundle = path.join(disk, 'bundle');
      const exported = await failure(() => exportCli(['--run', referenceRun, '--out', bundle]));
      expect(exported.code).toBe(2);
      expect(exported.message).toMatch(new RegExp(`^disk full writing ${disk}/`));
      expect(exported.message).not.toContain('\n');
      expect(fs.readdirSync(disk)).toEqual([]);
      const samples = path.join(disk, 'samples');
      const sampled = await failure(() => sampleCli(['--run', referenceRun, '--n', '50', '--steps', '2', '--backend', 'wasm', '--threads', '1', '--out', samples]));
      expect(sampled.code).toBe(2);
      expect(sampled.message).toMatch(new RegExp(`^disk full writing ${disk}/`));
      expect(fs.readdirSync(disk)).toEqual([]);
    } finally {
      unmount(disk);
    }
  });
});
