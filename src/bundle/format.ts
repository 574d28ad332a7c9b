import { z } from 'zod';
import { backboneConfigSchema } from '../../models/schema.js';
import { PARAMETERISATIONS } from '../parameterisation.js';
import { PROCESS_NAMES } from '../process/gaussian-path.js';
import { dataRangeSchema, samplerSettingsSchema, solverNameSchema } from '../sampler/settings.js';

/**
 * The bundle: a directory with config.json (this schema) and the weights in one
 * or both formats. Bump the version when a change makes older readers misread
 * a bundle; readers refuse versions newer than theirs.
 */
export const BUNDLE_FORMAT = 'score-sde-bundle';
export const BUNDLE_FORMAT_VERSION = 1;

export const BUNDLE_FILES = {
  config: 'config.json',
  tfjs: 'weights.bin',
  safetensors: 'model.safetensors',
} as const;

export const WEIGHT_FORMATS = ['tfjs', 'safetensors'] as const;
export type WeightFormat = (typeof WEIGHT_FORMATS)[number];

const positiveInt = z.number().int().positive();
const finite = z.number().finite();

export const backboneSchema = backboneConfigSchema;
export type BundleBackbone = z.infer<typeof backboneSchema>;

export const tensorSpecSchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.literal('float32'),
});
export type TensorSpec = z.infer<typeof tensorSpecSchema>;

/** A weight file's SHA-256 in lowercase hex; absent in bundles written before it was recorded. */
const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits').optional();

/** TensorFlow.js's own weights manifest, so tf.io.loadWeights reads weights.bin as well. */
const tfjsWeightsSchema = z.object({
  file: z.string().min(1),
  byteLength: z.number().int().nonnegative(),
  sha256: sha256Schema,
  weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: z.array(tensorSpecSchema) })).length(1),
});

const safetensorsWeightsSchema = z.object({
  file: z.string().min(1),
  byteLength: z.number().int().nonnegative(),
  sha256: sha256Schema,
});

export const bundleConfigSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
  createdAt: z.string(),
  producer: z.string(),
  source: z.object({
    weights: z.enum(['ema', 'raw']),
    step: z.number().int().nonnegative(),
    runFormatVersion: z.number().int(),
  }),
  network: z.object({
    backbone: backboneSchema,
    parameterisation: z.enum(PARAMETERISATIONS),
    /** Input scaling c_in = 1 / sqrt(a^2 dataStd^2 + b^2): the data normalisation. */
    dataStd: finite.positive(),
    /** Every parameter in order, with its layout; the same names in every weight file. */
    tensors: z.array(tensorSpecSchema.extend({ layout: z.string() })).min(1),
    /** The forward pass, step by step, precise enough to reimplement. */
    forward: z.array(z.string()),
    /** Constants the forward pass uses that are not weights (e.g. the time-feature frequencies). */
    constants: z.record(z.string(), z.array(finite)),
  }),
  process: z.object({
    name: z.enum(PROCESS_NAMES),
    params: z.record(z.string(), finite),
    tauMin: finite,
    tauMax: finite,
    prior: z.string(),
    formulas: z.record(z.string(), z.string()),
  }),
  /**
   * The recommended sampler settings (the process gives the time range), the
   * solver named by `method`. Within format version 1, `clip` (absent: no clip),
   * `corrector` (absent: none), `grid` (absent: uniform) and `tolerance`
   * (rk45's rtol and atol) were added later.
   */
  sampler: samplerSettingsSchema.pick({ grid: true, tolerance: true, steps: true, denoise: true, corrector: true, seed: true, batchSize: true }).extend({
    method: solverNameSchema,
    clip: dataRangeSchema.nullable().optional(),
    /** The update rule in words, precise enough to reimplement. */
    update: z.string(),
  }),
  target: z.object({
    name: z.string(),
    options: z.record(z.string(), z.unknown()),
    params: z.record(z.string(), z.unknown()),
    dim: positiveInt,
  }),
  training: z.record(z.string(), z.unknown()),
  evaluation: z.array(z.object({ label: z.string() }).catchall(z.unknown())),
  weights: z
    .object({ tfjs: tfjsWeightsSchema.optional(), safetensors: safetensorsWeightsSchema.optional() })
    .refine((w) => w.tfjs !== undefined || w.safetensors !== undefined, { message: 'lists no weight file' }),
});

export type BundleConfig = z.infer<typeof bundleConfigSchema>;
