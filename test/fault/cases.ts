import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import type { CommandSpec } from '../../src/cli/command-line.js';
import { isNumericFlag } from '../../src/cli/flags.js';
import { BENCH_COMMAND } from '../../src/cli/bench-cli.js';
import { CLASSIFIER_COMMAND } from '../../src/cli/classifier-cli.js';
import { DIAGNOSE_COMMAND } from '../../src/cli/diagnose-cli.js';
import { EXPERIMENT_COMMAND } from '../../src/cli/experiment-cli.js';
import { EXPORT_COMMAND } from '../../src/cli/export-cli.js';
import { GPU_CHECK_COMMAND } from '../../src/cli/gpu-check-cli.js';
import { LIKELIHOOD_COMMAND } from '../../src/cli/likelihood-cli.js';
import { PACK_COMMAND } from '../../src/cli/pack-cli.js';
import { REPORT_COMMAND } from '../../src/cli/report-cli.js';
import { SAMPLE_COMMAND } from '../../src/cli/sample-cli.js';
import { TRAIN_COMMAND } from '../../src/cli/train-cli.js';

/**
 * The table of bad inputs of the fault-injection suite: generated from every command's flag
 * schema (each numeric flag gets the values its range refuses; each choice flag an unknown
 * value), plus hand-written bad paths, conflicts and damaged run, bundle and experiment folders.
 */

export type CommandName = 'train' | 'sample' | 'likelihood' | 'export' | 'diagnose' | 'experiment' | 'bench' | 'classifier' | 'pack-device' | 'report' | 'gpu-check';

/** What a case may use; `root` holds the run, bundle and samples folder that no case may change. */
export interface Fixtures {
  root: string;
  run: string;
  bundle: string;
  samples: string;
  /** A path in a fresh scratch folder outside root, not yet existing. */
  fresh: (name: string) => string;
  /** A regular file outside root. */
  file: string;
  /** A fresh folder holding one unrelated file (not a run, bundle or experiment). */
  otherDir: () => string;
  /** A copy of the run (outside root) damaged by `damage`. */
  damagedRun: (damage: (run: string) => void) => string;
  /** A copy of the bundle (outside root) damaged by `damage`. */
  damagedBundle: (damage: (bundle: string) => void) => string;
}

/** One invocation: its argv, the text its error must contain (the flag or file), folders besides root that must stay as they were. */
export interface Invocation {
  args: string[];
  names: string;
  watch?: string[];
}

export interface FaultCase {
  name: string;
  command: CommandName;
  /** The documented exit code (2: bad input). */
  code: number;
  build: (fx: Fixtures) => Invocation;
}

const SPECS: Record<CommandName, CommandSpec<z.ZodType>> = {
  train: TRAIN_COMMAND,
  sample: SAMPLE_COMMAND,
  likelihood: LIKELIHOOD_COMMAND,
  export: EXPORT_COMMAND,
  diagnose: DIAGNOSE_COMMAND,
  experiment: EXPERIMENT_COMMAND,
  bench: BENCH_COMMAND,
  classifier: CLASSIFIER_COMMAND,
  'pack-device': PACK_COMMAND,
  report: REPORT_COMMAND,
  'gpu-check': GPU_CHECK_COMMAND,
} as Record<CommandName, CommandSpec<z.ZodType>>;

/**
 * Arguments that make each command valid and quick, so that a refused value is the only fault;
 * a flag under test replaces the same flag here.
 */
const BASE: Record<CommandName, (fx: Fixtures) => string[]> = {
  train: (fx) => ['--width', '16', '--depth', '1', '--batch-size', '64', '--steps', '5', '--no-eval', '--backend', 'wasm', '--threads', '1', '--out', fx.fresh('run')],
  sample: (fx) => ['--run', fx.run, '--n', '10', '--steps', '2', '--backend', 'wasm', '--threads', '1', '--out', fx.fresh('samples')],
  likelihood: (fx) => ['--run', fx.run, '--n', '10', '--solver', 'heun', '--nfe', '3', '--backend', 'wasm', '--threads', '1', '--out', fx.fresh('likelihood')],
  export: (fx) => ['--run', fx.run, '--out', fx.fresh('bundle')],
  diagnose: (fx) => ['--target', 'grid9', '--n', '20', '--r-count', '2', '--u-count', '2', '--delta-count', '2', '--out', fx.fresh('diag')],
  experiment: (fx) => ['vp-vs-pbm', '--quick', '--dry-run', '--out', fx.fresh('experiment')],
  bench: () => ['--cases', 'mmd', '--repeat-scale', '0.01', '--backend', 'wasm', '--threads', '1'],
  classifier: (fx) => ['--steps', '1', '--subset', '64', '--backend', 'wasm', '--threads', '1', '--data-dir', fx.fresh('mnist'), '--out', fx.fresh('classifier')],
  'pack-device': (fx) => ['--out', fx.fresh('pack.tar.xz')],
  // An undamaged copy: a report that went through would write report.html into it, never into root.
  report: (fx) => ['--run', fx.damagedRun(() => undefined)],
  'gpu-check': (fx) => ['--parts', 'stack', '--budget-s', '30', '--out', fx.fresh('gpu-check')],
};

/** argv with `--flag value` (or a bare --flag) removed. */
function without(argv: string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== flag) out.push(argv[i]!);
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) i++;
  }
  return out;
}

/** The base argv with `--flag value` put last (the study name of experiment stays first). */
function withFlag(command: CommandName, fx: Fixtures, flag: string, value: string): string[] {
  return [...without(BASE[command](fx), flag), flag, value];
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** What a flag's schema accepts, as its refusal of a word says it ("an integer from 1 to 1e8 (...)"). */
function acceptedText(schema: z.ZodType): string {
  const result = schema.safeParse('abc');
  return result.success ? '' : result.error.issues[0]!.message;
}

const fmt = (v: number) => String(v);

/** Values a numeric flag must refuse, read off its accepted range. */
export function refusedNumbers(accepted: string): string[] {
  const always = ['abc', 'NaN', 'Infinity'];
  const range = /^an integer from (\S+) to (\S+)/.exec(accepted);
  if (range) {
    const [min, max] = [Number(range[1]), Number(range[2])];
    return [...always, fmt(min - 1), fmt(max + 1), `${min}.5`, ...(max < 1e12 ? ['1e12'] : [])];
  }
  const upTo = /^a finite number > 0 and at most (\S+)/.exec(accepted);
  if (upTo) return [...always, '0', '-1', fmt(Number(upTo[1]) * 10)];
  switch (accepted) {
    case 'a positive integer':
      return [...always, '0', '-1', '2.5'];
    case 'a non-negative integer':
      return [...always, '-1', '2.5'];
    case 'a finite number > 0':
      return [...always, '0', '-1'];
    case 'a number in (0, 1)':
      return [...always, '0', '1', '-0.5'];
    case 'a number in (0, 1]':
      return [...always, '0', '1.5'];
    default:
      throw new Error(`no refused values known for a flag accepting "${accepted}"; add them here`);
  }
}

/** For every numeric flag of every command, each value its range refuses; for every choice flag, an unknown word. */
function generatedCases(): FaultCase[] {
  const cases: FaultCase[] = [];
  for (const [command, spec] of Object.entries(SPECS) as [CommandName, CommandSpec<z.ZodType>][]) {
    const shape = (spec.schema as unknown as { shape: Record<string, z.ZodType> }).shape;
    for (const name of Object.keys(spec.flags)) {
      const schema = shape[camel(name)];
      if (schema === undefined) continue;
      const flag = `--${name}`;
      const accepted = acceptedText(schema);
      if (isNumericFlag(schema)) {
        for (const value of refusedNumbers(accepted)) {
          cases.push({ name: `${command} ${flag} ${value}`, command, code: 2, build: (fx) => ({ args: withFlag(command, fx, flag, value), names: `${flag} '${value}': expected ` }) });
        }
      } else if (accepted.startsWith('one of ') || /comma-separated/.test(accepted)) {
        cases.push({ name: `${command} ${flag} bogus`, command, code: 2, build: (fx) => ({ args: withFlag(command, fx, flag, 'bogus'), names: `${flag} 'bogus': expected ` }) });
      }
    }
    // Every command: an unknown flag, a stray argument, a flag given twice.
    cases.push({ name: `${command} unknown flag`, command, code: 2, build: (fx) => ({ args: [...BASE[command](fx), '--no-such-flag'], names: '--no-such-flag' }) });
    if (command !== 'experiment') cases.push({ name: `${command} stray argument`, command, code: 2, build: (fx) => ({ args: [...BASE[command](fx), 'stray'], names: "'stray'" }) });
    const twice = command === 'bench' ? ['--cases', 'mmd'] : ['--out', 'somewhere'];
    cases.push({ name: `${command} ${twice[0]} given twice`, command, code: 2, build: (fx) => ({ args: [...BASE[command](fx), ...twice], names: twice[0]! }) });
  }
  return cases;
}

type Build = FaultCase['build'];
const usage = (command: CommandName, name: string, build: Build): FaultCase => ({ name: `${command} ${name}`, command, code: 2, build });

/** Damage done to copies of the run or bundle. */
const damage = {
  removeConfig: (dir: string) => fs.rmSync(path.join(dir, 'config.json')),
  garbageConfig: (dir: string) => fs.writeFileSync(path.join(dir, 'config.json'), '{"formatVersion": 1, '),
  wrongSchemaConfig: (dir: string) => fs.writeFileSync(path.join(dir, 'config.json'), '{"formatVersion": 1, "target": 7}\n'),
  truncateCheckpoint: (run: string) => {
    const file = path.join(run, 'checkpoint.bin');
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
  },
  emptyCheckpoint: (run: string) => fs.writeFileSync(path.join(run, 'checkpoint.bin'), ''),
  flipCheckpoint: (run: string) => {
    const file = path.join(run, 'checkpoint.bin');
    const bytes = fs.readFileSync(file);
    for (let i = bytes.length - 400; i < bytes.length; i += 7) bytes[i]! ^= 0xff;
    fs.writeFileSync(file, bytes);
  },
  garbageLogLine: (run: string) => {
    const file = path.join(run, 'log.jsonl');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.splice(2, 0, 'not json at all');
    fs.writeFileSync(file, lines.join('\n'));
  },
  recordlessLogLine: (run: string) => {
    const file = path.join(run, 'log.jsonl');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.splice(2, 0, '[1, 2, 3]');
    fs.writeFileSync(file, lines.join('\n'));
  },
  zeroWeights: (bundle: string) => {
    const file = path.join(bundle, 'weights.bin');
    fs.writeFileSync(file, Buffer.alloc(fs.statSync(file).size));
  },
  truncateWeights: (bundle: string) => {
    const file = path.join(bundle, 'weights.bin');
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
  },
  removeWeights: (bundle: string) => fs.rmSync(path.join(bundle, 'weights.bin')),
  wrongSha: (bundle: string) => {
    const file = path.join(bundle, 'config.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/"sha256": "[0-9a-f]{64}"/, `"sha256": "${'0'.repeat(64)}"`));
  },
};

/** A command on a damaged copy of the run: refused naming `file` of the copy, and the copy is left as it was. */
function onDamagedRun(command: CommandName, name: string, hurt: (run: string) => void, file: string, argv: (fx: Fixtures, run: string) => string[]): FaultCase {
  return usage(command, `(${name})`, (fx) => {
    const run = fx.damagedRun(hurt);
    return { args: argv(fx, run), names: file === '' ? run : path.join(run, file), watch: [run] };
  });
}

/** The commands that read a run directory, each with its argv on a given run. */
const READERS: [CommandName, (fx: Fixtures, run: string) => string[]][] = [
  ['train', (_, run) => ['--resume', run, '--steps', '20', '--no-eval', '--backend', 'wasm', '--threads', '1']],
  ['sample', (fx, run) => ['--run', run, '--n', '10', '--steps', '2', '--backend', 'wasm', '--threads', '1', '--out', fx.fresh('samples')]],
  ['likelihood', (fx, run) => ['--run', run, '--n', '10', '--solver', 'heun', '--nfe', '3', '--backend', 'wasm', '--threads', '1', '--out', fx.fresh('likelihood')]],
  ['export', (fx, run) => ['--run', run, '--out', fx.fresh('bundle')]],
  ['diagnose', (fx, run) => ['--run', run, '--n', '20', '--r-count', '2', '--u-count', '2', '--delta-count', '2', '--backend', 'wasm', '--threads', '1', '--out', fx.fresh('diag')]],
];

const sampleBundle = (fx: Fixtures, bundle: string) => ['--bundle', bundle, '--n', '10', '--steps', '2', '--backend', 'wasm', '--threads', '1', '--out', fx.fresh('samples')];

function handWrittenCases(): FaultCase[] {
  const cases: FaultCase[] = [];
  // A run directory that is missing, a file, not a run, under /proc; and damaged copies.
  for (const [command, argv] of READERS) {
    cases.push(
      usage(command, 'run: a missing folder', (fx) => {
        const run = fx.fresh('missing-run');
        return { args: argv(fx, run), names: run };
      }),
      usage(command, 'run: a file', (fx) => ({ args: argv(fx, fx.file), names: fx.file })),
      usage(command, 'run: a folder that is not a run', (fx) => {
        const dir = fx.otherDir();
        return { args: argv(fx, dir), names: dir, watch: [dir] };
      }),
      usage(command, 'run: /proc', (fx) => ({ args: argv(fx, '/proc/self'), names: '/proc/self' })),
      onDamagedRun(command, 'config.json missing', damage.removeConfig, '', argv),
      onDamagedRun(command, 'config.json not JSON', damage.garbageConfig, 'config.json', argv),
      onDamagedRun(command, 'config.json of the wrong shape', damage.wrongSchemaConfig, 'config.json', argv),
      onDamagedRun(command, 'checkpoint.bin truncated', damage.truncateCheckpoint, 'checkpoint.bin', argv),
      onDamagedRun(command, 'checkpoint.bin empty', damage.emptyCheckpoint, 'checkpoint.bin', argv),
      onDamagedRun(command, 'checkpoint.bin with flipped bytes', damage.flipCheckpoint, 'checkpoint.bin', argv),
    );
  }
  const resume = READERS[0]![1];
  cases.push(
    onDamagedRun('train', 'log.jsonl with a garbage line', damage.garbageLogLine, 'log.jsonl line 3', resume),
    onDamagedRun('train', 'log.jsonl with a line that is not a record', damage.recordlessLogLine, 'log.jsonl line 3', resume),
  );

  // Damaged bundles.
  const onBundle = (name: string, hurt: (b: string) => void, file: string) =>
    usage('sample', `(bundle: ${name})`, (fx) => {
      const bundle = fx.damagedBundle(hurt);
      return { args: sampleBundle(fx, bundle), names: path.join(bundle, file), watch: [bundle] };
    });
  cases.push(
    onBundle('weights.bin zero-filled', damage.zeroWeights, 'weights.bin'),
    onBundle('weights.bin truncated', damage.truncateWeights, 'weights.bin'),
    onBundle('weights.bin missing', damage.removeWeights, 'weights.bin'),
    onBundle('a wrong sha256', damage.wrongSha, 'weights.bin'),
    onBundle('config.json missing', damage.removeConfig, 'config.json'),
    onBundle('config.json not JSON', damage.garbageConfig, 'config.json'),
    usage('sample', '--bundle a missing folder', (fx) => {
      const dir = fx.fresh('missing-bundle');
      return { args: sampleBundle(fx, dir), names: dir };
    }),
    usage('sample', '--bundle a run directory', (fx) => ({ args: sampleBundle(fx, fx.run), names: fx.run })),
    usage('sample', '--bundle a file', (fx) => ({ args: sampleBundle(fx, fx.file), names: fx.file })),
  );

  // Outputs that already exist, are files, or are under a kernel file system: refused, nothing changed.
  const outs: [CommandName, (fx: Fixtures, out: string) => string[]][] = [
    ['train', (_, out) => ['--width', '16', '--depth', '1', '--steps', '5', '--no-eval', '--backend', 'wasm', '--threads', '1', '--out', out]],
    ['sample', (_, out) => ['--run', _.run, '--n', '10', '--steps', '2', '--backend', 'wasm', '--threads', '1', '--out', out]],
    ['likelihood', (fx, out) => ['--run', fx.run, '--n', '10', '--solver', 'heun', '--nfe', '3', '--backend', 'wasm', '--threads', '1', '--out', out]],
    ['export', (fx, out) => ['--run', fx.run, '--out', out]],
    ['diagnose', (_, out) => ['--target', 'grid9', '--n', '20', '--r-count', '2', '--u-count', '2', '--delta-count', '2', '--out', out]],
    ['experiment', (_, out) => ['vp-vs-pbm', '--quick', '--out', out]],
    ['classifier', (fx, out) => ['--steps', '1', '--subset', '64', '--backend', 'wasm', '--threads', '1', '--data-dir', fx.fresh('mnist'), '--out', out]],
    ['gpu-check', (_, out) => ['--parts', 'stack', '--budget-s', '30', '--out', out]],
  ];
  for (const [command, argv] of outs) {
    cases.push(
      usage(command, '--out the existing run', (fx) => ({ args: argv(fx, fx.run), names: fx.run })),
      usage(command, '--out the existing bundle', (fx) => ({ args: argv(fx, fx.bundle), names: fx.bundle })),
      usage(command, '--out the existing samples folder', (fx) => ({ args: argv(fx, fx.samples), names: fx.samples })),
      usage(command, '--out a file', (fx) => ({ args: argv(fx, fx.file), names: fx.file })),
      usage(command, '--out under a file', (fx) => ({ args: argv(fx, path.join(fx.file, 'sub')), names: fx.file })),
      usage(command, '--out under /proc', (fx) => ({ args: argv(fx, '/proc/fault/out'), names: '/proc/fault/out' })),
    );
  }

  // The report reads a run folder and writes report.html into it: anything but a run is refused.
  cases.push(
    usage('report', '--run a missing folder', (fx) => {
      const run = fx.fresh('missing-run');
      return { args: ['--run', run], names: run };
    }),
    usage('report', '--run a file', (fx) => ({ args: ['--run', fx.file], names: fx.file })),
    usage('report', '--run a folder that is not a run', (fx) => {
      const dir = fx.otherDir();
      return { args: ['--run', dir], names: dir, watch: [dir] };
    }),
    usage('report', '--run the bundle', (fx) => ({ args: ['--run', fx.bundle], names: fx.bundle })),
  );

  // The device pack is one .tar.xz file.
  cases.push(
    usage('pack-device', '--out an existing .tar.xz file', (fx) => {
      const file = fx.fresh('pack.tar.xz');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, 'an older pack\n');
      return { args: ['--out', file], names: file, watch: [path.dirname(file)] };
    }),
    usage('pack-device', '--out not ending in .tar.xz', (fx) => ({ args: ['--out', fx.file], names: fx.file })),
    usage('pack-device', '--out under a file', (fx) => ({ args: ['--out', path.join(fx.file, 'p.tar.xz')], names: fx.file })),
    usage('pack-device', '--out under /proc', () => ({ args: ['--out', '/proc/fault/p.tar.xz'], names: '/proc/fault/p.tar.xz' })),
  );

  // Missing required values and conflicting flags.
  cases.push(
    usage('sample', 'neither --run nor --bundle', () => ({ args: ['--n', '10'], names: '--run' })),
    usage('sample', '--run and --bundle together', (fx) => ({ args: ['--run', fx.run, '--bundle', fx.bundle], names: '--bundle' })),
    usage('sample', '--steps with --nfe', (fx) => ({ args: ['--run', fx.run, '--solver', 'heun', '--steps', '4', '--nfe', '8'], names: '--nfe' })),
    usage('sample', '--tau-min above --tau-max', (fx) => ({ args: ['--run', fx.run, '--tau-min', '0.6', '--tau-max', '0.5', '--out', fx.fresh('s')], names: '--tau-min' })),
    usage('sample', '--run with an empty value', () => ({ args: ['--run', ''], names: '--run' })),
    usage('export', 'no --run', (fx) => ({ args: ['--out', fx.fresh('b')], names: '--run' })),
    usage('export', 'no --out', (fx) => ({ args: ['--run', fx.run], names: '--out' })),
    usage('export', '--steps with --nfe', (fx) => ({ args: ['--run', fx.run, '--out', fx.fresh('b'), '--solver', 'heun', '--steps', '4', '--nfe', '8'], names: '--nfe' })),
    usage('train', '--resume with a different --width', (fx) => ({ args: ['--resume', fx.run, '--width', '64'], names: '--width' })),
    usage('train', '--tau-min above --tau-max', (fx) => ({ args: [...BASE.train(fx), '--tau-min', '0.5', '--tau-max', '0.4'], names: '--tau-min' })),
    usage('train', '--dim for grid9', (fx) => ({ args: [...BASE.train(fx), '--dim', '5'], names: '--dim' })),
    usage('train', '--sigma for vp', (fx) => ({ args: [...BASE.train(fx), '--sigma', '2'], names: '--sigma' })),
    usage('train', '--beta-min for pbm', (fx) => ({ args: [...BASE.train(fx), '--process', 'pbm', '--beta-min', '0.2'], names: '--beta-min' })),
    usage('train', '--batch-size beyond the memory budget', (fx) => ({ args: withFlag('train', fx, '--batch-size', '1000000').concat(['--width', '4096', '--depth', '8']), names: '--' })),
    usage('train', '--classifier a missing folder', (fx) => ({ args: ['--target', 'mnist', '--steps', '1', '--out', fx.fresh('run'), '--classifier', fx.fresh('no-classifier')], names: 'no-classifier' })),
    usage('experiment', 'no study', () => ({ args: ['--quick'], names: 'experiment' })),
    usage('experiment', 'unknown study', () => ({ args: ['vp-vs-ve', '--quick'], names: "'vp-vs-ve'" })),
    usage('experiment', '--collect in a folder that is not an experiment', (fx) => {
      const dir = fx.otherDir();
      return { args: ['vp-vs-pbm', '--collect', '--out', dir], names: dir, watch: [dir] };
    }),
    usage('experiment', '--collect in the run directory', (fx) => ({ args: ['vp-vs-pbm', '--collect', '--out', fx.run], names: fx.run })),
    usage('experiment', '--run-cell on a folder that is not a cell', (fx) => {
      const dir = fx.otherDir();
      return { args: ['vp-vs-pbm', '--run-cell', dir], names: dir, watch: [dir] };
    }),
    usage('experiment', '--run-cell on a missing folder', (fx) => {
      const dir = fx.fresh('no-cell');
      return { args: ['vp-vs-pbm', '--run-cell', dir], names: dir };
    }),
    usage('experiment', '--cell beyond the grid', (fx) => ({ args: ['vp-vs-pbm', '--quick', '--cell', '100000', '--out', fx.fresh('e')], names: '--cell' })),
    usage('experiment', '--dims with a repeat', (fx) => ({ args: ['vp-vs-pbm', '--dims', '2,2', '--dry-run', '--out', fx.fresh('e')], names: '--dims' })),
    usage('experiment', '--pbm-tau-min above --pbm-tau-max', (fx) => ({ args: ['vp-vs-pbm', '--quick', '--dry-run', '--pbm-tau-min', '0.6', '--pbm-tau-max', '0.5', '--out', fx.fresh('e')], names: '--pbm-tau' })),
    usage('diagnose', 'neither --target nor --run', (fx) => ({ args: ['--out', fx.fresh('d')], names: '--target' })),
    usage('diagnose', '--r not increasing', (fx) => ({ args: withFlag('diagnose', fx, '--r', '2,1'), names: "--r '2,1'" })),
    usage('diagnose', '--r-min above --r-max', (fx) => ({ args: [...BASE.diagnose(fx), '--r-min', '5', '--r-max', '1'], names: '--r-min' })),
    usage('bench', '--cases with an unknown case', () => ({ args: ['--cases', 'mmd,nope'], names: '--cases' })),
    usage('pack-device', '--node a missing file', (fx) => {
      const file = fx.fresh('node');
      return { args: ['--out', fx.fresh('pack.tar.xz'), '--node', file], names: file };
    }),
    usage('pack-device', '--vulkan-loader a missing file', (fx) => {
      const file = fx.fresh('libvulkan.so.1');
      return { args: ['--out', fx.fresh('pack.tar.xz'), '--vulkan-loader', file], names: file };
    }),
    usage('classifier', '--data-dir a file', (fx) => ({ args: ['--steps', '1', '--data-dir', fx.file, '--out', fx.fresh('c')], names: fx.file })),
  );
  return cases;
}

/** Generated from the flag schemas, and written by hand (paths, conflicts, damaged folders). */
export const GENERATED_CASES = generatedCases();
export const HAND_WRITTEN_CASES = handWrittenCases();
export const FAULT_CASES: FaultCase[] = [...GENERATED_CASES, ...HAND_WRITTEN_CASES];
