import { z } from 'zod';
import { mlpConfigSchema } from '../models/schema.js';
import { PARAMETERISATIONS } from './parameterisation.js';
import { PROCESS_NAMES } from './process/gaussian-path.js';
import { LR_SCHEDULES } from './optim/schedule.js';

/** Run config format; bump when a change makes older runs unreadable. */
export const RUN_FORMAT_VERSION = 1;

const positiveInt = z.number().int().positive();
const finite = z.number().finite();
const positive = finite.positive();

export const modelConfigSchema = mlpConfigSchema.extend({
  parameterisation: z.enum(PARAMETERISATIONS),
  dataStd: positive,
});

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
export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type RunConfig = z.infer<typeof runConfigSchema>;
