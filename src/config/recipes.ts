import { isImageTargetName, type DataSourceName } from '../../datasets/index.js';
import type { Activation } from '../../models/activations.js';
import { UNET_DEFAULTS } from '../../models/unet.js';
import type { BackendChoice } from '../platform/backend.js';
import type { LrSchedule } from '../optim/schedule.js';
import type { Parameterisation } from '../parameterisation.js';
import type { ProcessName } from '../process/index.js';
import type { TauSampling } from '../train/tau-sampling.js';

/**
 * A full recipe: a value for every setting a run request may leave out, plus
 * the backend and the evaluation after training. Keys are those of the request.
 */
export interface Recipe {
  target: DataSourceName;
  process: ProcessName;
  width: number;
  depth: number;
  activation: Activation;
  timeFrequencies: number;
  maxFrequency: number;
  channels: readonly number[];
  blocksPerLevel: number;
  attention: boolean;
  groups: number;
  parameterisation: Parameterisation;
  steps: number;
  batchSize: number;
  lr: number;
  lrSchedule: LrSchedule;
  warmup: number;
  gradClip: number;
  emaHalflife: number;
  minSnrGamma: number | 'none';
  tauSampling: TauSampling;
  seed: number;
  checkpointEvery: number;
  logEvery: number;
  replicas: number;
  backend: BackendChoice;
  evalSamples: number;
  evalSteps: number;
  evalBatchSize: number;
}

/** The point recipe, the defaults of `npm run train`: VP on grid9, MLP 3 x 128, batch 512, 4000 steps, Adam 1e-3. */
export const TRAIN_DEFAULTS = {
  target: 'grid9',
  process: 'vp',
  width: 128,
  depth: 3,
  activation: 'silu',
  timeFrequencies: 8,
  maxFrequency: 16,
  // The U-Net of the GPU recipe; image targets start from IMAGE_TRAIN_DEFAULTS's smaller one.
  channels: UNET_DEFAULTS.channels,
  blocksPerLevel: UNET_DEFAULTS.blocksPerLevel,
  attention: UNET_DEFAULTS.attention,
  groups: UNET_DEFAULTS.groups,
  parameterisation: 'noise',
  steps: 4000,
  batchSize: 512,
  lr: 1e-3,
  lrSchedule: 'constant',
  warmup: 100,
  gradClip: 1,
  emaHalflife: 250,
  // The plain noise-prediction loss.
  minSnrGamma: 'none',
  tauSampling: 'uniform',
  seed: 0,
  checkpointEvery: 1000,
  logEvery: 100,
  replicas: 1,
  backend: 'auto',
  evalSamples: 2000,
  evalSteps: 500,
  evalBatchSize: 2000,
} as const satisfies Recipe;

/**
 * Image targets (mnist) start from the CPU recipe instead, over the point
 * recipe: a small U-Net at batch 64 (a U-Net step at batch 512 is too slow
 * for a CPU).
 */
export const IMAGE_TRAIN_DEFAULTS = {
  channels: [16, 32, 32],
  attention: false,
  // Sized to fit one CPU session with --replicas 2; longer runs gained little.
  steps: 6000,
  batchSize: 64,
  lr: 2e-3,
  lrSchedule: 'cosine',
  warmup: 50,
  emaHalflife: 200,
  // Caps the weight of the low-noise (high-SNR) levels so they do not dominate training; helps VP's samples, leaves PBM's as they are.
  minSnrGamma: 5,
  // VP's uniform taus spend much of training at very low signal-to-noise; logistic trains both processes
  // on PBM's log-SNR spread (for PBM it is the same draws as uniform).
  tauSampling: 'logistic',
  checkpointEvery: 500,
  logEvery: 50,
} as const satisfies Partial<Recipe>;

/**
 * The GPU recipe for image targets (docs/cli.md, "The GPU recipe"): the
 * default U-Net with attention, a bigger batch and many more steps. Given as
 * flags over the image recipe; `gpu-check` times its network.
 */
export const IMAGE_GPU_RECIPE = {
  channels: UNET_DEFAULTS.channels,
  attention: true,
  batchSize: 128,
  steps: 20000,
  lr: 1e-3,
  warmup: 500,
  emaHalflife: 1000,
  evalSteps: 250,
} as const satisfies Partial<Recipe>;

/** The recipe a target trains from: the image recipe over the point recipe for image targets, else the point recipe. */
export function recipeFor(targetName: string): Recipe {
  return isImageTargetName(targetName) ? { ...TRAIN_DEFAULTS, ...IMAGE_TRAIN_DEFAULTS } : TRAIN_DEFAULTS;
}
