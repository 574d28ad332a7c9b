import type { DataSourceName } from '../../datasets/index.js';
import type { Activation } from '../../models/activations.js';
import type { BackboneKind } from '../../models/backbone.js';
import type { LrSchedule } from '../optim/schedule.js';
import type { Parameterisation } from '../parameterisation.js';
import type { ProcessName } from '../process/index.js';
import type { TauSampling } from '../train/tau-sampling.js';

/**
 * The settings of a new run, as asked for: every one optional (the target's
 * recipe fills it in), values already typed and range-checked by whoever
 * built the request (the command line, the experiment). Each key is also the
 * name of its flag (`batchSize` is --batch-size): see flagOf.
 */
export interface TrainRequest {
  target?: DataSourceName;
  /** Options of the target (each target takes its own). */
  dim?: number;
  components?: number;
  targetSeed?: number;
  std?: number;
  mu?: number;
  dataDir?: string;
  subset?: number;
  process?: ProcessName;
  /** Options of the process (each process takes its own). */
  betaMin?: number;
  betaMax?: number;
  sigma?: number;
  tauMin?: number;
  tauMax?: number;
  backbone?: BackboneKind;
  width?: number;
  depth?: number;
  activation?: Activation;
  channels?: number[];
  blocksPerLevel?: number;
  attention?: boolean;
  groups?: number;
  embedDim?: number;
  timeFrequencies?: number;
  maxFrequency?: number;
  parameterisation?: Parameterisation;
  steps?: number;
  batchSize?: number;
  lr?: number;
  lrSchedule?: LrSchedule;
  warmup?: number;
  gradClip?: number;
  emaHalflife?: number;
  /** 'none': the plain loss. */
  minSnrGamma?: number | 'none';
  tauSampling?: TauSampling;
  seed?: number;
  checkpointEvery?: number;
  logEvery?: number;
  /** 1 to MAX_REPLICAS. */
  replicas?: number;
}

export type TrainRequestKey = keyof TrainRequest;

/** The flag that sets a request key, for error messages: `batchSize` -> `--batch-size`. */
export function flagOf(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
