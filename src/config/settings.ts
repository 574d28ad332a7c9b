import type { BackboneKind } from '../../models/backbone.js';
import type { RunConfig, TrainConfig } from './run-config.js';
import type { TrainRequestKey } from './train-request.js';

/**
 * How a setting of config.train is recorded: its field there; `absent`, the
 * value it is left out at (configs of older versions lack the field and mean
 * that value); `atMostSteps`, clamped to the run's steps.
 */
export interface TrainField {
  field: keyof TrainConfig;
  absent?: unknown;
  atMostSteps?: true;
}

/**
 * One setting of a run request and what --resume does with it:
 * - locked: the run keeps it; given again it must agree with `stored`, the
 *   value the stored config holds, as the request would give it (undefined:
 *   the setting does not apply to that run);
 * - fixed: recorded inside the target or the process; it cannot be given;
 * - extends: may change (a larger --steps trains on).
 */
export type Setting =
  | { resume: 'locked'; stored: (config: RunConfig) => unknown; train?: TrainField; backbone?: BackboneKind }
  | { resume: 'fixed'; part: 'target' | 'process' }
  | { resume: 'extends'; train: TrainField };

const locked = (stored: (config: RunConfig) => unknown): Setting => ({ resume: 'locked', stored });
const targetOption: Setting = { resume: 'fixed', part: 'target' };
const processOption: Setting = { resume: 'fixed', part: 'process' };

/** A setting of the network; with `backbone`, of that backbone only (an error with the other). */
function modelSetting(field: string, backbone?: BackboneKind): Setting {
  const stored = (c: RunConfig) => (backbone === undefined || c.model.kind === backbone ? (c.model as Record<string, unknown>)[field] : undefined);
  return { resume: 'locked', stored, ...(backbone !== undefined ? { backbone } : {}) };
}

/** A setting recorded in config.train. */
function trainSetting(field: keyof TrainConfig, record: Omit<TrainField, 'field'> = {}): Setting {
  return { resume: 'locked', stored: (c) => c.train[field] ?? record.absent, train: { field, ...record } };
}

/**
 * Every setting of a run request, in the order they are checked (the first
 * problem is the one reported). A new hyper-parameter is one row here, its
 * field in run-config.ts, its default in recipes.ts and its flag.
 */
export const TRAIN_SETTINGS = {
  target: locked((c) => c.target.name),
  dim: targetOption,
  components: targetOption,
  targetSeed: targetOption,
  std: targetOption,
  mu: targetOption,
  dataDir: targetOption,
  subset: targetOption,
  process: locked((c) => c.process.name),
  betaMin: processOption,
  betaMax: processOption,
  sigma: processOption,
  tauMin: processOption,
  tauMax: processOption,
  backbone: locked((c) => c.model.kind),
  width: modelSetting('width', 'mlp'),
  depth: modelSetting('depth', 'mlp'),
  activation: modelSetting('activation', 'mlp'),
  channels: modelSetting('channels', 'unet'),
  blocksPerLevel: modelSetting('blocksPerLevel', 'unet'),
  attention: modelSetting('attention', 'unet'),
  groups: modelSetting('groups', 'unet'),
  embedDim: modelSetting('embedDim', 'unet'),
  timeFrequencies: modelSetting('timeFrequencies'),
  maxFrequency: modelSetting('maxFrequency'),
  parameterisation: modelSetting('parameterisation'),
  steps: { resume: 'extends', train: { field: 'steps' } },
  batchSize: trainSetting('batchSize'),
  lr: trainSetting('lr'),
  seed: trainSetting('seed'),
  lrSchedule: trainSetting('lrSchedule'),
  warmup: trainSetting('warmupSteps', { atMostSteps: true }),
  gradClip: trainSetting('gradClip'),
  emaHalflife: trainSetting('emaHalfLife'),
  minSnrGamma: trainSetting('minSnrGamma', { absent: 'none' }),
  tauSampling: trainSetting('tauSampling', { absent: 'uniform' }),
  checkpointEvery: trainSetting('checkpointEvery'),
  logEvery: trainSetting('logEvery'),
  // The gradients' summation order depends on it, so a resumed run keeps it.
  replicas: trainSetting('replicas', { absent: 1 }),
} as const satisfies { [K in TrainRequestKey]-?: Setting };

/** The settings, in table order. */
export function trainSettings(): [TrainRequestKey, Setting][] {
  return Object.entries(TRAIN_SETTINGS) as [TrainRequestKey, Setting][];
}

/** A value as the command line writes it (a list as 16,32,32), so a request's and a stored config's compare and print alike. */
export function asFlagValue(value: unknown): unknown {
  return Array.isArray(value) ? value.join(',') : value;
}
