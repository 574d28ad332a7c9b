import { createTargetFromConfig, resolveTargetOptions, type TargetName } from '../../datasets/index.js';
import type { RunConfig } from '../config.js';
import { RUN_FORMAT_VERSION } from '../config.js';
import { UsageError } from '../errors.js';
import { createProcess } from '../process/index.js';
import { TRAIN_DEFAULTS as D, type TrainFlags } from '../cli/train-options.js';

/** Target options from flags; flags that do not apply to the chosen target are errors, not ignored. */
function targetOptions(f: TrainFlags, seed: number): { name: string; options: Record<string, unknown> } {
  const name: TargetName = f.target ?? D.target;
  const reject = (flagName: string, given: unknown) => {
    if (given !== undefined) throw new UsageError(`${flagName} ${given}: does not apply to --target ${name}`);
  };
  // Flags each target takes; the target's own schema fills in the defaults.
  const accepted: Record<string, Partial<Record<'dim' | 'components' | 'targetSeed' | 'std' | 'mu', string>>> = {
    funnel: { dim: 'dim' },
    gmm: { dim: 'dim', components: 'components', targetSeed: 'seed' },
    gaussian: { dim: 'dim', std: 'std' },
    'two-point': { dim: 'dim', mu: 'mu' },
  };
  const takes = accepted[name] ?? {};
  const options: Record<string, unknown> = name === 'gmm' ? { seed } : {};
  for (const key of ['dim', 'components', 'targetSeed', 'std', 'mu'] as const) {
    const option = takes[key];
    if (option !== undefined && f[key] !== undefined) options[option] = f[key];
    else if (option === undefined) reject(`--${key === 'targetSeed' ? 'target-seed' : key}`, f[key]);
  }
  return { name, options: resolveTargetOptions(name, options) };
}

/** The full config of a new run, with every default filled in. */
export function resolveTrainConfig(f: TrainFlags, backend: string): RunConfig {
  const seed = f.seed ?? D.seed;
  const { name, options } = targetOptions(f, seed);
  const target = createTargetFromConfig(name, options);
  const processName = f.process ?? D.process;
  if (processName === 'vp') {
    if (f.sigma !== undefined) throw new UsageError(`--sigma ${f.sigma}: does not apply to --process vp (PBM only)`);
  } else if (f.betaMin !== undefined || f.betaMax !== undefined) {
    throw new UsageError(`--beta-${f.betaMin !== undefined ? 'min' : 'max'}: does not apply to --process pbm (VP only)`);
  }
  const path = createProcess(processName, {
    betaMin: f.betaMin,
    betaMax: f.betaMax,
    sigma: f.sigma,
    tauMin: f.tauMin,
    tauMax: f.tauMax,
  });
  if (!(path.tauMin < path.tauMax)) {
    throw new UsageError(`--tau-min ${path.tauMin}: must be below --tau-max (${path.tauMax})`);
  }
  if (processName === 'pbm' && path.tauMax >= 1) {
    throw new UsageError(`--tau-max ${path.tauMax}: PBM is singular at tau = 1; accepted: a number in (tau-min, 1)`);
  }
  const steps = f.steps ?? D.steps;
  return {
    formatVersion: RUN_FORMAT_VERSION,
    target: { name, options, params: target.params, dim: target.dim },
    process: { name: processName, params: path.params },
    model: {
      kind: 'mlp',
      dim: target.dim,
      width: f.width ?? D.width,
      depth: f.depth ?? D.depth,
      activation: f.activation ?? D.activation,
      timeFrequencies: f.timeFrequencies ?? D.timeFrequencies,
      maxFrequency: f.maxFrequency ?? D.maxFrequency,
      parameterisation: f.parameterisation ?? D.parameterisation,
      dataStd: target.dataStd,
    },
    train: {
      steps,
      batchSize: f.batchSize ?? D.batchSize,
      lr: f.lr ?? D.lr,
      lrSchedule: f.lrSchedule ?? D.lrSchedule,
      warmupSteps: Math.min(f.warmup ?? D.warmup, steps),
      gradClip: f.gradClip ?? D.gradClip,
      emaHalfLife: f.emaHalflife ?? D.emaHalflife,
      seed,
      checkpointEvery: f.checkpointEvery ?? D.checkpointEvery,
      logEvery: f.logEvery ?? D.logEvery,
    },
    backend,
    createdAt: new Date().toISOString(),
  };
}

/** Flags that define the run; on --resume they must agree with the stored config. */
const RESUME_LOCKED: [keyof TrainFlags, string, (c: RunConfig) => unknown][] = [
  ['target', '--target', (c) => c.target.name],
  ['process', '--process', (c) => c.process.name],
  ['width', '--width', (c) => c.model.width],
  ['depth', '--depth', (c) => c.model.depth],
  ['activation', '--activation', (c) => c.model.activation],
  ['timeFrequencies', '--time-frequencies', (c) => c.model.timeFrequencies],
  ['maxFrequency', '--max-frequency', (c) => c.model.maxFrequency],
  ['parameterisation', '--parameterisation', (c) => c.model.parameterisation],
  ['batchSize', '--batch-size', (c) => c.train.batchSize],
  ['lr', '--lr', (c) => c.train.lr],
  ['seed', '--seed', (c) => c.train.seed],
  ['lrSchedule', '--lr-schedule', (c) => c.train.lrSchedule],
  ['warmup', '--warmup', (c) => c.train.warmupSteps],
  ['gradClip', '--grad-clip', (c) => c.train.gradClip],
  ['emaHalflife', '--ema-halflife', (c) => c.train.emaHalfLife],
  ['checkpointEvery', '--checkpoint-every', (c) => c.train.checkpointEvery],
  ['logEvery', '--log-every', (c) => c.train.logEvery],
];

/** A resumed run keeps its config; only --steps (extend), backend and evaluation flags may change. */
export function resumeConfig(stored: RunConfig, f: TrainFlags, dir: string): RunConfig {
  for (const [key, flagName, read] of RESUME_LOCKED) {
    const given = f[key];
    if (given !== undefined && given !== read(stored)) {
      throw new UsageError(`${flagName} ${given}: does not match the run in ${dir} (${flagName} ${read(stored)}); drop the flag to resume`);
    }
  }
  for (const key of ['dim', 'components', 'targetSeed', 'std', 'mu', 'betaMin', 'betaMax', 'sigma', 'tauMin', 'tauMax', 'out'] as const) {
    if (f[key] !== undefined) {
      throw new UsageError(`--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} ${f[key]}: cannot be changed on --resume; the run's config.json is used`);
    }
  }
  return { ...stored, train: { ...stored.train, steps: f.steps ?? stored.train.steps } };
}
