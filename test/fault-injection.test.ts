import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchCli } from '../src/cli/bench-cli.js';
import { classifierCli } from '../src/cli/classifier-cli.js';
import { diagnoseCli } from '../src/cli/diagnose-cli.js';
import { experimentCli } from '../src/cli/experiment-cli.js';
import { exportCli } from '../src/cli/export-cli.js';
import { gpuCheckCli } from '../src/cli/gpu-check-cli.js';
import { likelihoodCli } from '../src/cli/likelihood-cli.js';
import { packCli } from '../src/cli/pack-cli.js';
import { reportCli } from '../src/cli/report-cli.js';
import { commandFailure } from '../src/cli/run-command.js';
import { sampleCli } from '../src/cli/sample-cli.js';
import { trainCli } from '../src/cli/train-cli.js';
import { FAULT_CASES, type CommandName, type FaultCase, type Fixtures } from './fault/cases.js';
import { treeChanges, treeSnapshot } from './fault/tree-hash.js';
import { tempDir, tinyTrainArgs } from './helpers.js';

/**
 * The fault-injection suite, part 1: a table of bad inputs for every command (test/fault/cases.ts).
 * Each must end in the documented exit code with one line naming the flag or file, within a time
 * limit, and leave a finished run, its bundle and a samples folder unchanged byte for byte.
 * Part 2 (kill -9, torn log, full disk) is in test/fault-recovery.test.ts.
 */

const root = path.resolve(import.meta.dirname, '..');
/** A case running longer than this counts as a hang. */
const CASE_LIMIT_MS = 20_000;

const CLI: Record<CommandName, (argv: string[]) => Promise<number>> = {
  train: trainCli,
  sample: sampleCli,
  likelihood: likelihoodCli,
  export: exportCli,
  diagnose: diagnoseCli,
  experiment: experimentCli,
  bench: benchCli,
  classifier: classifierCli,
  'pack-device': (argv) => packCli(argv, root),
  report: reportCli,
  'gpu-check': gpuCheckCli,
};

const SCRIPT: Record<CommandName, string> = {
  train: 'train',
  sample: 'sample',
  likelihood: 'likelihood',
  export: 'export',
  diagnose: 'diagnose',
  experiment: 'experiment',
  bench: 'bench',
  classifier: 'classifier',
  'pack-device': 'pack-device',
  report: 'report',
  'gpu-check': 'gpu-check',
};

let fx: Fixtures;

beforeAll(async () => {
  const home = tempDir('fault');
  const scratch = tempDir('fault-scratch');
  const fixtures = path.join(home, 'kept');
  const run = path.join(fixtures, 'run');
  const bundle = path.join(fixtures, 'bundle');
  const samples = path.join(fixtures, 'samples');
  expect(await trainCli(tinyTrainArgs(run, 3))).toBe(0);
  expect(await exportCli(['--run', run, '--out', bundle])).toBe(0);
  expect(await sampleCli(['--run', run, '--n', '10', '--steps', '2', '--backend', 'wasm', '--threads', '1', '--out', samples])).toBe(0);
  let k = 0;
  const fresh = (name: string) => path.join(scratch, `${k++}`, name);
  const file = path.join(scratch, 'a-file');
  fs.writeFileSync(file, 'user data\n');
  const copyOf = (source: string, damage: (dir: string) => void) => {
    const dir = fresh(path.basename(source));
    fs.cpSync(source, dir, { recursive: true });
    damage(dir);
    return dir;
  };
  fx = {
    root: fixtures,
    run,
    bundle,
    samples,
    fresh,
    file,
    otherDir: () => {
      const dir = fresh('other');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'user notes\n');
      return dir;
    },
    damagedRun: (damage) => copyOf(run, damage),
    damagedBundle: (damage) => copyOf(bundle, damage),
  };
}, 60_000);

type Outcome = { kind: 'error'; code: number; message: string; raw: string } | { kind: 'ok'; code: number } | { kind: 'hang' };

/** Runs a case in this process as scripts/*.ts would, with the CLI wrapper's exit code and message. */
async function runInProcess(command: CommandName, args: string[]): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'hang' }), CASE_LIMIT_MS);
  });
  const run = CLI[command](args).then(
    (code): Outcome => ({ kind: 'ok', code }),
    (caught: unknown): Outcome => {
      const failure = commandFailure(caught);
      return { kind: 'error', code: failure.code, message: failure.message, raw: failure.error instanceof Error ? failure.error.message : String(failure.error) };
    },
  );
  try {
    return await Promise.race([run, hang]);
  } finally {
    clearTimeout(timer);
  }
}

const tally = { cases: 0, clean: 0, hangs: 0, lost: 0 };

/** Why an outcome is not a clean refusal; '' when it is. */
function flaw(c: FaultCase, outcome: Outcome, names: string): string {
  if (outcome.kind === 'hang') return `no answer within ${CASE_LIMIT_MS / 1000} s`;
  if (outcome.kind === 'ok') return `accepted (exit ${outcome.code})`;
  if (outcome.code !== c.code) return `exit ${outcome.code}, expected ${c.code}: ${outcome.message}`;
  if (outcome.raw.includes('\n')) return `more than one line: ${JSON.stringify(outcome.raw)}`;
  if (!outcome.message.includes(names)) return `does not name ${names}: ${outcome.message}`;
  return '';
}

describe(`bad inputs: ${FAULT_CASES.length} cases, each a one-line refusal naming the flag or file, nothing changed`, () => {
  it.each(FAULT_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const invocation = c.build(fx);
    const watched = [fx.root, ...(invocation.watch ?? [])];
    const before = watched.map(treeSnapshot);
    const outcome = await runInProcess(c.command, invocation.args);
    const changes = watched.flatMap((dir, i) => treeChanges(before[i]!, treeSnapshot(dir)).map((change) => `${dir}: ${change}`));
    const problem = flaw(c, outcome, invocation.names);
    tally.cases++;
    if (problem === '') tally.clean++;
    if (outcome.kind === 'hang') tally.hangs++;
    if (changes.length > 0) tally.lost++;
    expect(problem, `${c.command} ${invocation.args.join(' ')}`).toBe('');
    expect(changes).toEqual([]);
  }, CASE_LIMIT_MS + 10_000);
});

/** A sample of the table, as real processes: exit code, and stderr one line without a stack trace. */
const AS_PROCESSES = ['train --steps 1e12', 'sample --n abc', 'export --nfe 0', 'diagnose --n 0', 'experiment unknown study', 'bench --threads 9', 'classifier --epochs 0', 'pack-device --max-mib NaN', 'sample (bundle: weights.bin zero-filled)', 'train (checkpoint.bin with flipped bytes)'];

describe('the same refusals as processes', () => {
  it.each(AS_PROCESSES)('%s', (name) => {
    const c = FAULT_CASES.find((x) => x.name === name);
    expect(c, name).toBeDefined();
    const invocation = c!.build(fx);
    const before = treeSnapshot(fx.root);
    const r = spawnSync(process.execPath, ['--import', 'tsx', `scripts/${SCRIPT[c!.command]}.ts`, ...invocation.args], { cwd: root, encoding: 'utf8', timeout: CASE_LIMIT_MS });
    expect(r.error, 'no answer in time').toBeUndefined();
    expect(r.status).toBe(c!.code);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toContain(invocation.names);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(treeChanges(before, treeSnapshot(fx.root))).toEqual([]);
  });
});

// Last in the file (vitest runs a file's tests in order): the counts over every case above.
describe('summary', () => {
  it('no hangs, no data lost, every case a clean one-line error', () => {
    console.log(`fault suite: ${tally.cases} cases, ${tally.clean} clean one-line errors, ${tally.hangs} hangs, ${tally.lost} data lost`);
    expect(tally.hangs).toBe(0);
    expect(tally.lost).toBe(0);
    expect(tally.clean).toBe(tally.cases);
  });
});
