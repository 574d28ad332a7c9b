import { EXACT_TARGETS, TARGET_NAMES } from './exact-targets.js';
import { MNIST_TARGET } from './mnist.js';
import { namesOf, type ImageShape, type TargetModule, type TargetRequest } from './target-module.js';
import type { DataRange, DataSource } from './target.js';

/**
 * Every data source by name: the exact targets of datasets/exact-targets.ts and the
 * data known only by samples. Node only (MNIST is read from files); the browser page
 * imports datasets/exact-targets.ts alone. Commands read what a target can do from
 * its module's capabilities, never from its name.
 */

/** Data known only by samples, read from files: a new one is one line here. */
export const SAMPLE_ONLY_SOURCES = [MNIST_TARGET] as const;

/** Everything `--target` accepts, in the order help and errors list it. */
export const TARGET_MODULES = [...EXACT_TARGETS, ...SAMPLE_ONLY_SOURCES] as const;

export const SAMPLE_ONLY_NAMES = namesOf(SAMPLE_ONLY_SOURCES);
export type SampleOnlyName = (typeof SAMPLE_ONLY_NAMES)[number];
export const DATA_SOURCE_NAMES = [...TARGET_NAMES, ...SAMPLE_ONLY_NAMES] as const;
export type DataSourceName = (typeof DATA_SOURCE_NAMES)[number];

/** Sources whose points are images (evaluated by a classifier, drawn as a grid, trained with the U-Net by default). */
export const IMAGE_TARGET_NAMES: readonly DataSourceName[] = TARGET_MODULES.filter((m) => m.capabilities.image).map((m) => m.name);

export function isDataSourceName(name: string): name is DataSourceName {
  return (DATA_SOURCE_NAMES as readonly string[]).includes(name);
}

export function isSampleOnlyName(name: string): name is SampleOnlyName {
  return (SAMPLE_ONLY_NAMES as readonly string[]).includes(name);
}

export function isImageTargetName(name: string): boolean {
  return (IMAGE_TARGET_NAMES as readonly string[]).includes(name);
}

/** The module of a data source; a RangeError naming the known ones otherwise. */
export function targetModule(name: string): TargetModule {
  const found = TARGET_MODULES.find((m) => m.name === name);
  if (found === undefined) throw new RangeError(`unknown target '${name}'; known: ${DATA_SOURCE_NAMES.join(', ')}`);
  return found;
}

/** Builds any data source from a name and raw options (a ZodError when they do not fit). */
export function createDataSource(name: string, options: unknown = {}): DataSource {
  return targetModule(name).create(options);
}

/** The options with their defaults filled in, to record in a run's config. */
export function resolveDataSourceOptions(name: DataSourceName, options: unknown = {}): Record<string, unknown> {
  return targetModule(name).resolveOptions(options);
}

/**
 * The target of a new run from request values: its name and the options the run records
 * (see TargetModule.optionsFromRequest; `runSeed` fills gmm's seed). A key the target does
 * not take is a UsageError ("--mu 2: does not apply to --target grid9").
 */
export function resolveTargetRequest(
  name: DataSourceName,
  request: TargetRequest,
  runSeed?: number,
): { name: DataSourceName; options: Record<string, unknown> } {
  return { name, options: targetModule(name).optionsFromRequest(request, runSeed) };
}

/** A run's data, resolved and built once: hand `source` on (run/build.ts) instead of building it again. */
export interface OpenedDataSource {
  name: DataSourceName;
  /** What config.json records as target.options. */
  options: Record<string, unknown>;
  /** The built source: params, dim, dataStd and (images) the shape, for the config and the model. */
  source: DataSource;
}

export function openDataSource(name: DataSourceName, request: TargetRequest, runSeed?: number): OpenedDataSource {
  const resolved = resolveTargetRequest(name, request, runSeed);
  return { ...resolved, source: createDataSource(name, resolved.options) };
}

/** The box a data source's points lie in, known from the name alone, without reading the data. */
export function dataRangeOf(name: string): DataRange | undefined {
  const range = TARGET_MODULES.find((m) => m.name === name)?.capabilities.dataRange;
  return range === undefined ? undefined : { ...range };
}

/** The image shape of a data source, known from the name alone. */
export function imageShapeOf(name: string): ImageShape | undefined {
  const shape = TARGET_MODULES.find((m) => m.name === name)?.capabilities.image;
  return shape === undefined ? undefined : { ...shape };
}

/** --help text: the exact targets, then the sample-only data. */
export function describeDataSources(): string {
  return TARGET_MODULES.map((m) => m.help()).join('\n');
}
