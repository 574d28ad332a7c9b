import { z } from 'zod';
import type { PathCoefficients } from '../../datasets/target.js';
import type { GaussianPath } from './gaussian-path.js';
import { paramKey } from './param-keys.js';
import type { Prior } from './prior.js';

/** Options every process has: the range of noise levels it trains and samples on. */
export interface NoiseRange {
  tauMin: number;
  tauMax: number;
}

/** A process's options: numbers only (they are recorded as numeric parameters). */
export type ProcessOptions = NoiseRange & Record<string, number>;

/** The scalar functions that make a Gaussian path (docs/math.md section 1). */
export interface PathFunctions {
  coefficients(tau: number): PathCoefficients;
  /** f(tau) = a'/a. */
  drift(tau: number): number;
  /** g(tau)^2 = (b^2)' - 2 (a'/a) b^2. */
  diffusionSquared(tau: number): number;
}

/**
 * Everything the program knows about one noising process, declared in one file:
 * adding a process is that file plus one line in the registry.
 */
export interface ProcessModule<N extends string = string, O extends ProcessOptions = ProcessOptions> {
  readonly name: N;
  /** How titles and messages write it: "VP". */
  readonly label: string;
  /** One line for help texts. */
  readonly summary: string;
  /** camelCase options, each described (`.shape[key].description`); strict, and every default filled in. */
  readonly options: z.ZodObject & z.ZodType<O, Partial<O>>;
  /** The option keys in recording order. */
  readonly optionKeys: readonly (keyof O & string)[];
  readonly defaults: Readonly<O>;
  create(options: O): GaussianPath<N>;
  /** The snake_case parameters recorded in config.json and bundles (tau_max for tauMax), in option order. */
  toParams(options: O): Record<string, number>;
  /** Closed forms behind the parameters, published in bundles for readers without our code. */
  readonly formulas: Readonly<Record<string, string>>;
  /** True when the path degenerates at tau = 1 (a = 0 pins every point), so tauMax must stay below 1. */
  readonly singularAtOne: boolean;
  readonly prior: Prior;
  /**
   * Sampling cost relative to VP at equal accuracy (a singular end needs finer steps);
   * orders the experiment's cells, heavier first.
   */
  readonly samplingCost: number;
}

/** What a process file writes; the rest of its module follows from it. */
export interface ProcessSpec<N extends string, O extends ProcessOptions> {
  name: N;
  label: string;
  summary: string;
  /** A strict z.object whose fields all have defaults, tauMin and tauMax last. */
  options: z.ZodObject & z.ZodType<O, Partial<O>>;
  path(options: O): PathFunctions;
  formulas: Record<string, string>;
  singularAtOne: boolean;
  prior: Prior;
  samplingCost: number;
}

/** The forms every process shares (docs/math.md section 1). */
export const GAUSSIAN_PATH_FORMULAS = {
  path: 'x_tau = a(tau) x0 + b(tau) eps, eps ~ N(0, I)',
  sde: 'dx = f(tau) x dtau + g(tau) dW',
};

/** The noise-level options of a process, with its defaults. */
export function noiseRangeOptions(defaults: NoiseRange) {
  return {
    tauMin: z.number().gt(0).lt(1).default(defaults.tauMin).describe('smallest noise level, in training and sampling'),
    tauMax: z.number().gt(0).lte(1).default(defaults.tauMax).describe('largest noise level, in training and sampling (sampling starts there, from the prior)'),
  };
}

export function defineProcess<const N extends string, O extends ProcessOptions>(spec: ProcessSpec<N, O>): ProcessModule<N, O> {
  const optionKeys = Object.keys(spec.options.shape) as (keyof O & string)[];
  const toParams = (o: O): Record<string, number> => Object.fromEntries(optionKeys.map((k) => [paramKey(k), o[k]]));
  return {
    name: spec.name,
    label: spec.label,
    summary: spec.summary,
    options: spec.options,
    optionKeys,
    defaults: spec.options.parse({}),
    toParams,
    formulas: { ...GAUSSIAN_PATH_FORMULAS, ...spec.formulas },
    singularAtOne: spec.singularAtOne,
    prior: spec.prior,
    samplingCost: spec.samplingCost,
    create(o) {
      const f = spec.path(o);
      return {
        name: spec.name,
        params: toParams(o),
        tauMin: o.tauMin,
        tauMax: o.tauMax,
        coefficients: f.coefficients,
        drift: f.drift,
        diffusionSquared: f.diffusionSquared,
        samplePrior: spec.prior.sample,
        priorDescription: spec.prior.description,
        priorLogDensity: spec.prior.logDensity,
      };
    },
  };
}
