import { MNIST_RANGE, mnistDataSource } from './mnist.js';
import {
  createTargetFromConfig,
  DATA_SOURCE_NAMES,
  describeTargets,
  isSampleOnlyName,
  isTargetName,
  resolveTargetOptions,
  SAMPLE_ONLY_OPTION_SCHEMAS,
  type DataSourceName,
} from './index.js';
import type { DataRange, DataSource } from './target.js';

/**
 * Every data source by name: the exact targets of datasets/index.ts and the
 * sample-only image data. Node only (MNIST is read from files); the browser
 * page rebuilds exact targets through datasets/index.ts alone.
 */
export function createDataSource(name: string, options: unknown = {}): DataSource {
  if (isTargetName(name)) return createTargetFromConfig(name, options);
  if (name === 'mnist') {
    const o = SAMPLE_ONLY_OPTION_SCHEMAS.mnist.parse(options);
    return mnistDataSource({ dataDir: o.dataDir, subset: o.subset });
  }
  throw new RangeError(`unknown target '${name}'; known: ${DATA_SOURCE_NAMES.join(', ')}`);
}

/** The box a data source's points lie in (its `dataRange`), known from the name alone, without reading the data. */
export function dataRangeOf(name: string): DataRange | undefined {
  return name === 'mnist' ? { ...MNIST_RANGE } : undefined;
}

/** The options with their defaults filled in, to record in a run's config. */
export function resolveDataSourceOptions(name: DataSourceName, options: unknown = {}): Record<string, unknown> {
  if (isSampleOnlyName(name)) return SAMPLE_ONLY_OPTION_SCHEMAS[name].parse(options);
  return resolveTargetOptions(name, options);
}

/** --help text: the exact targets, then the sample-only data. */
export function describeDataSources(): string {
  return `${describeTargets()}\n  mnist: MNIST digits, 28 x 28, pixels in [-1, 1] (sample-only: no exact score)\n    options: dataDir (--data-dir), subset (--subset)`;
}
