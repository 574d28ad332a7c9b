import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchCli } from '../src/cli/bench-cli.js';
import { classifierCli } from '../src/cli/classifier-cli.js';
import { diagnoseCli } from '../src/cli/diagnose-cli.js';
import { experimentCli } from '../src/cli/experiment-cli.js';
import { sampleCli } from '../src/cli/sample-cli.js';
import { trainCli } from '../src/cli/train-cli.js';
import { formatBound, LIMITS } from '../src/config/limits.js';
import { checkMemory, samplingBytes, trainingBytes } from '../src/config/memory-estimate.js';
import { UsageError } from '../src/errors.js';
import { oneLineRefusal, tempDir } from './helpers.js';

const root = path.resolve(import.meta.dirname, '..');
const MLP = { kind: 'mlp', dim: 2, width: 128, depth: 3, activation: 'silu', timeFrequencies: 8, maxFrequency: 16 } as const;

/**
 * Values too large for a 2-core machine with tens of GiB: each refused in one
 * line naming the flag, before anything is allocated or written. The memory
 * cases are far over any machine's memory, so they do not depend on this one's.
 */
const CLIS: Record<string, (argv: string[]) => Promise<number>> = { train: trainCli, sample: sampleCli, diagnose: diagnoseCli, experiment: experimentCli, bench: benchCli, classifier: classifierCli };

const cases: [string, string[], RegExp][] = [
  ['train', ['--steps', '1e12'], /^--steps '1e12': expected an integer from 1 to 1e8 \(1e8 updates take over 6 days/],
  ['train', ['--batch-size', '1000000000'], /^--batch-size '1000000000': expected an integer from 1 to 1000000 /],
  ['train', ['--width', '100000'], /^--width '100000': expected an integer from 1 to 16384 /],
  ['train', ['--target', 'gmm', '--dim', '100000'], /^--dim '100000': expected an integer from 1 to 10000 /],
  ['train', ['--target', 'gmm', '--components', '1e6'], /^--components '1e6': expected an integer from 1 to 10000 /],
  ['train', ['--depth', '5000'], /^--depth '5000': expected an integer from 1 to 1000 /],
  ['train', ['--seed', '1099511627776'], /^--seed '1099511627776': expected an integer from -2147483648 to 2147483647 \(seeds are mixed as 32-bit integers\)$/],
  ['train', ['--time-frequencies', '100000'], /^--time-frequencies '100000': expected an integer from 1 to 1024 /],
  ['train', ['--max-frequency', '1e9'], /^--max-frequency '1e9': expected a finite number > 0 and at most 100000 /],
  ['train', ['--target', 'mnist', '--channels', '16,5000'], /^--channels '16,5000': expected comma-separated integers from 1 to 1024/],
  ['train', ['--eval-samples', '1'], /^--eval-samples '1': expected an integer from 2 to 10000 \(the metrics need 2 samples/],
  ['train', ['--eval-steps', '1e9'], /^--eval-steps '1e9': expected an integer from 1 to 1000000 /],
  // Each value within its bound, the network together far too large: the estimate names a flag and what fits.
  ['train', ['--width', '16384', '--depth', '1000'], /^--(width|depth) \d+: training would need about [\d.e+]+ GiB of memory, more than half of this machine's [\d.]+ GiB; at these settings --(width|depth) can be at most \d+$/],
  ['train', ['--width', '16384', '--depth', '1000', '--batch-size', '1000'], /^--(width|depth) \d+: training would need about/],
  ['sample', ['--run', 'R', '--n', '1'], /^--n '1': expected an integer from 2 to 10000 \(the metrics need 2 samples/],
  ['sample', ['--run', 'R', '--n', '1e9'], /^--n '1e9': expected an integer from 2 to 10000 /],
  ['sample', ['--run', 'R', '--steps', '1e12'], /^--steps '1e12': expected an integer from 1 to 1000000 /],
  ['sample', ['--run', 'R', '--batch-size', '1e9'], /^--batch-size '1e9': expected an integer from 1 to 1000000 /],
  ['sample', ['--run', 'R', '--corrector-steps', '1000'], /^--corrector-steps '1000': expected an integer from 0 to 100 /],
  ['diagnose', ['--target', 'grid9', '--r-count', '1e6'], /^--r-count '1e6': expected an integer from 1 to 10000 /],
  ['diagnose', ['--target', 'grid9', '--n', '1e9'], /^--n '1e9': expected an integer from 1 to 1000000 /],
  ['diagnose', ['--target', 'gmm', '--dim', '1e6'], /^--dim '1e6': expected an integer from 1 to 10000 /],
  ['experiment', ['vp-vs-pbm', '--steps', '1e12'], /^--steps '1e12': expected an integer from 1 to 1e8 /],
  ['experiment', ['vp-vs-pbm', '--eval-samples', '1'], /^--eval-samples '1': expected an integer from 2 to 10000 /],
  ['experiment', ['vp-vs-pbm', '--score-points', '1e9'], /^--score-points '1e9': expected an integer from 1 to 1000000 /],
  ['bench', ['--repeat-scale', '1e6'], /^--repeat-scale '1e6': expected a finite number > 0 and at most 100 /],
  ['classifier', ['--epochs', '1e6'], /^--epochs '1e6': expected an integer from 1 to 1000 /],
  ['classifier', ['--steps', '1e12'], /^--steps '1e12': expected an integer from 1 to 1e8 /],
];

describe('upper bounds: a value that cannot work is refused in one line naming the flag', () => {
  it.each(cases)('%s %j', async (command, args, message) => {
    const out = path.join(tempDir('limits'), 'out');
    const argv = args.map((a) => (a === 'R' ? out : a));
    const extra = command === 'train' ? ['--out', out] : [];
    const error = await oneLineRefusal(() => CLIS[command]!([...argv, ...extra]), UsageError);
    expect(error.message).toMatch(message);
  });

  it('exits with code 2 and one line, before writing anything', () => {
    const out = path.join(tempDir('limits-exit'), 'run');
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/train.ts', '--steps', '1e12', '--out', out], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(2);
    // Exactly one line: no blank line before it when stderr is not a terminal.
    expect(result.stderr.split('\n')).toEqual([expect.stringMatching(/^error: --steps '1e12': expected an integer from 1 to 1e8 /), '']);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('every bound is documented in docs/limits.md', () => {
    const doc = fs.readFileSync(path.join(root, 'docs', 'limits.md'), 'utf8');
    for (const [name, bound] of Object.entries(LIMITS)) expect(doc, name).toMatch(new RegExp(`\\| \`${name}\` \\| [^|]*\\| ${formatBound(bound.max)} \\|`));
  });
});

describe('the memory estimate', () => {
  it('grows with the batch, the width and the depth', () => {
    expect(trainingBytes(MLP, 1024)).toBeGreaterThan(trainingBytes(MLP, 512));
    expect(trainingBytes({ ...MLP, width: 256 }, 512)).toBeGreaterThan(trainingBytes(MLP, 512));
    expect(trainingBytes({ ...MLP, depth: 6 }, 512)).toBeGreaterThan(trainingBytes(MLP, 512));
    expect(samplingBytes(MLP, 4000, 2000, false)).toBeGreaterThan(samplingBytes(MLP, 2000, 2000, false));
  });

  it('passes the default recipe under a 1 GiB budget', () => {
    expect(() => checkMemory('training', [{ flag: '--batch-size', value: 512, bytesAt: (v) => trainingBytes(MLP, v) }], 2 ** 30)).not.toThrow();
    expect(() => checkMemory('sampling', [{ flag: '--n', value: 2000, bytesAt: (v) => samplingBytes(MLP, v, 2000, false) }], 2 ** 30)).not.toThrow();
  });

  it('names the flag and the largest value that fits the budget', () => {
    const bytesAt = (v: number) => v * 1000;
    expect(() => checkMemory('training', [{ flag: '--batch-size', value: 5000, bytesAt }], 1_000_000)).toThrow(
      /^--batch-size 5000: training would need about 0\.00466 GiB of memory, .*; at these settings --batch-size can be at most 1000$/,
    );
  });
});
