import { z } from 'zod';
import type { BackboneConfig } from '../../models/backbone.js';
import { mlpConfigSchema, refineUnet, unetConfigFields } from '../../models/schema.js';
import { PARAMETERISATIONS } from '../parameterisation.js';
import { PROCESS_NAMES } from '../process/gaussian-path.js';
import { LR_SCHEDULES } from '../optim/schedule.js';
import { TAU_SAMPLINGS } from '../train/tau-sampling.js';

/** Run config format; bump when a change makes older runs unreadable. */
export const RUN_FORMAT_VERSION = 1;

const positiveInt = z.number().int().positive();
const finite = z.number().finite();
const positive = finite.positive();

/** How the score network reads the backbone: beside the architecture in a run's config. */
const scoreFields = {
  parameterisation: z.enum(PARAMETERISATIONS),
  dataStd: positive,
};

/** The network of a run: a backbone architecture (one member per kind) and how its output is read. */
export const modelConfigSchema = z.discriminatedUnion('kind', [
  mlpConfigSchema.extend(scoreFields),
  unetConfigFields.extend(scoreFields).superRefine(refineUnet),
]);

export const trainConfigSchema = z.object({
  steps: positiveInt,
  batchSize: positiveInt,
  lr: positive,
  lrSchedule: z.enum(LR_SCHEDULES),
  warmupSteps: z.number().int().nonnegative(),
  gradClip: positive,
  emaHalfLife: positive,
  seed: z.number().int(),
  checkpointEvery: positiveInt,
  logEvery: positiveInt,
  /**
   * Data-parallel replicas the batch is split over (absent: 1, as in runs of
   * older versions). Part of the run: the gradients' summation order depends on it.
   */
  replicas: positiveInt.optional(),
  /** Min-SNR-gamma loss weighting (absent: the plain noise-prediction loss, as in runs of older versions). */
  minSnrGamma: positive.optional(),
  /** How noise levels are drawn (absent: uniform, as in runs of older versions). */
  tauSampling: z.enum(TAU_SAMPLINGS).optional(),
});

export const runConfigSchema = z.object({
  formatVersion: z.literal(RUN_FORMAT_VERSION),
  target: z.object({
    name: z.string(),
    options: z.record(z.string(), z.unknown()),
    params: z.record(z.string(), z.unknown()),
    dim: positiveInt,
  }),
  process: z.object({
    name: z.enum(PROCESS_NAMES),
    params: z.record(z.string(), finite),
  }),
  model: modelConfigSchema,
  train: trainConfigSchema,
  backend: z.string(),
  /** Threads of the wasm backend (results do not depend on it); absent in runs of older versions. */
  threads: positiveInt.optional(),
  createdAt: z.string(),
});

export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** The architecture part of a model config (what createBackbone takes). */
export function backboneConfig(model: ModelConfig): BackboneConfig {
  const { parameterisation: _p, dataStd: _d, ...architecture } = model;
  return architecture as BackboneConfig;
}
export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type RunConfig = z.infer<typeof runConfigSchema>;
