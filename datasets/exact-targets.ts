import type { z } from 'zod';
import { CHECKERBOARD_TARGET } from './checkerboard.js';
import { FUNNEL_TARGET } from './funnel.js';
import { GAUSSIAN_TARGET } from './gaussian.js';
import { GMM_TARGET, GRID9_TARGET, RING8_TARGET } from './mixture.js';
import { namesOf } from './target-module.js';
import type { Target } from './target.js';
import { TWO_POINT_TARGET } from './two-point.js';

/**
 * The targets with exact scores, in the order help and errors list them: a new target
 * is one line here. Browser-safe (the page rebuilds a bundle's target from this list);
 * data read from files joins them in datasets/registry.ts, which is Node only.
 */
export const EXACT_TARGETS = [
  FUNNEL_TARGET,
  GRID9_TARGET,
  RING8_TARGET,
  GMM_TARGET,
  GAUSSIAN_TARGET,
  TWO_POINT_TARGET,
  CHECKERBOARD_TARGET,
] as const;

export type ExactTargetModule = (typeof EXACT_TARGETS)[number];
export const TARGET_NAMES = namesOf(EXACT_TARGETS);
export type TargetName = ExactTargetModule['name'];
type ModuleNamed<N extends TargetName> = Extract<ExactTargetModule, { name: N }>;
export type TargetOptions<N extends TargetName> = z.input<ModuleNamed<N>['options']>;

export function isTargetName(name: string): name is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(name);
}

/** The module of an exact target; a RangeError naming the known ones otherwise. */
export function exactTargetModule(name: string): ExactTargetModule {
  const found = EXACT_TARGETS.find((m) => m.name === name);
  if (found === undefined) throw new RangeError(`unknown target '${name}'; known: ${TARGET_NAMES.join(', ')}`);
  return found;
}

/** Builds a target; throws a ZodError when the options do not fit its schema. */
export function createTarget<N extends TargetName>(name: N, options?: TargetOptions<N>): Target {
  return exactTargetModule(name).create(options ?? {});
}

/** For untyped input (CLI, a run's config.json): checks the name as well as the options. */
export function createTargetFromConfig(name: string, options: unknown = {}): Target {
  return exactTargetModule(name).create(options);
}

/** The options with their defaults filled in, e.g. to record in a run's config. */
export function resolveTargetOptions(name: TargetName, options: unknown = {}): Record<string, unknown> {
  return exactTargetModule(name).resolveOptions(options);
}

/** One line per target with its options, for --help. */
export function describeTargets(): string {
  return EXACT_TARGETS.map((m) => m.help()).join('\n');
}
