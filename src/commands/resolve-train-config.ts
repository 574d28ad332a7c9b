import * as path from 'node:path';
import { isImageSource, isImageTargetName, type DataSource, type DataSourceName } from '../../datasets/index.js';
import { createDataSource, resolveDataSourceOptions } from '../../datasets/sources.js';
import type { BackboneKind } from '../../models/backbone.js';
import type { RunConfig, ModelConfig } from '../config/run-config.js';
import { RUN_FORMAT_VERSION } from '../config/run-config.js';
import { UsageError } from '../errors.js';
import { createProcess } from '../process/index.js';
import { REPLICA_BACKENDS } from '../train/replicas/pool.js';
import type { TauSampling } from '../train/tau-sampling.js';
import { IMAGE_TRAIN_DEFAULTS, TRAIN_DEFAULTS as D, type TrainFlags } from '../cli/train-options.js';

type TargetFlag = 'dim' | 'components' | 'targetSeed' | 'std' | 'mu' | 'dataDir' | 'subset';
const TARGET_FLAGS: TargetFlag[] = ['dim', 'components', 'targetSeed', 'std', 'mu', 'dataDir', 'subset'];
const kebab = (key: string) => '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/** Target options from flags; flags that do not apply to the chosen target are errors, not ignored. */
function targetOptions(f: TrainFlags, seed: number): { name: DataSourceName; options: Record<string, unknown> } {
  const name: DataSourceName = f.target ?? D.target;
  const reject = (flagName: string, given: unknown) => {
    if (given !== undefined) throw new UsageError(`${flagName} ${given}: does not apply to --target ${name}`);
  };
  // Flags each target takes; the target's own schema fills in the defaults.
  const accepted: Record<string, Partial<Record<TargetFlag, string>>> = {
    funnel: { dim: 'dim' },
    gmm: { dim: 'dim', components: 'components', targetSeed: 'seed' },
    gaussian: { dim: 'dim', std: 'std' },
    'two-point': { dim: 'dim', mu: 'mu' },
    mnist: { dataDir: 'dataDir', subset: 'subset' },
  };
  const takes = accepted[name] ?? {};
  const options: Record<string, unknown> = name === 'gmm' ? { seed } : {};
  for (const key of TARGET_FLAGS) {
    const option = takes[key];
    // A data folder is recorded absolute, so the run resumes and samples from any working directory.
    if (option !== undefined && f[key] !== undefined) options[option] = key === 'dataDir' ? path.resolve(String(f[key])) : f[key];
    else if (option === undefined) reject(key === 'targetSeed' ? '--target-seed' : kebab(key), f[key]);
  }
  return { name, options: resolveDataSourceOptions(name, options) };
}

const MLP_FLAGS = ['width', 'depth', 'activation'] as const;
const UNET_FLAGS = ['channels', 'blocksPerLevel', 'attention', 'groups', 'embedDim'] as const;

/** The network: an MLP on points, a U-Net on images (by default); flags of the other backbone are errors. */
function modelConfig(f: TrainFlags, target: DataSource): ModelConfig {
  const kind: BackboneKind = f.backbone ?? (isImageSource(target) ? 'unet' : 'mlp');
  const foreign = kind === 'mlp' ? UNET_FLAGS : MLP_FLAGS;
  for (const key of foreign) {
    if (f[key] !== undefined) throw new UsageError(`${kebab(key)} ${String(f[key])}: does not apply to --backbone ${kind}`);
  }
  const read = { parameterisation: f.parameterisation ?? D.parameterisation, dataStd: target.dataStd };
  const time = { timeFrequencies: f.timeFrequencies ?? D.timeFrequencies, maxFrequency: f.maxFrequency ?? D.maxFrequency };
  if (kind === 'mlp') {
    return {
      kind,
      dim: target.dim,
      width: f.width ?? D.width,
      depth: f.depth ?? D.depth,
      activation: f.activation ?? D.activation,
      ...time,
      ...read,
    };
  }
  if (!isImageSource(target)) throw new UsageError(`--backbone unet: --target ${target.name} is not an image target; accepted: mlp`);
  // Only image targets reach here: their defaults are the CPU recipe's.
  const channels = f.channels ?? [...IMAGE_TRAIN_DEFAULTS.channels];
  const groups = f.groups ?? D.groups;
  const model: ModelConfig = {
    kind,
    dim: target.dim,
    imageShape: [target.height, target.width, target.channels],
    channels,
    blocksPerLevel: f.blocksPerLevel ?? D.blocksPerLevel,
    attention: f.attention ?? IMAGE_TRAIN_DEFAULTS.attention,
    groups,
    embedDim: f.embedDim ?? 4 * channels[0]!,
    ...time,
    ...read,
  };
  if (groups % 2 !== 0) throw new UsageError(`--groups ${groups}: expected an even number (the up path joins two halves)`);
  const bad = channels.find((c) => c % groups !== 0);
  if (bad !== undefined) throw new UsageError(`--channels ${channels.join(',')}: ${bad} is not divisible by --groups ${groups}`);
  return model;
}

/**
 * Refuses replicas on a backend they cannot run on: `backend` as given
 * (auto passes, it is checked again once resolved) or, with
 * `resolvedFromAuto`, what auto chose.
 */
export function checkReplicaBackend(replicas: number, backend: string, resolvedFromAuto = false): void {
  if (replicas > 1 && backend !== 'auto' && !REPLICA_BACKENDS.includes(backend)) {
    const chosen = resolvedFromAuto ? `--backend auto chose ${backend}` : `--backend ${backend} was given`;
    throw new UsageError(
      `--replicas ${replicas}: needs --backend ${REPLICA_BACKENDS.join(' or ')} (each replica is a worker thread with its own TensorFlow.js on the CPU); ${chosen}`,
    );
  }
}

/** The replica count of a run (absent in single-replica runs and in runs of older versions). */
export const runReplicas = (train: { replicas?: number }): number => train.replicas ?? D.replicas;

/** The full config of a new run, with every default filled in. */
export function resolveTrainConfig(f: TrainFlags, backend: string): RunConfig {
  const seed = f.seed ?? D.seed;
  const { name, options } = targetOptions(f, seed);
  const target = createDataSource(name, options);
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
  // Image targets start from the CPU recipe (IMAGE_TRAIN_DEFAULTS).
  const I = isImageTargetName(name) ? IMAGE_TRAIN_DEFAULTS : null;
  const steps = f.steps ?? I?.steps ?? D.steps;
  const batchSize = f.batchSize ?? I?.batchSize ?? D.batchSize;
  const replicas = f.replicas ?? D.replicas;
  checkReplicaBackend(replicas, f.backend ?? D.backend);
  if (replicas > batchSize) {
    throw new UsageError(`--replicas ${replicas}: more than --batch-size ${batchSize}; accepted: 1 to ${batchSize} (each replica takes at least one row of the batch)`);
  }
  return {
    formatVersion: RUN_FORMAT_VERSION,
    target: { name, options, params: target.params, dim: target.dim },
    process: { name: processName, params: path.params },
    model: modelConfig(f, target),
    train: {
      steps,
      batchSize,
      lr: f.lr ?? I?.lr ?? D.lr,
      lrSchedule: f.lrSchedule ?? I?.lrSchedule ?? D.lrSchedule,
      warmupSteps: Math.min(f.warmup ?? I?.warmup ?? D.warmup, steps),
      gradClip: f.gradClip ?? D.gradClip,
      emaHalfLife: f.emaHalflife ?? I?.emaHalflife ?? D.emaHalflife,
      seed,
      checkpointEvery: f.checkpointEvery ?? I?.checkpointEvery ?? D.checkpointEvery,
      logEvery: f.logEvery ?? I?.logEvery ?? D.logEvery,
      // Recorded only when > 1, so single-replica configs read as before.
      ...(replicas > 1 ? { replicas } : {}),
      ...minSnr(f.minSnrGamma ?? I?.minSnrGamma ?? 'none'),
      ...tauSampling(f.tauSampling ?? I?.tauSampling ?? D.tauSampling),
    },
    backend,
    createdAt: new Date().toISOString(),
  };
}

/** Recorded only when on, so configs without it read as before (the plain loss). */
function minSnr(gamma: number | 'none'): { minSnrGamma?: number } {
  return gamma === 'none' ? {} : { minSnrGamma: gamma };
}

/** Recorded only when not uniform, so configs without it read as before. */
function tauSampling(sampling: TauSampling): { tauSampling?: TauSampling } {
  return sampling === 'uniform' ? {} : { tauSampling: sampling };
}

/** Flags that define the run; on --resume they must agree with the stored config. */
const RESUME_LOCKED: [keyof TrainFlags, string, (c: RunConfig) => unknown][] = [
  ['target', '--target', (c) => c.target.name],
  ['process', '--process', (c) => c.process.name],
  ['backbone', '--backbone', (c) => c.model.kind],
  ['width', '--width', (c) => (c.model.kind === 'mlp' ? c.model.width : undefined)],
  ['depth', '--depth', (c) => (c.model.kind === 'mlp' ? c.model.depth : undefined)],
  ['activation', '--activation', (c) => (c.model.kind === 'mlp' ? c.model.activation : undefined)],
  ['channels', '--channels', (c) => (c.model.kind === 'unet' ? c.model.channels.join(',') : undefined)],
  ['blocksPerLevel', '--blocks-per-level', (c) => (c.model.kind === 'unet' ? c.model.blocksPerLevel : undefined)],
  ['attention', '--attention', (c) => (c.model.kind === 'unet' ? c.model.attention : undefined)],
  ['groups', '--groups', (c) => (c.model.kind === 'unet' ? c.model.groups : undefined)],
  ['embedDim', '--embed-dim', (c) => (c.model.kind === 'unet' ? c.model.embedDim : undefined)],
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
  ['minSnrGamma', '--min-snr-gamma', (c) => c.train.minSnrGamma ?? 'none'],
  ['tauSampling', '--tau-sampling', (c) => c.train.tauSampling ?? 'uniform'],
  ['checkpointEvery', '--checkpoint-every', (c) => c.train.checkpointEvery],
  ['logEvery', '--log-every', (c) => c.train.logEvery],
  // The gradients' summation order depends on it, so the numbers would change.
  ['replicas', '--replicas', (c) => runReplicas(c.train)],
];

/** A resumed run keeps its config; only --steps (extend), backend and evaluation flags may change. */
export function resumeConfig(stored: RunConfig, f: TrainFlags, dir: string): RunConfig {
  for (const [key, flagName, read] of RESUME_LOCKED) {
    const given = Array.isArray(f[key]) ? (f[key] as number[]).join(',') : f[key];
    if (given !== undefined && read(stored) === undefined) {
      throw new UsageError(`${flagName} ${given}: does not apply to the run in ${dir} (--backbone ${stored.model.kind})`);
    }
    if (given !== undefined && given !== read(stored)) {
      throw new UsageError(`${flagName} ${given}: does not match the run in ${dir} (${flagName} ${read(stored)}); drop the flag to resume`);
    }
  }
  for (const key of ['dim', 'components', 'targetSeed', 'std', 'mu', 'dataDir', 'subset', 'betaMin', 'betaMax', 'sigma', 'tauMin', 'tauMax', 'out'] as const) {
    if (f[key] !== undefined) {
      throw new UsageError(`${kebab(key)} ${f[key]}: cannot be changed on --resume; the run's config.json is used`);
    }
  }
  return { ...stored, train: { ...stored.train, steps: f.steps ?? stored.train.steps } };
}
