import type { DataSource, DataSourceName } from '../../datasets/index.js';
import { openDataSource } from '../../datasets/registry.js';
import { TARGET_REQUEST_KEYS, type TargetRequest } from '../../datasets/target-module.js';
import type { RunConfig } from './run-config.js';
import type { TrainRequest } from './train-request.js';

export interface ResolvedTarget {
  /** What the run's config records. */
  record: RunConfig['target'];
  /** The data, built once from the recorded options. */
  source: DataSource;
}

/** The target's share of a request: the keys a target module may bind to its options. */
function targetRequestOf(request: TrainRequest): TargetRequest {
  return Object.fromEntries(TARGET_REQUEST_KEYS.map((key) => [key, request[key]])) as TargetRequest;
}

/**
 * The target of a new run: its options from the request (a target option that
 * does not apply to it is an error, not ignored), with their defaults filled in
 * by its module, and the data source they build. The run's seed fills the
 * module's seed option (gmm's means) unless the request sets it.
 */
export function resolveTarget(request: TrainRequest, name: DataSourceName, seed: number): ResolvedTarget {
  const { options, source } = openDataSource(name, targetRequestOf(request), seed);
  return { record: { name, options, params: source.params, dim: source.dim }, source };
}
